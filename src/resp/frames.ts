/**
 * Finds where a top-level RESP value ends without building it, for replies that are forwarded as
 * bytes (a worker thread decodes them itself; see `worker/raw.ts`). One counter is the whole
 * state of an aggregate: items still to come, at any depth. The framing is checked as the decoder
 * checks it (CRLFs, lengths and their limits, type bytes), so a reply that would desync the stream
 * fails here, on the connection that received it; what a line holds (an integer's digits, the
 * nesting depth) is checked by whoever decodes the frame.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { missingPayloadCrlf } from "./bulk-payload.ts";
import {
  ARRAY, ATTRIBUTE, BIG_NUMBER, BOOLEAN, BULK_ERROR, BULK_STRING, CR, DOUBLE, INTEGER, LF, MAP, NULL, PUSH, SET, SIMPLE_ERROR,
  SIMPLE_STRING, VERBATIM_STRING,
} from "./bytes.ts";
import { RESP_LIMITS } from "./limits.ts";
import { LineCarry, lineTooLong } from "./line-carry.ts";
import { excerpt, parseLength } from "./scalars.ts";

const { maxBulkLength, maxAggregateLength, maxLineLength } = RESP_LIMITS;

/**
 * Scans one top-level value at a time, across chunks.
 *
 * @example
 * ```ts
 * const frames = new FrameScanner((buf, start, end) => forward(buf.subarray(start, end)));
 * let i = frames.scan(chunk, 0); // index after the value, or chunk.length if it continues in the next chunk
 * ```
 */
export class FrameScanner {
  /** Items (values, or a bulk payload) still to come in the value being scanned; 0 between values. */
  #items = 0;
  /** Payload bytes (with their CRLF) still to skip. */
  #skip = 0;
  /** Bytes of a value that spans chunks, copied, in order. */
  #parts: Uint8Array[] = [];
  readonly #carry = new LineCarry();
  readonly #onFrame: (buf: Uint8Array, start: number, end: number) => void;

  /** `onFrame(buf, start, end)`: a whole value is `buf[start..end]`; the view is only valid during the call. */
  constructor(onFrame: (buf: Uint8Array, start: number, end: number) => void) {
    this.#onFrame = onFrame;
  }

  /** Bytes held of a value that spans chunks. */
  get pending(): number {
    let bytes = 0;
    for (const part of this.#parts) bytes += part.length;
    return bytes;
  }

  /** Whether a value is partly scanned (its next bytes must come to {@link FrameScanner.scan}). */
  get active(): boolean {
    return this.#items > 0 || this.#skip > 0;
  }

  /**
   * Scan from `buf[i]`, which starts a value or continues the active one. Returns the index after
   * the value once it is complete (having called `onFrame`), or `buf.length` when it continues.
   */
  scan(buf: Uint8Array, i: number): number {
    const end = buf.length;
    const start = i;
    if (!this.active) this.#items = 1;
    while (true) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, end - i);
        // The payload's CRLF may itself be split: check whichever of its two bytes are here.
        const cr = this.#skip - 2;
        if (cr >= 0 && cr < n && buf[i + cr] !== CR) throw missingPayloadCrlf(buf, i + cr);
        if (cr + 1 < n && buf[i + cr + 1] !== LF) throw missingPayloadCrlf(buf, i + cr + 1);
        i += n;
        this.#skip -= n;
        if (this.#skip > 0) break;
      } else {
        const lf = buf.indexOf(LF, i);
        if (lf < 0) {
          this.#carry.keep(buf, i, end);
          i = end;
          break;
        }
        if (this.#carry.length > 0) {
          const line = this.#carry.finish(buf, lf);
          this.#header(line, 0, line.length - 1);
        } else this.#header(buf, i, lf);
        i = lf + 1;
      }
      if (this.#items === 0 && this.#skip === 0) return this.#complete(buf, start, i);
    }
    this.#parts.push(buf.slice(start, end));
    return end;
  }

  /** Forget a partly scanned value (the connection is gone). */
  clear(): void {
    this.#items = this.#skip = 0;
    this.#parts = [];
    this.#carry.clear();
  }

  #complete(buf: Uint8Array, start: number, end: number): number {
    if (this.#parts.length === 0) {
      this.#onFrame(buf, start, end);
      return end;
    }
    this.#parts.push(buf.subarray(start, end));
    const whole = join(this.#parts);
    this.#parts = [];
    this.#onFrame(whole, 0, whole.length);
    return end;
  }

  /** One header line `line[i..lf]` (type byte through LF): one item arrived, maybe announcing more. */
  #header(line: Uint8Array, i: number, lf: number): void {
    if (lf - i >= maxLineLength) throw lineTooLong();
    const cr = lf - 1;
    if (cr <= i || line[cr] !== CR) throw new ProtocolError(`RESP line not terminated by CRLF: ${excerpt(line, i, lf + 1)}`);
    this.#items--;
    const start = i + 1;
    switch (line[i]) {
      case BULK_STRING:
      case BULK_ERROR:
      case VERBATIM_STRING: {
        const length = parseLength(line, start, cr, maxBulkLength, line[i] === BULK_STRING);
        if (length >= 0) this.#skip = length + 2;
        return;
      }
      case ARRAY:
      case PUSH:
      case SET: {
        const count = parseLength(line, start, cr, maxAggregateLength, line[i] === ARRAY);
        if (count > 0) this.#items += count;
        return;
      }
      case MAP:
        this.#items += 2 * parseLength(line, start, cr, maxAggregateLength, false);
        return;
      case ATTRIBUTE: // its pairs, then the value it annotates
        this.#items += 2 * parseLength(line, start, cr, maxAggregateLength, false) + 1;
        return;
      case SIMPLE_STRING: case SIMPLE_ERROR: case INTEGER: case NULL: case BOOLEAN: case DOUBLE: case BIG_NUMBER:
        return;
      default:
        throw new ProtocolError(`Unknown RESP type byte 0x${line[i]!.toString(16).padStart(2, "0")} in ${excerpt(line, i, lf + 1)}`);
    }
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
