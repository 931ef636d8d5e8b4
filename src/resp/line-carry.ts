/**
 * The unfinished header line a chunk ended in, carried over to the next chunk. It is the only input
 * the decoder joins across chunks (bulk payloads are copied into their own exact buffers), and it is
 * bounded by RESP_LIMITS.maxLineLength, so a peer that never sends CRLF cannot grow it.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { RESP_LIMITS } from "./limits.ts";

const { maxLineLength } = RESP_LIMITS;
const EMPTY = new Uint8Array(0);

/**
 * The error for a header line past the bound, with or without its CRLF.
 *
 * @example
 * ```ts
 * if (lf - start >= RESP_LIMITS.maxLineLength) throw lineTooLong();
 * ```
 */
export function lineTooLong(): ProtocolError {
  return new ProtocolError(`RESP header line longer than ${maxLineLength} bytes`);
}

/**
 * Holds the start of a line until its LF arrives.
 *
 * @example
 * ```ts
 * const carry = new LineCarry();
 * carry.keep(chunk1, 120, chunk1.length);  // "$12" at the end of one chunk
 * const line = carry.finish(chunk2, 2);    // "34\r\n" at the start of the next: line is "$1234\r\n"
 * ```
 */
export class LineCarry {
  #buf: Uint8Array = EMPTY;
  #length = 0;

  /** Bytes held. */
  get length(): number {
    return this.#length;
  }

  /** Keeps `buf[from..to]`, which holds no LF. Throws ProtocolError if the line is now past the bound. */
  keep(buf: Uint8Array, from: number, to: number): void {
    // With its LF still to come the line is at least one byte longer than what is held.
    if (this.#length + (to - from) >= maxLineLength) throw lineTooLong();
    this.#append(buf, from, to);
  }

  /**
   * Completes the line with `buf[0..lf]` and returns all of it, type byte through LF, leaving the
   * carry empty. The returned view is overwritten by the next carried line: parse it at once.
   */
  finish(buf: Uint8Array, lf: number): Uint8Array {
    if (this.#length + lf >= maxLineLength) throw lineTooLong();
    this.#append(buf, 0, lf + 1);
    const line = this.#buf.subarray(0, this.#length);
    this.#length = 0;
    return line;
  }

  /** Drops what is held and its buffer. */
  clear(): void {
    this.#buf = EMPTY;
    this.#length = 0;
  }

  #append(buf: Uint8Array, from: number, to: number): void {
    const need = this.#length + (to - from);
    if (need > this.#buf.length) {
      const grown = new Uint8Array(Math.max(need, Math.min(2 * this.#buf.length, maxLineLength), 64));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(buf.subarray(from, to), this.#length);
    this.#length = need;
  }
}
