/**
 * Finds where a top-level RESP value ends without building it, for replies that are forwarded as
 * bytes (a worker thread decodes them itself; see `worker/raw.ts`), and for the rest of a reply the
 * decoder refused (see `limits.ts`). One counter is the whole state of an aggregate: items still
 * to come, at any depth, so no nesting costs memory here. The framing is checked as the decoder
 * checks it (CRLFs, lengths, type bytes), so a reply that would desync the stream fails here, on
 * the connection that received it; what a line holds (an integer's digits) and how deep values
 * nest is checked by whoever decodes the frame.
 * @module
 */
import { ProtocolError, type LimitError } from "../errors.ts";
import { missingPayloadCrlf } from "./bulk-payload.ts";
import { ARRAY, ATTRIBUTE, BULK_ERROR, BULK_STRING, copyOf, CR, isLineValue, LF, MAP, PUSH, SET, VERBATIM_STRING } from "./bytes.ts";
import { refusedReply, RESP_LIMITS } from "./limits.ts";
import { LineCarry, lineTooLong } from "./line-carry.ts";
import { excerpt, parseLength } from "./scalars.ts";

const { maxBulkLength, maxAggregateLength, maxLineLength } = RESP_LIMITS;

/**
 * What a {@link FrameScanner} reports, once per top-level value.
 *
 * @example
 * ```ts
 * const handlers: FrameHandlers = {
 *   onFrame: (buf, start, end) => forward(buf.subarray(start, end)),
 *   onRefused: (error) => failTheCommand(error),
 * };
 * ```
 */
export interface FrameHandlers {
  /** A whole value is `buf[start..end]`; the view is only valid during the call. */
  onFrame(buf: Uint8Array, start: number, end: number): void;
  /** A value past a bound of RESP_LIMITS (`error` says which) was read to its end and dropped. */
  onRefused(error: LimitError): void;
}

/**
 * Scans one top-level value at a time, across chunks.
 *
 * @example
 * ```ts
 * const frames = new FrameScanner({ onFrame: (buf, start, end) => forward(buf.subarray(start, end)), onRefused: fail });
 * let i = frames.scan(chunk, 0); // index after the value, or chunk.length if it continues in the next chunk
 * ```
 */
export class FrameScanner {
  /** Items (values, or a bulk payload) still to come in the value being scanned; 0 between values. */
  #items = 0;
  /** Payload bytes (with their CRLF) still to skip. */
  #skip = 0;
  /**
   * Bytes of a one-line value seen in earlier chunks (0: not in one). Such a line is never carried,
   * however long: only where it ends matters here.
   */
  #lineLength = 0;
  /** Whether the last of those bytes was a CR. */
  #lineCr = false;
  /** Bytes of a value that spans chunks, copied, in order (none while refusing). */
  #parts: Uint8Array[] = [];
  /** Why the value being scanned is dropped instead of framed, if it is. */
  #refused: LimitError | null = null;
  readonly #carry = new LineCarry();
  readonly #handlers: FrameHandlers;

  constructor(handlers: FrameHandlers) {
    this.#handlers = handlers;
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
   * the value once it is complete (having called a handler), or `buf.length` when it continues.
   */
  scan(buf: Uint8Array, i: number): number {
    const end = buf.length;
    const start = i;
    if (!this.active) this.#items = 1;
    while (i < end) {
      if (this.#skip > 0) i = this.#skipPayload(buf, i, end);
      else if (this.#lineLength > 0 || (this.#carry.length === 0 && isLineValue(buf[i]!))) i = this.#lineValue(buf, i, end);
      else i = this.#headerLine(buf, i, end);
      if (this.#items === 0 && this.#skip === 0) return this.#complete(buf, start, i);
    }
    if (this.#refused === null) this.#parts.push(copyOf(buf, start, end));
    return end;
  }

  /**
   * Read past the rest of a value whose decoding stopped at a bound: `items` values still to come,
   * each from its first byte (the next `scan` starts at one). `onRefused(error)` is called when it ends.
   */
  refuse(error: LimitError, items: number): void {
    this.#refused = error;
    this.#parts = [];
    this.#items = items;
  }

  /** Forget a partly scanned value (the connection is gone). */
  clear(): void {
    this.#items = this.#skip = this.#lineLength = 0;
    this.#parts = [];
    this.#refused = null;
    this.#carry.clear();
  }

  #complete(buf: Uint8Array, start: number, end: number): number {
    const refused = this.#refused;
    if (refused !== null) {
      this.#refused = null;
      this.#handlers.onRefused(refused);
    } else if (this.#parts.length === 0) {
      this.#handlers.onFrame(buf, start, end);
    } else {
      this.#parts.push(buf.subarray(start, end));
      const whole = join(this.#parts);
      this.#parts = [];
      this.#handlers.onFrame(whole, 0, whole.length);
    }
    return end;
  }

  #skipPayload(buf: Uint8Array, i: number, end: number): number {
    const n = Math.min(this.#skip, end - i);
    // The payload's CRLF may itself be split: check whichever of its two bytes are here.
    const cr = this.#skip - 2;
    if (cr >= 0 && cr < n && buf[i + cr] !== CR) throw missingPayloadCrlf(buf, i + cr);
    if (cr + 1 < n && buf[i + cr + 1] !== LF) throw missingPayloadCrlf(buf, i + cr + 1);
    this.#skip -= n;
    return i + n;
  }

  /** A one-line value (`+ - : _ # , (`) starts or continues at `buf[i]`: find its end. */
  #lineValue(buf: Uint8Array, i: number, end: number): number {
    const lf = buf.indexOf(LF, i);
    const stop = lf < 0 ? end : lf;
    const length = this.#lineLength + (stop - i); // type byte, text, and CR if it came
    // Past the type byte and CR, the text is longer than any string may be.
    if (length > maxBulkLength + 2 && this.#refused === null) this.#refuse(refusedReply("maxBulkLength", `a line longer than ${maxBulkLength} bytes`));
    const cr = stop > i ? buf[stop - 1] === CR : this.#lineCr;
    if (lf < 0) {
      this.#lineLength = length;
      this.#lineCr = cr;
      return end;
    }
    if (!cr) throw new ProtocolError(`RESP line not terminated by CRLF: ${excerpt(buf, Math.max(i, lf - 40), lf + 1)}`);
    this.#lineLength = 0;
    this.#items--;
    return lf + 1;
  }

  /** A header line (`$ * % ~ > | ! =`) starts or continues at `buf[i]`; returns the index after what it took. */
  #headerLine(buf: Uint8Array, i: number, end: number): number {
    const lf = buf.indexOf(LF, i);
    const held = this.#carry.length;
    // With its LF still to come the line is at least one byte longer than what is here.
    if (held + (lf < 0 ? end : lf) - i + 1 > maxLineLength) throw lineTooLong();
    if (lf < 0) {
      this.#carry.keep(buf, i, end);
      return end;
    }
    if (held > 0) {
      const line = this.#carry.finish(buf, lf);
      this.#header(line, 0, line.length - 1);
    } else this.#header(buf, i, lf);
    return lf + 1;
  }

  /** One complete header line `line[i..lf]` (type byte through LF): one item arrived, announcing more. */
  #header(line: Uint8Array, i: number, lf: number): void {
    const cr = lf - 1;
    if (cr <= i || line[cr] !== CR) throw new ProtocolError(`RESP line not terminated by CRLF: ${excerpt(line, i, lf + 1)}`);
    this.#items--;
    const start = i + 1;
    const type = line[i]!;
    switch (type) {
      case BULK_STRING:
      case BULK_ERROR:
      case VERBATIM_STRING: {
        const length = parseLength(line, start, cr, Number.MAX_SAFE_INTEGER, type === BULK_STRING);
        if (length > maxBulkLength && this.#refused === null) this.#refuse(refusedReply("maxBulkLength", `a string of ${length} bytes`));
        if (length >= 0) this.#skip = length + 2;
        return;
      }
      case ARRAY:
      case PUSH:
      case SET:
        return this.#announce(parseLength(line, start, cr, Number.MAX_SAFE_INTEGER, type === ARRAY), 1, 0);
      case MAP:
        return this.#announce(parseLength(line, start, cr, Number.MAX_SAFE_INTEGER, false), 2, 0);
      case ATTRIBUTE: // its pairs, then the value it annotates
        return this.#announce(parseLength(line, start, cr, Number.MAX_SAFE_INTEGER, false), 2, 1);
      default:
        throw new ProtocolError(`Unknown RESP type byte 0x${type.toString(16).padStart(2, "0")} in ${excerpt(line, i, lf + 1)}`);
    }
  }

  /** An aggregate of `count` elements (or pairs) arrived: `count * per + extra` items follow. */
  #announce(count: number, per: number, extra: number): void {
    if (count > maxAggregateLength && this.#refused === null) this.#refuse(refusedReply("maxAggregateLength", `an aggregate of ${count} elements`));
    if (count > 0) this.#items += count * per + extra;
    else this.#items += extra;
  }

  /** The value being scanned is past a bound: drop what is held of it and keep no more. */
  #refuse(error: LimitError): void {
    this.#refused = error;
    this.#parts = [];
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
