import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { CommandEncoder, encodeCommand } from "../../src/resp/encode.ts";
import { validateCommand } from "../../src/resp/validate.ts";
import type { Arg, RespValue } from "../../src/resp/types.ts";
import { decodeChunks, int, mulberry32, pick, resp, type Rng } from "./resp-support.ts";

const text = new TextEncoder();
const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join("");

/** The bytes Redis should receive for one argument, computed the obvious (slow) way. */
function argBytes(a: Arg): Uint8Array {
  if (a instanceof Uint8Array) return a;
  if (typeof a === "number") return text.encode(a === Infinity ? "+inf" : a === -Infinity ? "-inf" : String(a));
  return text.encode(typeof a === "bigint" ? a.toString() : a);
}

/** A reference encoding of a command, built piece by piece. */
function reference(args: Arg[]): Uint8Array {
  return resp(`*${args.length}\r\n`, ...args.flatMap((a) => {
    const payload = argBytes(a);
    return [`$${payload.length}\r\n`, payload, "\r\n"];
  }));
}

describe("CommandEncoder", () => {
  test("encodes a command as a RESP array of bulk strings", () => {
    assert.equal(latin1(encodeCommand(["SET", "key", "value"])), "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n");
    assert.equal(latin1(encodeCommand(["PING"])), "*1\r\n$4\r\nPING\r\n");
    assert.equal(latin1(encodeCommand(["SET", "k", ""])), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  });

  test("encodes numbers in decimal, ±Infinity as +inf/-inf and -0 as 0", () => {
    const args: Arg[] = ["ZADD", 0, -0, 7, -42, 1.5, -0.125, 1e21, 5e-324, 2 ** 53, -(2 ** 60), Infinity, -Infinity];
    const expected = ["ZADD", "0", "0", "7", "-42", "1.5", "-0.125", "1e+21", "5e-324", "9007199254740992", "-1152921504606847000", "+inf", "-inf"];
    assert.deepStrictEqual(decodeChunks([encodeCommand(args)]).replies, [expected]);
  });

  test("encodes bigints in decimal", () => {
    assert.deepStrictEqual(decodeChunks([encodeCommand(["INCRBY", "k", 2n ** 70n, -5n, 0n])]).replies, [
      ["INCRBY", "k", "1180591620717411303424", "-5", "0"],
    ]);
  });

  test("sends Uint8Array arguments byte for byte, CR, LF and NUL included", () => {
    const blob = new Uint8Array([0, 13, 10, 255, 36, 42]);
    assert.equal(latin1(encodeCommand(["SET", blob, new Uint8Array(0)])), "*3\r\n$3\r\nSET\r\n$6\r\n\0\r\n\xff$*\r\n$0\r\n\r\n");
  });

  test("counts UTF-8 bytes, not UTF-16 units, in bulk lengths, across every digit boundary", () => {
    const encoder = new CommandEncoder();
    for (const unit of ["é", "€", "😀", "a€"]) {
      for (const count of [1, 3, 4, 5, 9, 10, 24, 25, 33, 34, 49, 50, 99, 100, 333, 334, 1000, 3333, 3334]) {
        const s = unit.repeat(count);
        encoder.encode(["SET", s, `k${s}`]);
        assert.deepStrictEqual(encoder.take(), reference(["SET", s, `k${s}`]), `${JSON.stringify(unit)} x ${count}`);
      }
    }
  });

  test("encodes strings of 64K units and more with their exact UTF-8 length", () => {
    for (const s of ["x".repeat(70_000), "€".repeat(70_000), "a😀\uD800".repeat(30_000), "é".repeat(1 << 20)]) {
      assert.deepStrictEqual(encodeCommand(["SET", s]), reference(["SET", s]));
    }
  });

  test("encodes a lone surrogate as U+FFFD, with the length to match", () => {
    assert.equal(latin1(encodeCommand(["\uD800"])), "*1\r\n$3\r\n\xef\xbf\xbd\r\n");
    assert.equal(latin1(encodeCommand(["a\uDC00b"])), "*1\r\n$5\r\na\xef\xbf\xbdb\r\n");
  });

  test("rejects an empty command with a TypeError", () => {
    assert.throws(() => encodeCommand([]), TypeError);
    const encoder = new CommandEncoder();
    assert.throws(() => encoder.encode([]), /empty command/);
    assert.equal(encoder.length, 0);
  });

  test("throws a TypeError naming the bad argument's index and type, and appends nothing", () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /undefined/],
      [null, /null/],
      [{}, /an object/],
      [[], /an array/],
      [true, /boolean \(true\)/],
      [Symbol("s"), /symbol/],
      [NaN, /NaN/],
      [() => 1, /function/],
      [new Uint16Array(2), /Uint16Array/],
      [new Date(0), /Date/],
    ];
    for (const [value, type] of bad) {
      const encoder = new CommandEncoder();
      encoder.encode(["GET", "before"]);
      const length = encoder.length;
      assert.throws(
        () => encoder.encode(["SET", "k", "v", value as Arg, "tail"]),
        (err: unknown) => err instanceof TypeError && /argument 3\b/.test(err.message) && /"SET"/.test(err.message) && type.test(err.message),
        `no TypeError naming argument 3 as ${type}`,
      );
      assert.equal(encoder.length, length, "bytes appended by a failed encode");
      encoder.encode(["GET", "after"]);
      assert.deepStrictEqual(decodeChunks([encoder.take()]).replies, [["GET", "before"], ["GET", "after"]]);
    }
    assert.throws(() => encodeCommand([undefined as unknown as Arg]), /argument 0: got undefined/);
  });

  test("validateCommand throws the same TypeError as encode, and accepts what encode accepts", () => {
    validateCommand(["SET", "k", 1, 2n, new Uint8Array(1), Infinity]);
    for (const args of [[], ["SET", "k", undefined], ["ZADD", "z", NaN, "m"], [null]] as unknown as Arg[][]) {
      let expected: unknown;
      try {
        new CommandEncoder().encode(args);
      } catch (err) {
        expected = err;
      }
      assert.ok(expected instanceof TypeError);
      assert.throws(() => validateCommand(args), { name: "TypeError", message: expected.message });
    }
  });

  test("take() returns what was appended since the last take() and resets length", () => {
    const encoder = new CommandEncoder();
    assert.equal(encoder.take().length, 0);
    encoder.encode(["PING"]);
    encoder.encode(["ECHO", "hi"]);
    assert.equal(encoder.length, 36);
    assert.equal(latin1(encoder.take()), "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n");
    assert.equal(encoder.length, 0);
    assert.equal(encoder.take().length, 0);
    encoder.encode(["PING"]);
    assert.equal(latin1(encoder.take()), "*1\r\n$4\r\nPING\r\n");
  });

  test("takeTransferable() gives bytes a buffer of their own: a big value's slab as it is, a few bytes copied out", () => {
    const encoder = new CommandEncoder();
    const big = new Uint8Array(1024 * 1024).fill(7);
    encoder.encode(["SET", "k", big]);
    const length = encoder.length;
    const handed = encoder.takeTransferable();
    assert.equal(handed.byteOffset, 0, "the big value's slab, handed over");
    assert.equal(handed.length, length);
    assert.deepStrictEqual(handed.subarray(handed.length - 2 - big.length, handed.length - 2), big);
    encoder.encode(["PING"]);
    const small = encoder.takeTransferable();
    assert.equal(latin1(small), "*1\r\n$4\r\nPING\r\n");
    assert.equal(small.buffer.byteLength, small.length, "a few bytes, copied into an exact buffer");
    structuredClone(handed, { transfer: [handed.buffer as ArrayBuffer] }); // detaches it: the encoder must not write there again
    encoder.encode(["ECHO", "after"]);
    assert.equal(latin1(encoder.take()), "*2\r\n$4\r\nECHO\r\n$5\r\nafter\r\n");
  });

  test("never writes into an array it returned from take()", () => {
    const encoder = new CommandEncoder({ slabSize: 1024 });
    const taken: [Uint8Array, Uint8Array][] = [];
    for (let round = 0; round < 200; round++) {
      for (let k = 0; k <= round % 7; k++) encoder.encode(["SET", `key:${round}:${k}`, "v".repeat(round * 13)]);
      const out = encoder.take();
      taken.push([out, out.slice()]);
    }
    encoder.encode(["SET", "huge", new Uint8Array(3 << 20)]); // bigger than any slab so far
    encoder.take();
    for (const [out, copy] of taken) assert.deepStrictEqual(out, copy);
  });

  test("grows past its slab for a command larger than the slab, and for many commands between takes", () => {
    const encoder = new CommandEncoder({ slabSize: 64 });
    const blob = new Uint8Array(200_000).map((_, i) => i % 251);
    encoder.encode(["SET", "blob", blob]);
    for (let k = 0; k < 1000; k++) encoder.encode(["INCR", `counter:${k}`]);
    const [first, ...rest] = decodeChunks([encoder.take()], { bytes: true }).replies as Uint8Array[][];
    assert.deepStrictEqual(first![2], blob);
    assert.equal(rest.length, 1000);
    assert.deepStrictEqual(rest[999], [text.encode("INCR"), text.encode("counter:999")]);
  });

  test("encodeCommand produces the same bytes as CommandEncoder", () => {
    const args: Arg[] = ["HSET", "h", "f", 1.25, 10n, new Uint8Array([1, 2]), "ü"];
    const encoder = new CommandEncoder();
    encoder.encode(args);
    assert.deepStrictEqual(encodeCommand(args), encoder.take());
  });

  test("round-trips 2,000 random commands through the decoder", () => {
    const rng = mulberry32(0xc0ffee);
    const randomArg = (r: Rng): Arg => {
      switch (int(r, 5)) {
        case 0: return pick(r, ["", "GET", "key:1", "a\r\nb", "é", "€uro", "😀", "\uFEFFbom", "x".repeat(int(r, 300))]);
        case 1: return pick(r, [0, -1, 3.75, 1e-7, 2 ** 53 + 2, Infinity, -Infinity, int(r, 1e9)]);
        case 2: return pick(r, [0n, -(2n ** 80n), 12345678901234567890n]);
        case 3: return new Uint8Array(int(r, 100)).map(() => int(r, 256));
        default: return "€a".repeat(int(r, 40));
      }
    };
    const commands = Array.from({ length: 2000 }, () => Array.from({ length: 1 + int(rng, 6) }, () => randomArg(rng)));
    const encoder = new CommandEncoder({ slabSize: 4096 });
    const chunks: Uint8Array[] = [];
    for (const [k, command] of commands.entries()) {
      encoder.encode(command);
      if (k % 37 === 0) chunks.push(encoder.take());
    }
    chunks.push(encoder.take());
    const decoded = decodeChunks(chunks, { bytes: true }).replies;
    const expected: RespValue[] = commands.map((command) => command.map(argBytes));
    assert.deepStrictEqual(decoded, expected);
  });
});
