/**
 * A bulk payload (`$`, `!`, `=`) that spans chunks. It is copied once, into a buffer of its exact
 * length allocated when its header arrives, so a 16 MB value in 64 KB chunks costs one allocation
 * and one copy of each byte, never a growing concatenation. The header's length is bounded by
 * RESP_LIMITS.maxBulkLength before it gets here.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { CR, LF } from "./bytes.ts";
import { excerpt } from "./scalars.ts";

/**
 * The error for a payload not followed by CRLF: its length was wrong, or the stream is corrupt.
 *
 * @example
 * ```ts
 * if (buf[stop] !== 13 || buf[stop + 1] !== 10) throw missingPayloadCrlf(buf, stop);
 * ```
 */
export function missingPayloadCrlf(buf: Uint8Array, at: number): ProtocolError {
  return new ProtocolError(`RESP bulk payload not followed by CRLF: found ${excerpt(buf, at, Math.min(buf.length, at + 2))}`);
}

/**
 * Fills one payload and checks its CRLF, across as many chunks as it takes.
 *
 * @example
 * ```ts
 * const bulk = new BulkPayload();
 * bulk.start(5);
 * let i = bulk.fill(chunk1, 4, chunk1.length);   // "hel"
 * i = bulk.fill(chunk2, 0, chunk2.length);       // "lo\r\n"
 * if (bulk.complete) handle(bulk.take());        // Uint8Array "hello", now owned by the caller
 * ```
 */
export class BulkPayload {
  #buf: Uint8Array | null = null;
  #filled = 0;
  #crlf = 0;

  /** Whether a payload is being filled. */
  get active(): boolean {
    return this.#buf !== null;
  }

  /** Whether the payload and its CRLF have all arrived. */
  get complete(): boolean {
    return this.#crlf === 2;
  }

  /** Payload bytes received so far. */
  get filled(): number {
    return this.#filled;
  }

  /** Begins a payload of `length` bytes. */
  start(length: number): void {
    this.#buf = new Uint8Array(length);
    this.#filled = 0;
    this.#crlf = 0;
  }

  /** Takes what it needs from `buf[i..end]`; returns the index after what it took. */
  fill(buf: Uint8Array, i: number, end: number): number {
    const payload = this.#buf!;
    const missing = payload.length - this.#filled;
    if (missing > 0) {
      const n = Math.min(missing, end - i);
      payload.set(buf.subarray(i, i + n), this.#filled);
      this.#filled += n;
      i += n;
      if (n < missing) return i;
    }
    for (; this.#crlf < 2 && i < end; this.#crlf++, i++) {
      if (buf[i] !== (this.#crlf === 0 ? CR : LF)) throw missingPayloadCrlf(buf, i);
    }
    return i;
  }

  /** Hands over the complete payload and resets. */
  take(): Uint8Array {
    const payload = this.#buf!;
    this.clear();
    return payload;
  }

  /** Drops the payload in progress. */
  clear(): void {
    this.#buf = null;
    this.#filled = 0;
    this.#crlf = 0;
  }
}
