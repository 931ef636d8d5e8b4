/**
 * The unfinished line a chunk ended in, carried over to the next chunk. It is the only input the
 * decoder joins across chunks (bulk payloads are copied into their own exact buffers). Its callers
 * bound it before each `keep`, with {@link lineWithin}: a header line by RESP_LIMITS.maxLineLength,
 * a one-line value (a status or error reply) by maxBulkLength, like any string.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { isLineValue } from "./bytes.ts";
import { RESP_LIMITS } from "./limits.ts";

const { maxLineLength, maxBulkLength } = RESP_LIMITS;
/** The longest line a caller lets through: a one-line value of maxBulkLength bytes, its type byte and CRLF. */
const MAX_HELD = maxBulkLength + 3;
const EMPTY = new Uint8Array(0);

/**
 * The error for a header line past RESP_LIMITS.maxLineLength, with or without its CRLF: no Redis
 * sends one, so the stream is malformed.
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
 * Whether a line of `length` bytes (type byte through LF, or what it comes to at least) that
 * starts with `type` is within its bound: a header line's is maxLineLength, and past it the input
 * is malformed (throws {@link lineTooLong}); a one-line value's is a string's, and past it the
 * value is refused (false).
 *
 * @example
 * ```ts
 * if (!lineWithin(carry.type ?? buf[from]!, carry.length + (end - from) + 1)) refuse();
 * ```
 */
export function lineWithin(type: number, length: number): boolean {
  if (isLineValue(type)) return length <= MAX_HELD;
  if (length > maxLineLength) throw lineTooLong();
  return true;
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

  /** The line's type byte, when some of it is held. */
  get type(): number | undefined {
    return this.#length > 0 ? this.#buf[0] : undefined;
  }

  /** Keeps `buf[from..to]`, which holds no LF. */
  keep(buf: Uint8Array, from: number, to: number): void {
    this.#append(buf, from, to);
  }

  /**
   * Completes the line with `buf[0..lf]` and returns all of it, type byte through LF, leaving the
   * carry empty. The returned view is overwritten by the next carried line: parse it at once.
   */
  finish(buf: Uint8Array, lf: number): Uint8Array {
    this.#append(buf, 0, lf + 1);
    return this.take();
  }

  /** Returns what is held (a view, valid until the next `keep`) and empties the carry. */
  take(): Uint8Array {
    const line = this.#buf.subarray(0, this.#length);
    this.#length = 0;
    // A long status or error line grew the buffer past what headers need: let it go with the line.
    if (this.#buf.length > maxLineLength) this.#buf = EMPTY;
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
      const grown = new Uint8Array(Math.max(need, Math.min(2 * this.#buf.length, MAX_HELD), 64));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    this.#buf.set(buf.subarray(from, to), this.#length);
    this.#length = need;
  }
}
