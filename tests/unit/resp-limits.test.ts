import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { LimitError } from "../../src/errors.ts";
import { Decoder } from "../../src/resp/decode.ts";
import { FrameScanner } from "../../src/resp/frames.ts";
import { RESP_LIMITS } from "../../src/resp/limits.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { decodeChunks, int, mulberry32, pick, randomSplits, resp, splitAt, withPlainErrors, type Rng } from "./resp-support.ts";
import { randomValue, serialize } from "./resp-serializer.ts";

// What Redis can legally send past the decoder's bounds (see src/resp/limits.ts): long status and
// error lines are accepted; a reply past a bound is read past and reported for its command alone,
// and the stream after it decodes as if it had not been there.

const { maxDepth, maxBulkLength } = RESP_LIMITS;

/** `levels` arrays around `:1`, as RESP. */
const nestedArrays = (levels: number) => "*1\r\n".repeat(levels) + ":1\r\n";

function assertRefused(error: LimitError | undefined, limit: string, context = ""): void {
  assert.ok(error instanceof LimitError, `expected a LimitError ${context}`);
  assert.equal(error.limit, limit, context);
}

/** The input whole, byte by byte, and split at `n` sets of random offsets (everySplit is too slow for inputs of kilobytes). */
function* someSplits(input: Uint8Array, rng: Rng, n = 50): Generator<{ how: string; chunks: Uint8Array[] }> {
  yield { how: "whole", chunks: [input] };
  yield { how: "byte by byte", chunks: Array.from({ length: input.length }, (_, i) => input.slice(i, i + 1)) };
  for (let k = 0; k < n; k++) {
    const offsets = randomSplits(rng, input.length, 8);
    yield { how: `split at [${offsets}]`, chunks: splitAt(input, offsets) };
  }
}

/**
 * Feeds `head`, then `size` bytes of `fill` in one reused 1 MB chunk (as a transport reusing its
 * read buffer would), then `tail`: how the tests send values of 512 MB without holding them.
 */
function feedLarge(feed: (chunk: Uint8Array) => void, head: string, size: number, fill: number, tail: string): void {
  feed(resp(head));
  const chunk = new Uint8Array(1 << 20);
  for (let left = size; left > 0; left -= chunk.length) {
    chunk.fill(fill);
    feed(left >= chunk.length ? chunk : chunk.subarray(0, left));
  }
  feed(resp(tail));
}

describe("Decoder: long lines Redis sends", () => {
  test("a status line and an error line longer than 64 KB decode whole and however split, in string and bytes mode", () => {
    const rng = mulberry32(7);
    const status = "s".repeat(70_000);
    const error = `ERR ${"x".repeat(70_000)}`;
    const input = resp(`+${status}\r\n`, `-${error}\r\n`, ":1\r\n");
    for (const { how, chunks } of someSplits(input, rng, 20)) {
      const got = decodeChunks(chunks);
      assert.deepStrictEqual(withPlainErrors(got.replies), [status, { redisError: error, code: "ERR" }, 1], `fed ${how}`);
      assert.equal(got.pending, 0);
      const bytes = decodeChunks(chunks, { bytes: true });
      assert.deepStrictEqual(bytes.replies[0], resp(status), `fed ${how} in bytes mode`);
    }
  });

  test("a 4 MB status line fed in 64 KB chunks decodes to its text, and the reply after it too", () => {
    const text = "é".repeat(2 << 20);
    const input = resp(`+${text}\r\n`, "+OK\r\n");
    const chunks = splitAt(input, Array.from({ length: Math.floor(input.length / 65536) }, (_, k) => (k + 1) * 65536));
    const got = decodeChunks(chunks);
    assert.equal(got.replies.length, 2);
    assert.ok(got.replies[0] === text, "the 4 MB line decoded to its text");
    assert.equal(got.replies[1], "OK");
  });
});

describe("Decoder: replies past a bound fail alone", () => {
  test(`${maxDepth} levels of nesting decode; ${maxDepth + 1} go to onLimit as LimitError("maxDepth"), and the replies around them decode`, () => {
    const rng = mulberry32(11);
    const input = resp("+before\r\n", nestedArrays(maxDepth + 1), nestedArrays(maxDepth), ":2\r\n");
    for (const { how, chunks } of someSplits(input, rng)) {
      const got = decodeChunks(chunks);
      assert.deepStrictEqual(got.events, ["reply", "limit", "reply", "reply"], `fed ${how}`);
      assertRefused(got.limits[0], "maxDepth", `fed ${how}`);
      let deepest = got.replies[1];
      let levels = 0;
      while (Array.isArray(deepest)) [deepest, levels] = [deepest[0], levels + 1];
      assert.deepStrictEqual([levels, deepest], [maxDepth, 1], `fed ${how}`);
      assert.deepStrictEqual([got.replies[0], got.replies[2]], ["before", 2]);
      assert.equal(got.pending, 0);
    }
  });

  test("attributes and maps count as levels; a too-deep value inside a push is dropped without onLimit", () => {
    const rng = mulberry32(3);
    // Each attribute's value is the next attribute, and each is followed by the value it annotates.
    const deepAttributes = "|1\r\n+k\r\n".repeat(maxDepth + 1) + "+v\r\n" + ":1\r\n".repeat(maxDepth + 1);
    const deepAttributeValue = "|1\r\n+k\r\n" + nestedArrays(maxDepth + 1) + ":7\r\n";
    const deepMaps = "%1\r\n+k\r\n".repeat(maxDepth + 1) + ":1\r\n";
    const deepPush = ">2\r\n+message\r\n" + nestedArrays(maxDepth);
    for (const { how, chunks } of someSplits(resp(deepAttributes, deepAttributeValue, deepMaps, deepPush, ":2\r\n"), rng, 10)) {
      const got = decodeChunks(chunks);
      assert.deepStrictEqual(got.events, ["limit", "limit", "limit", "reply"], `fed ${how}`);
      assert.deepStrictEqual(got.replies, [2]);
      assert.deepStrictEqual(got.pushes, []);
    }
  });

  test("a too-deep value anywhere inside a random reply refuses that whole reply, however split; the next reply decodes as it would alone", () => {
    const rng = mulberry32(2024);
    for (let n = 0; n < 300; n++) {
      const push = n % 5 === 0;
      const deep = n % 7 !== 0;
      const refused = withDeepValue(rng, push, deep ? maxDepth : 5);
      const next = serialize(randomValue(rng, false), rng);
      const alone = decodeChunks([next]);
      const offsets = randomSplits(rng, refused.length + next.length, 8);
      const context = `case ${n}, split at [${offsets}]`;
      const got = decodeChunks(splitAt(resp(refused, next), offsets));
      if (!deep) {
        assert.deepStrictEqual(got.limits, [], context);
        continue;
      }
      assert.deepStrictEqual(got.events, [...(push ? [] : ["limit"]), ...alone.events], context);
      assert.deepStrictEqual(withPlainErrors(got.replies), withPlainErrors(alone.replies), context);
      assert.deepStrictEqual(withPlainErrors(got.pushes), withPlainErrors(alone.pushes), context);
      assert.equal(got.pending, 0, context);
      // The frame scanner, which keeps no depth, finds where the refused reply ends all the same.
      if (!push) assert.deepStrictEqual(scan([resp(refused, next)]).frames, [refused, next], context);
    }
  }, 60_000);

  test("a bulk string past maxBulkLength is read past, not buffered, and refused; the reply after it decodes", () => {
    const replies: RespValue[] = [];
    const limits: LimitError[] = [];
    const decoder = new Decoder({ onReply: (v) => void replies.push(v), onPush: () => {}, onLimit: (e) => void limits.push(e) });
    let most = 0;
    feedLarge((chunk) => {
      decoder.feed(chunk);
      most = Math.max(most, decoder.pending);
    }, `*3\r\n:1\r\n$${maxBulkLength + 1}\r\n`, maxBulkLength + 1, 0x61, "\r\n:3\r\n+after\r\n");
    assert.equal(limits.length, 1);
    assertRefused(limits[0], "maxBulkLength");
    assert.deepStrictEqual(replies, ["after"]);
    assert.ok(most < 1024, `held ${most} bytes while reading past it`);
  }, 60_000);

  test("an aggregate past maxAggregateLength is read past without building it, not taken for malformed input", () => {
    const got = decodeChunks([resp(`*${2 ** 32}\r\n`, ":1\r\n".repeat(1000))]);
    assert.deepStrictEqual(got.events, []);
    assert.equal(got.pending, 0);
  });

  test("without onLimit, a reply past a bound stops the decoder with a ProtocolError", () => {
    const decoder = new Decoder({ onReply: () => {}, onPush: () => {} });
    assert.throws(() => decoder.feed(resp(nestedArrays(maxDepth + 1))), (err: Error) => err.name === "ProtocolError" && /maxDepth/.test(err.message));
  });

  test("in raw mode, a reply past a bound goes to onLimit, not onFrame; the raw reply after it is framed", () => {
    const seen: string[] = [];
    const decoder = new Decoder({
      onReply: () => seen.push("reply"),
      onPush: () => seen.push("push"),
      onFrame: (buf, start, end) => void seen.push(new TextDecoder().decode(buf.subarray(start, end))),
      onLimit: (error) => void seen.push(error.limit),
    });
    decoder.raw = true;
    feedLarge((chunk) => decoder.feed(chunk), `$${maxBulkLength + 1}\r\n`, maxBulkLength + 1, 0x62, "\r\n+next\r\n");
    assert.deepStrictEqual(seen, ["maxBulkLength", "+next\r\n"]);
    assert.equal(decoder.pending, 0);
  }, 60_000);
});

/** Feeds `chunks` to a FrameScanner, as a connection would; returns copies of the frames and the refusals. */
function scan(chunks: Uint8Array[]): { frames: Uint8Array[]; refused: LimitError[]; scanner: FrameScanner } {
  const frames: Uint8Array[] = [];
  const refused: LimitError[] = [];
  const scanner = new FrameScanner({ onFrame: (buf, start, end) => void frames.push(buf.slice(start, end)), onRefused: (e) => void refused.push(e) });
  for (const chunk of chunks) for (let i = 0; i < chunk.length; ) i = scanner.scan(chunk, i);
  return { frames, refused, scanner };
}

describe("FrameScanner: long lines and values past a bound", () => {
  test("a status line and an error line longer than 64 KB are one frame each, whole and however split", () => {
    const rng = mulberry32(5);
    const status = resp(`+${"s".repeat(70_000)}\r\n`);
    const error = resp(`-ERR ${"x".repeat(70_000)}\r\n`);
    for (const { how, chunks } of someSplits(resp(status, error, ":1\r\n"), rng, 20)) {
      assert.deepStrictEqual(scan(chunks).frames, [status, error, resp(":1\r\n")], `fed ${how}`);
    }
  });

  test("a long line's CRLF is checked across chunks: LF without CR is malformed", () => {
    assert.throws(() => scan([resp("+", "a".repeat(70_000)), resp("\n")]), (err: Error) => err.name === "ProtocolError");
    assert.deepStrictEqual(scan([resp("+", "a".repeat(70_000), "\r"), resp("\n")]).frames.length, 1);
  });

  test("a line longer than maxBulkLength is refused, and what was held of it let go; the next value is framed", () => {
    const seen = scan([]);
    const feed = (chunk: Uint8Array) => { for (let i = 0; i < chunk.length; ) i = seen.scanner.scan(chunk, i); };
    feedLarge(feed, "*2\r\n+", maxBulkLength + 1, 0x61, "\r\n:2\r\n:3\r\n");
    assert.equal(seen.refused.length, 1);
    assertRefused(seen.refused[0], "maxBulkLength");
    assert.deepStrictEqual(seen.frames, [resp(":3\r\n")]);
    assert.equal(seen.scanner.pending, 0);
  }, 60_000);

  test("a nested bulk string past maxBulkLength refuses its whole value; what was held of it is let go", () => {
    const seen = scan([]);
    const feed = (chunk: Uint8Array) => { for (let i = 0; i < chunk.length; ) i = seen.scanner.scan(chunk, i); };
    feed(resp("*2\r\n$3\r\nabc\r\n"));
    assert.ok(seen.scanner.pending > 0);
    feedLarge(feed, `$${maxBulkLength + 1}\r\n`, maxBulkLength + 1, 0x61, "\r\n+next\r\n");
    assert.equal(seen.refused.length, 1);
    assertRefused(seen.refused[0], "maxBulkLength");
    assert.deepStrictEqual(seen.frames, [resp("+next\r\n")]);
    assert.equal(seen.scanner.pending, 0);
  }, 60_000);
});

const MARK = 123_456_789;

/** Every aggregate in `value` (arrays, maps, sets), outermost first. */
function aggregates(value: RespValue, into: (RespValue[] | Map<RespValue, RespValue> | Set<RespValue>)[] = []) {
  if (Array.isArray(value) || value instanceof Set) {
    into.push(value);
    for (const e of value) aggregates(e, into);
  } else if (value instanceof Map) {
    into.push(value);
    for (const e of value.values()) aggregates(e, into);
  }
  return into;
}

/** One level of a chain, as what comes before the inner value and what comes after it. */
const LEVELS: [open: string, close: string][] = [
  ["*1\r\n", ""],
  ["*2\r\n:9\r\n", ""], // a sibling before
  ["*2\r\n", "+after\r\n"], // a sibling after
  ["~1\r\n", ""],
  [">1\r\n", ""], // a nested push is an array
  ["%1\r\n+k\r\n", ""], // the map's value
  ["%1\r\n", ":0\r\n"], // the map's key
  ["|1\r\n+a\r\n", ":5\r\n"], // an attribute's value, then the value it annotates
];

/**
 * A random reply (a push when `push` is set) with a chain of `levels` aggregates in place of one
 * element somewhere inside it, of every kind of LEVELS, so reading past the rest of the reply needs
 * every kind of count right. With `levels` = maxDepth the whole is too deep (the element is inside
 * at least one aggregate); with a handful it is not.
 */
function withDeepValue(rng: Rng, push: boolean, levels: number): Uint8Array {
  const value: RespValue[] = [randomValue(rng, false), randomValue(rng, false)];
  const holder = pick(rng, aggregates(value));
  if (Array.isArray(holder)) holder.splice(int(rng, holder.length + 1), 0, MARK);
  else if (holder instanceof Map) holder.set("mark", MARK);
  else holder.add(MARK);
  const text = new TextDecoder().decode(serialize(value, rng, push));
  const at = Math.max(text.indexOf(`:${MARK}\r\n`), text.indexOf(`,${MARK}\r\n`));
  assert.ok(at >= 0);
  let chain = ":1\r\n";
  for (let k = 0; k < levels; k++) {
    const [open, close] = pick(rng, LEVELS);
    chain = open + chain + close;
  }
  return resp(text.slice(0, at), chain, text.slice(at + `:${MARK}\r\n`.length));
}
