import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { describe, test } from "../harness/runner.ts";
import { BytePool } from "../../src/resp/byte-pool.ts";
import { Decoder } from "../../src/resp/decode.ts";
import { FrameScanner } from "../../src/resp/frames.ts";
import type { RespValue } from "../../src/resp/types.ts";

// A Node or Bun socket hands the decoder Buffers, whose own `slice` is a view, not a copy. What the
// decoder returns or keeps must be a copy all the same: a view would change when a connector reuses
// its read buffer, and would pin the whole (64 KB) socket chunk for as long as the value lives.

const text = new TextEncoder();

/** `s` in a Buffer that is a view into a larger allocation, as a socket chunk is. */
function chunkOf(s: string): Buffer {
  const slab = Buffer.alloc(64 * 1024, 0x2e);
  const bytes = text.encode(s);
  slab.set(bytes, 100);
  return slab.subarray(100, 100 + bytes.length);
}

/** Whether `bytes` owns its memory alone, rather than pinning a larger buffer (a slab of its own of at most `slack` bytes is fine). */
const ownsItsBuffer = (bytes: Uint8Array, slack: number) => bytes.buffer.byteLength <= Math.max(bytes.byteLength, slack);

describe("copies of a Buffer chunk are copies", () => {
  test("BytePool.copy of a Buffer is a copy whatever its size: mutating the Buffer afterwards changes nothing", () => {
    const pool = new BytePool();
    for (const size of [10, 1024, 1025, 5000]) {
      const chunk = chunkOf("v".repeat(size));
      const copy = pool.copy(chunk, 0, size);
      chunk.fill(0x58);
      assert.deepStrictEqual(copy, text.encode("v".repeat(size)), `${size} bytes`);
      assert.notEqual(copy.buffer, chunk.buffer, `${size} bytes`);
      assert.ok(!Buffer.isBuffer(copy), `${size} bytes: a plain Uint8Array`);
    }
  });

  test("bytes-mode replies decoded from a Buffer the transport then reuses keep their values, and pin no chunk", () => {
    const replies: RespValue[] = [];
    const decoder = new Decoder({ onReply: (v) => void replies.push(v), onPush: () => {} }, { bytes: true });
    const small = "s".repeat(20);
    const large = "L".repeat(3000);
    const chunk = chunkOf(`$${small.length}\r\n${small}\r\n$${large.length}\r\n${large}\r\n+${large}\r\n`);
    decoder.feed(chunk);
    chunk.fill(0x58);
    assert.deepStrictEqual(replies, [text.encode(small), text.encode(large), text.encode(large)]);
    for (const value of replies.slice(1) as Uint8Array[]) assert.ok(ownsItsBuffer(value, 0), `a ${value.byteLength}-byte value pins a ${value.buffer.byteLength}-byte buffer`);
    assert.ok(ownsItsBuffer(replies[0] as Uint8Array, 16 * 1024), "a small value shares at most a 16 KB slab, not the chunk");
  });

  test("a chunk fed from inside a handler is kept as a copy until it is decoded", () => {
    const replies: RespValue[] = [];
    const later = chunkOf("+later\r\n");
    const decoder: Decoder = new Decoder({
      onReply: (v) => {
        replies.push(v);
        if (replies.length === 1) {
          decoder.feed(later);
          later.fill(0x58); // the transport reuses it before the decoder gets to it
        }
      },
      onPush: () => {},
    });
    decoder.feed(chunkOf("+first\r\n"));
    assert.deepStrictEqual(replies, ["first", "later"]);
  });

  test("a frame that spans Buffer chunks is whole and right after the transport reused them", () => {
    const frames: Uint8Array[] = [];
    const scanner = new FrameScanner({ onFrame: (buf, start, end) => void frames.push(buf.slice(start, end)), onRefused: (e) => assert.fail(e) });
    for (const part of ["*2\r\n$5\r\nhel", "lo\r\n:", "1\r\n"]) {
      const chunk = chunkOf(part);
      for (let i = 0; i < chunk.length; ) i = scanner.scan(chunk, i);
      chunk.fill(0x58);
    }
    assert.deepStrictEqual(frames, [text.encode("*2\r\n$5\r\nhello\r\n:1\r\n")]);
  });
});
