import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { ProtocolError } from "../../src/errors.ts";
import { Decoder } from "../../src/resp/decode.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { decodeChunks, everySplit } from "./resp-support.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("Decoder: malformed input", () => {
  const malformed: [string, string][] = [
    ["an unknown type byte", "?x\r\n"],
    ["an empty line", "\r\n"],
    ["a line ended by LF alone", "+OK\n"],
    ["a negative bulk length other than -1", "$-2\r\n"],
    ["a non-digit bulk length", "$abc\r\n"],
    ["an empty bulk length", "$\r\n"],
    ["a signed bulk length", "$+5\r\nhello\r\n"],
    ["a streamed (?) bulk length, which Redis never sends", "$?\r\n;4\r\nHell\r\n;0\r\n"],
    ["a bulk length past 2^53, which is no length", "$90071992547409920\r\n"],
    ["a bulk payload not followed by CRLF", "$3\r\nabcX\r\n"],
    ["a bulk payload followed by CR and garbage", "$3\r\nabc\rX"],
    ["a negative array length other than -1", "*-2\r\n"],
    ["a -1 length for a map", "%-1\r\n"],
    ["a -1 length for a bulk error", "!-1\r\n"],
    ["an aggregate length past 2^53", "*90071992547409920\r\n"],
    ["an empty integer", ":\r\n"],
    ["a sign alone as integer", ":-\r\n"],
    ["an integer with a letter", ":12a\r\n"],
    ["a long integer with a letter", ":12345678901234567890x\r\n"],
    ["an integer with a space", ": 1\r\n"],
    ["an empty double", ",\r\n"],
    ["a word as double", ",abc\r\n"],
    ["a hex double", ",0x10\r\n"],
    ["Infinity spelled the JavaScript way", ",Infinity\r\n"],
    ["a boolean other than t or f", "#x\r\n"],
    ["a two-letter boolean", "#tt\r\n"],
    ["a null with content", "_x\r\n"],
    ["a big number with a letter", "(12a\r\n"],
    ["an empty big number", "(\r\n"],
    ["a verbatim string shorter than its format prefix", "=3\r\ntxt\r\n"],
    ["a verbatim string without the colon", "=5\r\nabcde\r\n"],
    ["garbage inside an array", "*2\r\n:1\r\n@\r\n"],
  ];
  for (const [what, input] of malformed) {
    test(`throws ProtocolError on ${what}, however it is split`, () => {
      for (const { how, chunks } of everySplit(bytes(input))) {
        assert.throws(() => decodeChunks(chunks), ProtocolError, `fed ${how}`);
      }
    });
  }

  test("after a ProtocolError every later feed throws ProtocolError", () => {
    const decoder = new Decoder({ onReply: () => {}, onPush: () => {} });
    assert.throws(() => decoder.feed(bytes("+OK\r\n?\r\n")), ProtocolError);
    assert.throws(() => decoder.feed(bytes("+OK\r\n")), ProtocolError);
    assert.throws(() => decoder.feed(new Uint8Array(0)), ProtocolError);
  });

  test("delivers the values before a malformed one, then throws", () => {
    const replies: RespValue[] = [];
    const decoder = new Decoder({ onReply: (v) => replies.push(v), onPush: () => {} });
    assert.throws(() => decoder.feed(bytes("+a\r\n:1\r\n$x\r\n+b\r\n")), ProtocolError);
    assert.deepStrictEqual(replies, ["a", 1]);
  });

  test("accepts a long run of attributes at one level: each is skipped, none is kept", () => {
    const input = "|1\r\n+k\r\n+v\r\n".repeat(5000) + ":1\r\n";
    assert.deepStrictEqual(decodeChunks([bytes(input)]).replies, [1]);
  });

  test("bounds an unterminated header line: 1 MB without LF throws instead of buffering it", () => {
    const decoder = new Decoder({ onReply: () => {}, onPush: () => {} });
    const chunk = bytes("*" + "0".repeat(1023));
    let threw: unknown;
    try {
      for (let k = 0; k < 1024; k++) {
        decoder.feed(chunk);
        assert.ok(decoder.pending < 64 * 1024);
      }
    } catch (err) {
      threw = err;
    }
    assert.ok(threw instanceof ProtocolError);
    assert.throws(() => decodeChunks([bytes("$" + "0".repeat(1 << 20))]), ProtocolError);
  });

  test("rejects a header line over 64 KB even when its CRLF is in the same chunk", () => {
    assert.throws(() => decodeChunks([bytes("*" + "0".repeat(64 * 1024) + "1\r\n:1\r\n")]), ProtocolError);
    assert.deepStrictEqual(decodeChunks([bytes("*" + "0".repeat(64 * 1024 - 4) + "1\r\n:1\r\n")]).replies, [[1]]);
  });
});
