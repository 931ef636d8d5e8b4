import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { ProtocolError, RedisError } from "../../src/errors.ts";
import { Decoder } from "../../src/resp/decode.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { assertDecodes, decodeChunks, everySplit, resp } from "./resp-support.ts";

const text = new TextEncoder();
const bytes = (s: string) => text.encode(s);

describe("Decoder: RESP2 types", () => {
  test("decodes a simple string whole, byte by byte and split at every offset", () => {
    assertDecodes("+OK\r\n", ["OK"]);
    assertDecodes("+\r\n", [""]);
  });

  test("decodes an error reply as a RedisError carrying the server's prefix as code", () => {
    assertDecodes("-WRONGTYPE Operation against a key\r\n", [new RedisError("WRONGTYPE Operation against a key")]);
    const [err] = decodeChunks([bytes("-ERR unknown command 'FOO'\r\n")]).replies;
    assert.ok(err instanceof RedisError);
    assert.equal(err.code, "ERR");
    assert.equal(err.message, "ERR unknown command 'FOO'");
  });

  test("decodes integers: zero, negative, positive, and -0 as 0", () => {
    assertDecodes(":0\r\n:-42\r\n:1000\r\n:+7\r\n:-0\r\n", [0, -42, 1000, 7, 0]);
  });

  test("decodes integers within ±2^53 as number and beyond as bigint", () => {
    assertDecodes(
      ":9007199254740991\r\n:-9007199254740991\r\n:9007199254740992\r\n:-9007199254740992\r\n:123456789012345678901234567890\r\n:0000000000000000000001\r\n",
      [9007199254740991, -9007199254740991, 9007199254740992n, -9007199254740992n, 123456789012345678901234567890n, 1],
    );
  });

  test("decodes bulk strings: empty, with CRLF inside, and multi-byte UTF-8", () => {
    assertDecodes("$5\r\nhello\r\n$0\r\n\r\n$4\r\na\r\nb\r\n$6\r\n€uro\r\n", ["hello", "", "a\r\nb", "€uro"]);
  });

  test("keeps a leading byte-order mark in a bulk string", () => {
    assertDecodes(resp("$4\r\n", new Uint8Array([0xef, 0xbb, 0xbf, 0x41]), "\r\n"), ["\uFEFFA"]);
  });

  test("decodes RESP2 nil bulk string and nil array as null", () => {
    assertDecodes("$-1\r\n*-1\r\n", [null, null]);
  });

  test("decodes arrays: empty, flat and nested", () => {
    assertDecodes("*0\r\n*3\r\n:1\r\n$1\r\na\r\n+b\r\n*2\r\n*1\r\n*0\r\n*2\r\n$-1\r\n:2\r\n", [
      [],
      [1, "a", "b"],
      [[[]], [null, 2]],
    ]);
  });

  test("decodes an error inside an array (EXEC) as a RedisError element", () => {
    assertDecodes("*3\r\n+OK\r\n-ERR value is not an integer\r\n:3\r\n", [["OK", new RedisError("ERR value is not an integer"), 3]]);
  });

  test("delivers several replies in one chunk in order", () => {
    const got = decodeChunks([bytes("+a\r\n+b\r\n:3\r\n$1\r\nd\r\n")]);
    assert.deepStrictEqual(got.replies, ["a", "b", 3, "d"]);
  });
});

describe("Decoder: RESP3 types", () => {
  test("decodes null and booleans", () => {
    assertDecodes("_\r\n#t\r\n#f\r\n", [null, true, false]);
  });

  test("decodes doubles: decimals, exponents, inf, -inf and nan", () => {
    assertDecodes(",1.5\r\n,-2\r\n,1e10\r\n,1.5E-3\r\n,.5\r\n,3.\r\n,inf\r\n,-inf\r\n,+inf\r\n,nan\r\n", [
      1.5, -2, 1e10, 1.5e-3, 0.5, 3, Infinity, -Infinity, Infinity, NaN,
    ]);
  });

  test("decodes big numbers as bigint whatever their size", () => {
    assertDecodes("(3492890328409238509324850943850943825024385\r\n(-12\r\n(0\r\n", [
      3492890328409238509324850943850943825024385n, -12n, 0n,
    ]);
  });

  test("decodes a bulk error as a RedisError, CRLF and all", () => {
    assertDecodes("!22\r\nSYNTAX invalid\r\nsyntax\r\n", [new RedisError("SYNTAX invalid\r\nsyntax")]);
  });

  test("decodes a verbatim string as the text after its format prefix", () => {
    assertDecodes("=15\r\ntxt:Some string\r\n=6\r\nmkd:**\r\n=4\r\ntxt:\r\n", ["Some string", "**", ""]);
  });

  test("decodes a RESP3 map split at every offset", () => {
    assertDecodes("%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n%1\r\n:3\r\n_\r\n", [
      new Map<RespValue, RespValue>([["first", 1], ["second", new Map<RespValue, RespValue>([[3, null]])]]),
    ]);
    assertDecodes("%0\r\n", [new Map()]);
  });

  test("decodes a RESP3 set split at every offset", () => {
    assertDecodes("~3\r\n+a\r\n:1\r\n#f\r\n~0\r\n", [new Set<RespValue>(["a", 1, false]), new Set()]);
  });

  test("delivers a top-level push to onPush and a nested one as a plain array", () => {
    assertDecodes(">3\r\n+message\r\n+chan\r\n$5\r\nhello\r\n*1\r\n>1\r\n:1\r\n", [[[1]]], {
      pushes: [["message", "chan", "hello"]],
    });
    assertDecodes(">0\r\n", [], { pushes: [[]] });
  });

  test("skips an attribute before a top-level reply", () => {
    assertDecodes("|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n", [
      [2039123, 9543892],
    ]);
  });

  test("skips attributes inside aggregates without counting them as elements", () => {
    assertDecodes("*3\r\n|1\r\n+ttl\r\n:10\r\n:1\r\n:2\r\n|0\r\n|2\r\n+a\r\n*1\r\n:0\r\n+b\r\n_\r\n:3\r\n", [[1, 2, 3]]);
    assertDecodes("%1\r\n|1\r\n+x\r\n+y\r\n+k\r\n|1\r\n+x\r\n+y\r\n+v\r\n", [new Map([["k", "v"]])]);
  });

  test("skips attributes nested inside attributes, and before a push", () => {
    assertDecodes("|1\r\n|1\r\n+inner\r\n+meta\r\n+outer\r\n|1\r\n+deep\r\n:1\r\n:7\r\n:8\r\n", [8]);
    assertDecodes("|1\r\n+a\r\n+b\r\n>2\r\n+invalidate\r\n*1\r\n+key\r\n", [], { pushes: [["invalidate", ["key"]]] });
  });

  test("decodes deeply mixed aggregates", () => {
    const input = "*2\r\n%1\r\n~2\r\n:1\r\n:2\r\n*2\r\n#t\r\n_\r\n>1\r\n%1\r\n+k\r\n!3\r\nERR\r\n";
    assertDecodes(input, [
      [new Map<RespValue, RespValue>([[new Set<RespValue>([1, 2]), [true, null]]]), [new Map<RespValue, RespValue>([["k", new RedisError("ERR")]])]],
    ]);
  });
});

describe("Decoder: string and bytes modes", () => {
  test("bytes mode returns bulk, simple and verbatim strings as Uint8Array but errors as strings", () => {
    assertDecodes("$3\r\na\0b\r\n+OK\r\n=7\r\ntxt:abc\r\n-ERR x\r\n%1\r\n+k\r\n+v\r\n", [
      bytes("a\0b"), bytes("OK"), bytes("abc"), new RedisError("ERR x"), new Map([[bytes("k"), bytes("v")]]),
    ], { bytes: true });
  });

  test("switches mode for the next reply when bytes is set inside onReply, at every split", () => {
    const input = bytes("$1\r\na\r\n$1\r\nb\r\n*1\r\n+c\r\n$1\r\nd\r\n");
    for (const { how, chunks } of everySplit(input)) {
      const replies: RespValue[] = [];
      const decoder: Decoder = new Decoder({
        onReply: (v) => {
          replies.push(v);
          decoder.bytes = replies.length % 2 === 1; // string, bytes, string, bytes
        },
        onPush: () => assert.fail("no push expected"),
      });
      for (const c of chunks) decoder.feed(c);
      assert.deepStrictEqual(replies, ["a", bytes("b"), ["c"], bytes("d")], `fed ${how}`);
    }
  });

  test("reads the mode when a top-level value starts, not when its strings arrive", () => {
    const replies: RespValue[] = [];
    const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
    decoder.feed(bytes("*2\r\n$1\r\na\r\n$1"));
    decoder.bytes = true;
    decoder.feed(bytes("\r\nb\r\n$1\r\nc\r\n"));
    assert.deepStrictEqual(replies, [["a", "b"], bytes("c")]);
  });

  test("decodes pushes with pushBytes, whatever mode is set for the next reply", () => {
    const input = ">2\r\n+message\r\n$2\r\nhi\r\n$2\r\nok\r\n";
    assertDecodes(input, [bytes("ok")], { bytes: true, pushBytes: false, pushes: [["message", "hi"]] });
    assertDecodes(input, ["ok"], { pushBytes: true, pushes: [[bytes("message"), bytes("hi")]] });
    assertDecodes(input, [bytes("ok")], { bytes: true, pushes: [[bytes("message"), bytes("hi")]] });
  });

  test("bytes-mode values are copies: overwriting a fed chunk leaves them intact", () => {
    const replies: RespValue[] = [];
    const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} }, { bytes: true });
    const chunk = bytes("$5\r\nhello\r\n+world\r\n$4\r\nsp");
    decoder.feed(chunk);
    chunk.fill(0x58);
    const tail = bytes("an\r\n");
    decoder.feed(tail);
    tail.fill(0x58);
    assert.deepStrictEqual(replies, [bytes("hello"), bytes("world"), bytes("span")]);
  });
});

describe("Decoder: streaming", () => {
  test("delivers pushes interleaved with replies in stream order", () => {
    const input = "+one\r\n>2\r\n+message\r\n+a\r\n:2\r\n>2\r\n+message\r\n+b\r\n>2\r\n+message\r\n+c\r\n$5\r\nthree\r\n";
    for (const { how, chunks } of everySplit(bytes(input))) {
      const got = decodeChunks(chunks);
      assert.deepStrictEqual(got.events, ["reply", "push", "reply", "push", "push", "reply"], `fed ${how}`);
      assert.deepStrictEqual(got.replies, ["one", 2, "three"]);
      assert.deepStrictEqual(got.pushes, [["message", "a"], ["message", "b"], ["message", "c"]]);
    }
  });

  test("decodes a 16 MB bulk string fed in 64 KB chunks, in bytes and string mode", () => {
    const size = 16 * 1024 * 1024;
    const payload = new Uint8Array(size);
    for (let i = 0; i < size; i++) payload[i] = 97 + ((i * 7 + (i >>> 13)) % 26);
    const input = resp(`$${size}\r\n`, payload, "\r\n+after\r\n");
    for (const mode of [true, false]) {
      const replies: RespValue[] = [];
      const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} }, { bytes: mode });
      const chunk = 64 * 1024;
      for (let at = 0; at < input.length; at += chunk) {
        decoder.feed(input.slice(at, at + chunk));
        if (replies.length === 0) assert.equal(decoder.pending, Math.min(at + chunk, input.length) - `$${size}\r\n`.length);
      }
      assert.equal(replies.length, 2);
      const got = mode ? (replies[0] as Uint8Array) : text.encode(replies[0] as string);
      assert.equal(got.length, size);
      let same = true;
      for (let i = 0; i < size; i++) if (got[i] !== payload[i]) { same = false; break; }
      assert.ok(same, "payload differs");
      assert.deepStrictEqual(replies[1], mode ? bytes("after") : "after");
      assert.equal(decoder.pending, 0);
    }
  });

  test("decodes a 10,000-element array of 100-byte strings fed in 64 KB chunks", () => {
    const items = Array.from({ length: 10_000 }, (_, k) => String(k).padStart(100, "x"));
    const input = resp(`*${items.length}\r\n`, ...items.map((s) => `$100\r\n${s}\r\n`));
    const chunks = Array.from({ length: Math.ceil(input.length / 65536) }, (_, k) => input.slice(k * 65536, (k + 1) * 65536));
    assert.deepStrictEqual(decodeChunks(chunks).replies, [items]);
  });

  test("does not re-parse an unfinished aggregate: 200k elements fed 3 bytes at a time", () => {
    const count = 200_000;
    const input = resp(`*${count}\r\n`, ":1\r\n".repeat(count));
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < input.length; at += 3) chunks.push(input.subarray(at, at + 3));
    const started = performance.now();
    const [array] = decodeChunks(chunks).replies as [number[]];
    // Linear work takes tens of milliseconds; re-parsing from the start would take hours.
    assert.ok(performance.now() - started < 5000);
    assert.equal(array.length, count);
  });

  test("pending counts the bytes of an unfinished line or bulk payload", () => {
    const decoder = new Decoder({ onReply: () => {}, onPush: () => {} });
    assert.equal(decoder.pending, 0);
    decoder.feed(bytes("*2\r\n$1"));
    assert.equal(decoder.pending, 2);
    decoder.feed(bytes("0\r\n0123"));
    assert.equal(decoder.pending, 4);
    decoder.feed(bytes("456789\r"));
    assert.equal(decoder.pending, 10);
    decoder.feed(bytes("\n:1\r\n"));
    assert.equal(decoder.pending, 0);
  });

  test("a handler that feeds re-entrantly has its chunk decoded after the current one", () => {
    const replies: RespValue[] = [];
    const decoder: Decoder = new Decoder({
      onReply: (v) => {
        replies.push(v);
        if (v === "ping") decoder.feed(bytes("+pong\r\n"));
      },
      onPush: () => {},
    });
    decoder.feed(bytes("+ping\r\n+next\r\n"));
    assert.deepStrictEqual(replies, ["ping", "next", "pong"]);
  });

  test("an error thrown by a handler propagates unchanged and stops the decoder", () => {
    const boom = new Error("handler bug");
    const decoder = new Decoder({ onReply: () => { throw boom; }, onPush: () => {} });
    assert.throws(() => decoder.feed(bytes("+OK\r\n+OK\r\n")), (err) => err === boom);
    assert.throws(() => decoder.feed(bytes("+OK\r\n")), ProtocolError);
  });
});
