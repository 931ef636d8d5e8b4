import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { ProtocolError } from "../../src/errors.ts";
import { Decoder } from "../../src/resp/decode.ts";
import { FrameScanner } from "../../src/resp/frames.ts";
import { RESP_LIMITS } from "../../src/resp/limits.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { decodeChunks, everySplit, int, mulberry32, randomSplits, resp, splitAt, withPlainErrors } from "./resp-support.ts";
import { randomValue, serialize } from "./resp-serializer.ts";

/**
 * Feeds `chunks` to a FrameScanner and returns a copy of each frame it found. What it scans is zeroed
 * afterwards, as a transport reusing its read buffer would: a frame that kept a view of an earlier
 * chunk would come out wrong.
 */
function scanFrames(chunks: Uint8Array[]): { frames: Uint8Array[]; active: boolean } {
  const frames: Uint8Array[] = [];
  const scanner = new FrameScanner({ onFrame: (buf, start, end) => void frames.push(buf.slice(start, end)), onRefused: (error) => assert.fail(error) });
  for (const chunk of chunks) {
    const reused = chunk.slice();
    for (let i = 0; i < reused.length; ) i = scanner.scan(reused, i);
    reused.fill(0);
  }
  return { frames, active: scanner.active };
}

/** One value of each RESP2 and RESP3 type, as the server would send it. */
const EVERY_TYPE: [string, string][] = [
  ["simple string", "+OK\r\n"],
  ["simple error", "-ERR unknown command 'FOO'\r\n"],
  ["integer", ":-42\r\n"],
  ["bulk string whose payload holds CRLF", "$5\r\na\r\n$1\r\n"],
  ["null bulk string", "$-1\r\n"],
  ["empty bulk string", "$0\r\n\r\n"],
  ["array", "*3\r\n$3\r\nfoo\r\n:1\r\n+bar\r\n"],
  ["null array", "*-1\r\n"],
  ["empty array", "*0\r\n"],
  ["nested aggregates", "*3\r\n*1\r\n*0\r\n%1\r\n+k\r\n~1\r\n_\r\n>1\r\n$-1\r\n"],
  ["map", "%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*2\r\n#t\r\n#f\r\n"],
  ["empty map", "%0\r\n"],
  ["set", "~3\r\n+a\r\n:1\r\n,1.5\r\n"],
  ["attribute and the value it annotates", "|1\r\n+ttl\r\n:3\r\n$3\r\nval\r\n"],
  ["attribute on an aggregate", "|1\r\n+keys\r\n*1\r\n+k\r\n*2\r\n:1\r\n:2\r\n"],
  ["verbatim string", "=15\r\ntxt:Some string\r\n"],
  ["bulk error", "!21\r\nSYNTAX invalid syntax\r\n"],
  ["double", ",3.14\r\n"],
  ["infinite double", ",-inf\r\n"],
  ["big number", "(3492890328409238509324850943850943825024385\r\n"],
  ["boolean", "#f\r\n"],
  ["null", "_\r\n"],
  ["push", ">2\r\n+message\r\n$2\r\nhi\r\n"],
];

describe("FrameScanner: where a value ends", () => {
  for (const [type, value] of EVERY_TYPE) {
    test(`a ${type} is one frame of exactly its bytes, whole, byte by byte and split at every offset`, () => {
      const input = resp(value, ":7\r\n");
      for (const { how, chunks } of everySplit(input)) {
        const { frames, active } = scanFrames(chunks);
        assert.deepStrictEqual(frames, [resp(value), resp(":7\r\n")], `fed ${how}`);
        assert.equal(active, false, `fed ${how}`);
      }
    });
  }

  test("a stream of every type gives the same frames however it is split", () => {
    const input = resp(...EVERY_TYPE.map(([, value]) => value));
    const expected = EVERY_TYPE.map(([, value]) => resp(value));
    for (const { how, chunks } of everySplit(input)) assert.deepStrictEqual(scanFrames(chunks).frames, expected, `fed ${how}`);
  });

  test("scan() returns the index after each value, or the chunk's length while the value continues", () => {
    const frames: string[] = [];
    const scanner = new FrameScanner({ onFrame: (buf, start, end) => void frames.push(new TextDecoder().decode(buf.subarray(start, end))), onRefused: (error) => assert.fail(error) });
    const chunk = resp("+a\r\n:1\r\n*2\r\n:1");
    assert.equal(scanner.scan(chunk, 0), 4);
    assert.equal(scanner.scan(chunk, 4), 8);
    assert.equal(scanner.active, false);
    assert.equal(scanner.scan(chunk, 8), chunk.length);
    assert.equal(scanner.active, true);
    assert.equal(scanner.pending, 6, "the bytes of the value so far are held");
    assert.equal(scanner.scan(resp("\r\n:2\r\n+b\r\n"), 0), 6);
    assert.equal(scanner.pending, 0);
    assert.deepStrictEqual(frames, ["+a\r\n", ":1\r\n", "*2\r\n:1\r\n:2\r\n"]);
  });

  test("a payload's CRLF split across chunks is checked on both sides of the split", () => {
    const split = [resp("$3\r\nabc\r"), resp("\n+next\r\n")];
    assert.deepStrictEqual(scanFrames(split).frames, [resp("$3\r\nabc\r\n"), resp("+next\r\n")]);
    const apart = [resp("$3\r\nab"), resp("c"), resp("\r"), resp("\n")];
    assert.deepStrictEqual(scanFrames(apart).frames, [resp("$3\r\nabc\r\n")]);
    assert.throws(() => scanFrames([resp("$3\r\nabc\r"), resp("X")]), ProtocolError);
    assert.throws(() => scanFrames([resp("$3\r\nabc"), resp("X\n")]), ProtocolError);
    assert.throws(() => scanFrames([resp("$3\r\nabc"), resp("\rX")]), ProtocolError);
  });

  test("clear() forgets a partly scanned value", () => {
    const frames: Uint8Array[] = [];
    const scanner = new FrameScanner({ onFrame: (buf, start, end) => void frames.push(buf.slice(start, end)), onRefused: (error) => assert.fail(error) });
    scanner.scan(resp("*2\r\n$5\r\nhe"), 0);
    scanner.clear();
    assert.equal(scanner.active, false);
    assert.equal(scanner.scan(resp("+OK\r\n"), 0), 5);
    assert.deepStrictEqual(frames, [resp("+OK\r\n")]);
  });
});

describe("FrameScanner: malformed input", () => {
  const malformed: [string, string][] = [
    ["a bulk payload not followed by CRLF", "$3\r\nabcX\r\n"],
    ["a bulk payload followed by CR and garbage", "$3\r\nabc\rX"],
    ["an empty bulk payload not followed by CRLF", "$0\r\nXY"],
    ["a nested bulk payload not followed by CRLF", "*2\r\n:1\r\n!2\r\nabc\r\n"],
    ["an unknown type byte", "?x\r\n"],
    ["an unknown type byte inside an array", "*2\r\n:1\r\n@\r\n"],
    ["a line ended by LF alone", "+OK\n"],
    ["a header ended by LF alone", "*1\n:1\r\n"],
    ["an empty line", "\r\n"],
    ["a bulk length past 2^53, which is no length", "$90071992547409920\r\n"],
    ["an aggregate length past 2^53", "*90071992547409920\r\n"],
    ["a negative bulk length other than -1", "$-2\r\n"],
    ["a non-digit length", "*x\r\n"],
    ["a -1 length for a map", "%-1\r\n"],
    ["a -1 length for a set", "~-1\r\n"],
    ["a -1 length for a push", ">-1\r\n"],
    ["a -1 length for a bulk error", "!-1\r\n"],
    ["a -1 length for a verbatim string", "=-1\r\n"],
  ];
  for (const [what, input] of malformed) {
    test(`throws ProtocolError on ${what}, however it is split`, () => {
      for (const { how, chunks } of everySplit(resp(input))) {
        assert.throws(() => scanFrames(chunks), ProtocolError, `fed ${how}`);
      }
    });
  }

  test("throws ProtocolError on a header line longer than maxLineLength, whole or in chunks; the longest allowed passes", () => {
    const max = RESP_LIMITS.maxLineLength;
    const tooLong = resp("*", "0".repeat(max - 3), "1\r\n:1\r\n"); // a header of max + 1 bytes with its CRLF
    const neverEnds = resp("$", "0".repeat(max));
    for (const input of [tooLong, neverEnds]) {
      assert.throws(() => scanFrames([input]), ProtocolError);
      assert.throws(() => scanFrames(splitAt(input, [1000, 40_000, max - 1])), ProtocolError);
    }
    const longest = resp("*", "0".repeat(max - 4), "1\r\n:1\r\n");
    assert.deepStrictEqual(scanFrames([longest]).frames, [longest]);
    assert.deepStrictEqual(scanFrames(splitAt(longest, [30_000, max - 1])).frames, [longest]);
  });
});

type Delivered = ["frame", Uint8Array] | ["reply", RespValue] | ["push", RespValue[]];

/**
 * A decoder whose `raw` flag is set, before each reply, to the next entry of `plan` (inside the
 * handler of the reply before), recording what it delivers in order. What it is fed is zeroed
 * afterwards, as in {@link scanFrames}.
 */
function rawDecoder(plan: boolean[]): { feed(chunks: Uint8Array[]): void; delivered: Delivered[] } {
  const delivered: Delivered[] = [];
  let replies = 0;
  const decoder = new Decoder({
    onReply: (value) => {
      delivered.push(["reply", value]);
      decoder.raw = plan[++replies] ?? false;
    },
    onPush: (value) => void delivered.push(["push", value]),
    onFrame: (buf, start, end) => {
      delivered.push(["frame", buf.slice(start, end)]);
      decoder.raw = plan[++replies] ?? false;
    },
  });
  decoder.raw = plan[0] ?? false;
  return {
    delivered,
    feed(chunks) {
      for (const chunk of chunks) {
        const reused = chunk.slice();
        decoder.feed(reused);
        reused.fill(0);
      }
    },
  };
}

describe("Decoder: raw mode", () => {
  test("replies read while raw is set arrive as their bytes; the flag, set in each handler, decides the next reply", () => {
    const input = resp("+a\r\n", "*2\r\n$1\r\nb\r\n:2\r\n", "$3\r\nc\r\n\r\n", "%1\r\n+k\r\n#t\r\n", ":5\r\n", "|1\r\n+x\r\n+y\r\n_\r\n");
    const expected: Delivered[] = [
      ["frame", resp("+a\r\n")],
      ["reply", ["b", 2]],
      ["reply", "c\r\n"],
      ["frame", resp("%1\r\n+k\r\n#t\r\n")],
      ["frame", resp(":5\r\n")],
      ["reply", null],
    ];
    for (const { how, chunks } of everySplit(input)) {
      const decoder = rawDecoder([true, false, false, true, true, false]);
      decoder.feed(chunks);
      assert.deepStrictEqual(decoder.delivered, expected, `fed ${how}`);
    }
  });

  test("a top-level push while raw is set is decoded and goes to onPush; a nested one stays in its reply's frame", () => {
    const input = resp(">2\r\n+message\r\n$2\r\nhi\r\n", "*1\r\n>1\r\n+x\r\n", ">1\r\n*1\r\n>0\r\n", "+OK\r\n");
    const expected: Delivered[] = [
      ["push", ["message", "hi"]],
      ["frame", resp("*1\r\n>1\r\n+x\r\n")],
      ["push", [[[]]]],
      ["frame", resp("+OK\r\n")],
    ];
    for (const { how, chunks } of everySplit(input)) {
      const decoder = rawDecoder([true, true]);
      decoder.feed(chunks);
      assert.deepStrictEqual(decoder.delivered, expected, `fed ${how}`);
    }
  });

  test("the flag is read when a reply starts: changing it mid-reply changes only the replies after", () => {
    const delivered: string[] = [];
    const decoder = new Decoder({
      onReply: (value) => void delivered.push(`reply ${JSON.stringify(value)}`),
      onPush: () => assert.fail("no push was sent"),
      onFrame: (buf, start, end) => void delivered.push(`frame ${JSON.stringify(new TextDecoder().decode(buf.subarray(start, end)))}`),
    });
    decoder.feed(resp("*2\r\n$3\r\nab"));
    decoder.raw = true;
    decoder.feed(resp("c\r\n:1\r\n+d\r\n*2\r\n+e"));
    decoder.raw = false;
    decoder.feed(resp("\r\n:2\r\n+f\r\n"));
    assert.deepStrictEqual(delivered, ['reply ["abc",1]', 'frame "+d\\r\\n"', 'frame "*2\\r\\n+e\\r\\n:2\\r\\n"', 'reply "f"']);
  });

  test("malformed input in raw mode throws ProtocolError and leaves the decoder dead", () => {
    const decoder = new Decoder({ onReply: () => {}, onPush: () => {}, onFrame: () => {} });
    decoder.raw = true;
    assert.throws(() => decoder.feed(resp("+ok\r\n$3\r\nabcX\r\n")), ProtocolError);
    assert.throws(() => decoder.feed(resp("+OK\r\n")), ProtocolError);
  });
});

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

describe("FrameScanner and Decoder raw mode under random input", () => {
  test("random replies: the frames are exactly each reply's bytes, and each decodes to what the stream decodes to", () => {
    const rng = mulberry32(4242);
    for (let n = 0; n < 2000; n++) {
      const parts = Array.from({ length: 1 + int(rng, 5) }, () => serialize(randomValue(rng, n % 2 === 1), rng));
      const input = resp(...parts);
      const offsets = randomSplits(rng, input.length, 8);
      const context = `input ${hex(input)} split at [${offsets}]`;
      const { frames, active } = scanFrames(splitAt(input, offsets));
      assert.deepStrictEqual(frames, parts, context);
      assert.equal(active, false, context);
      const streamed = decodeChunks([input]).replies;
      const oneByOne = frames.flatMap((frame) => decodeChunks([frame]).replies);
      assert.deepStrictEqual(withPlainErrors(oneByOne), withPlainErrors(streamed), context);
    }
  }, 60_000);

  test("raw toggled at random, with pushes among the replies, delivers what a plain decoder delivers", () => {
    const rng = mulberry32(99);
    for (let n = 0; n < 1000; n++) {
      const parts: Uint8Array[] = [];
      const plan: boolean[] = [];
      for (let k = 1 + int(rng, 6); k > 0; k--) {
        if (rng() < 0.25) {
          // Headed by ">" itself (no attribute first): raw mode tells a push by its first byte.
          const push = Array.from({ length: int(rng, 3) }, () => randomValue(rng, false, 2));
          parts.push(resp(`>${push.length}\r\n`, ...push.map((e) => serialize(e, rng))));
        } else {
          parts.push(serialize(randomValue(rng, false), rng));
          plan.push(rng() < 0.5);
        }
      }
      const input = resp(...parts);
      const offsets = randomSplits(rng, input.length, 8);
      const context = `input ${hex(input)} split at [${offsets}], raw ${plan}`;
      const plain = decodeChunks([input]);
      const decoder = rawDecoder(plan);
      decoder.feed(splitAt(input, offsets));
      const replies = decoder.delivered.filter(([kind]) => kind !== "push");
      assert.deepStrictEqual(replies.map(([kind]) => kind === "frame"), plan, context);
      const values = replies.map(([kind, value]) => (kind === "frame" ? decodeChunks([value]).replies[0]! : value));
      assert.deepStrictEqual(withPlainErrors(values), withPlainErrors(plain.replies), context);
      const pushes = decoder.delivered.filter(([kind]) => kind === "push").map(([, value]) => value);
      assert.deepStrictEqual(withPlainErrors(pushes), withPlainErrors(plain.pushes), context);
    }
  }, 60_000);
});
