/**
 * Streaming RESP2/RESP3 decoder: a pure state machine that takes chunks as the socket delivers them
 * and calls back once per complete top-level value.
 *
 * How it stays linear and copies little (see DESIGN.md, "Speed without runtime APIs"):
 * - Aggregates in progress live on an explicit stack of frames, so a 100k-element array arriving in
 *   many chunks is never re-parsed from its start; only an unfinished line or bulk payload is resumed.
 * - A header line that is complete in the chunk is parsed in place. Only the unfinished tail of a
 *   line is kept and joined with the next chunk.
 * - A bulk payload that is whole in the chunk is decoded straight from it; one that spans chunks is
 *   copied once into a buffer of its exact length, which bytes mode then hands out as is.
 * - Strings are made with `TextDecoder.decode` over whole slices, never char by char.
 * - The decoder keeps no reference to a chunk after `feed` returns, so a transport may reuse it.
 * - A reply past a bound Redis can reach (see `limits.ts`) is not built: a {@link FrameScanner} reads
 *   past the rest of it, and the reply's command alone fails.
 *
 * This file is the parsing; the handlers it delivers to, and the calls into them, are in
 * `delivery.ts`.
 * @module
 */
import { type LimitError, ProtocolError, RedisError } from "../errors.ts";
import { AggregateStack, type AggregateKind } from "./aggregates.ts";
import { BulkPayload, missingPayloadCrlf } from "./bulk-payload.ts";
import {
  ARRAY, ATTRIBUTE, BIG_NUMBER, BOOLEAN, BULK_ERROR, BULK_STRING, CR, DOUBLE, INTEGER, LF, MAP, NULL, PUSH, SET, SIMPLE_ERROR,
  SIMPLE_STRING, VERBATIM_STRING, copyOf,
} from "./bytes.ts";
import { BytePool } from "./byte-pool.ts";
import { Delivery, type DecoderHandlers } from "./delivery.ts";
import { FrameScanner } from "./frames.ts";
import { refusedReply, RESP_LIMITS } from "./limits.ts";
import { LineCarry, lineWithin } from "./line-carry.ts";
import { excerpt, parseBigNumber, parseBoolean, parseDouble, parseInteger, parseLength, utf8 } from "./scalars.ts";
import type { RespValue } from "./types.ts";

const COLON = 58;
/** What `#header` returns when the line's value is refused: the frame scanner reads on from the line's start. */
const REFUSED = -2;

const { maxBulkLength, maxAggregateLength, maxLineLength, maxDepth } = RESP_LIMITS;

/**
 * Initial string modes of a {@link Decoder}.
 *
 * @example
 * ```ts
 * const options: DecoderOptions = { bytes: false, pushBytes: true }; // replies as strings, pushes as bytes
 * ```
 */
export interface DecoderOptions {
  /** Initial value of `Decoder.bytes` (default false: strings). */
  bytes?: boolean;
  /** Initial value of `Decoder.pushBytes` (default: the `bytes` option). */
  pushBytes?: boolean;
}

/**
 * Streaming decoder for RESP2 and RESP3 replies.
 *
 * String modes: `bytes` decides whether bulk, simple and verbatim strings of the next top-level reply
 * are `string` (UTF-8) or `Uint8Array`. It is read when a top-level value starts, so a connection can
 * set it inside `onReply` for the reply after. A top-level push uses `pushBytes` instead: pushes arrive
 * between replies, and must not take the mode meant for whichever command happens to be next. Error
 * messages are always strings. A small bytes-mode value may be a view into a slab shared with other
 * values (as Node's pooled byte arrays are): use its `byteOffset`/`byteLength` if you touch `.buffer`.
 *
 * Failure: a reply past a bound goes to `onLimit` (see `limits.ts`); malformed input throws {@link ProtocolError}; from then on the decoder is dead and every
 * `feed` throws a ProtocolError. If a handler throws, its error propagates from `feed` unchanged and
 * the decoder is likewise dead (the rest of that chunk is lost). A handler may call `feed` itself
 * (a synchronous in-memory socket); that chunk is decoded after the current one, in order.
 *
 * @example
 * ```ts
 * const decoder = new Decoder({ onReply: (v) => console.log(v), onPush: (p) => console.log("push", p) });
 * decoder.feed(new TextEncoder().encode("*2\r\n$3\r\nfoo\r\n:4"));
 * decoder.feed(new TextEncoder().encode("2\r\n>2\r\n+message\r\n+hi\r\n")); // logs ["foo", 42], then push
 * ```
 */
export class Decoder {
  /** String mode of the next top-level reply: false = `string` (UTF-8), true = `Uint8Array`. */
  bytes: boolean;
  /** String mode of the next top-level push. */
  pushBytes: boolean;
  /**
   * Hand the next top-level reply to `onFrame` as its bytes, unparsed. Pushes are still decoded:
   * one is told by its `>` type byte (a push preceded by an attribute, which no Redis sends, would
   * be taken for a reply). Read when a reply starts, like `bytes`.
   */
  raw = false;

  readonly #delivery: Delivery;
  /** Mode of the top-level value being decoded, fixed when it started. */
  #asBytes = false;
  readonly #aggregates: AggregateStack;
  readonly #carry = new LineCarry();
  readonly #bulk = new BulkPayload();
  /** Which type of bulk (`$`, `!`, `=`) the last bulk header announced. */
  #bulkType = BULK_STRING;
  readonly #pool = new BytePool();
  #frames: FrameScanner | undefined;
  #failure: ProtocolError | null = null;
  #feeding = false;
  #queued: Uint8Array[] = [];

  constructor(handlers: DecoderHandlers, options: DecoderOptions = {}) {
    const delivery = (this.#delivery = new Delivery(handlers));
    this.#aggregates = new AggregateStack((value, push) => delivery.deliver(value, push));
    this.bytes = options.bytes ?? false;
    this.pushBytes = options.pushBytes ?? this.bytes;
  }

  /** Number of bytes buffered for an incomplete value: an unfinished header line or bulk payload, or a raw reply's start. */
  get pending(): number {
    return this.#carry.length + this.#bulk.filled + (this.#frames?.pending ?? 0);
  }

  /** Feed a chunk (any size, split anywhere). Calls the handlers synchronously for each completed value. */
  feed(chunk: Uint8Array): void {
    if (this.#failure !== null) {
      throw new ProtocolError(`Decoder is unusable after an earlier error: ${this.#failure.message}`, { cause: this.#failure });
    }
    if (this.#feeding) {
      this.#queued.push(copyOf(chunk, 0, chunk.length));
      return;
    }
    this.#feeding = true;
    try {
      this.#run(chunk);
      for (let k = 0; k < this.#queued.length; k++) this.#run(this.#queued[k]!);
      this.#queued = [];
    } catch (err) {
      throw this.#fail(err);
    } finally {
      this.#feeding = false;
    }
  }

  #fail(err: unknown): unknown {
    const delivery = this.#delivery;
    const fromHandler = delivery.inHandler;
    delivery.inHandler = false;
    this.#carry.clear();
    this.#bulk.clear();
    this.#aggregates.clear();
    this.#frames?.clear();
    delivery.refusedPush = false;
    this.#queued = [];
    if (fromHandler) {
      this.#failure = new ProtocolError("Decoder stopped because a reply handler threw", { cause: err });
      return err;
    }
    // Only ProtocolError may escape; anything else (an allocation failure) is wrapped, with the original as cause.
    this.#failure = err instanceof ProtocolError ? err : new ProtocolError(`Decoder failed: ${String(err)}`, { cause: err });
    return this.#failure;
  }

  #run(buf: Uint8Array): void {
    const end = buf.length;
    let i = 0;
    if (this.#bulk.active) i = this.#fillBulk(buf, 0, end);
    else if (this.#carry.length > 0) i = this.#finishLine(buf, end);
    while (i < end) {
      if (this.#frames?.active || (this.raw && this.#aggregates.depth === 0 && buf[i] !== PUSH)) {
        i = this.#scanner().scan(buf, i);
        continue;
      }
      const lf = buf.indexOf(LF, i);
      if (lf < 0) {
        i = this.#keepLine(buf, i, end);
        continue;
      }
      const length = this.#header(buf, i, lf);
      if (length === REFUSED) continue; // the scanner reads on from the line's start
      i = length < 0 ? lf + 1 : this.#payload(buf, lf + 1, end, length);
    }
  }

  /**
   * The line held in the carry (if any) continues with `buf[from..end]`, which holds no LF: keep
   * it and return `end`, or, if that takes a one-line value past its bound, refuse it.
   */
  #keepLine(buf: Uint8Array, from: number, end: number): number {
    // With its LF still to come the line is at least one byte longer than what is here.
    if (!lineWithin(this.#carry.type ?? buf[from]!, this.#carry.length + (end - from) + 1)) return this.#refuseLine(buf, from);
    this.#carry.keep(buf, from, end);
    return end;
  }

  /**
   * A one-line value, held in the carry and going on at `buf[from]`, is past its bound: the scanner
   * is given what is held, and reads on (the rest of the line and of its reply) from `from`, returned.
   */
  #refuseLine(buf: Uint8Array, from: number): number {
    this.#refuse(refusedReply("maxBulkLength", `a line longer than ${maxBulkLength} bytes`), this.#carry.type ?? buf[from]!);
    const held = this.#carry.take();
    if (held.length > 0) this.#scanner().scan(held, 0);
    return from;
  }

  /**
   * Stop building the top-level value in progress: a FrameScanner reads past the rest of it, from
   * the value whose header (of type `type`) is being read, and reports `error` when it ends.
   */
  #refuse(error: LimitError, type: number): number {
    const aggregates = this.#aggregates;
    this.#delivery.refusedPush = aggregates.depth > 0 ? aggregates.inPush : type === PUSH;
    const items = aggregates.unstarted();
    aggregates.clear();
    this.#scanner().refuse(error, items);
    return REFUSED;
  }

  /**
   * Parses one header line `buf[i..lf]` (type byte through LF). Returns the payload length when the
   * line announces a bulk payload (which then follows in the chunk, not in `buf` when `buf` is the
   * carried-over line), or -1 when the line was a whole value or opened an aggregate.
   */
  #header(buf: Uint8Array, i: number, lf: number): number {
    const type = buf[i]!;
    // The limits apply to complete lines too, so whether input is accepted never depends on how it was split.
    if (lf - i >= maxLineLength && !lineWithin(type, lf - i + 1)) return this.#refuse(refusedReply("maxBulkLength", `a line longer than ${maxBulkLength} bytes`), type);
    const cr = lf - 1;
    if (cr <= i || buf[cr] !== CR) throw new ProtocolError(`RESP line not terminated by CRLF: ${excerpt(buf, i, lf + 1)}`);
    const start = i + 1;
    if (this.#aggregates.depth === 0) this.#asBytes = type === PUSH ? this.pushBytes : this.bytes;
    switch (type) {
      case BULK_STRING:
      case BULK_ERROR:
      case VERBATIM_STRING: {
        const length = parseLength(buf, start, cr, Number.MAX_SAFE_INTEGER, type === BULK_STRING);
        if (length > maxBulkLength) return this.#refuse(refusedReply("maxBulkLength", `a string of ${length} bytes`), type);
        this.#bulkType = type;
        if (length < 0) this.#aggregates.add(null);
        return length;
      }
      case SIMPLE_STRING:
        return this.#add(this.#text(buf, start, cr));
      case INTEGER:
        return this.#add(parseInteger(buf, start, cr));
      case ARRAY:
        return this.#open("array", parseLength(buf, start, cr, Number.MAX_SAFE_INTEGER, true), type);
      case SIMPLE_ERROR:
        return this.#add(new RedisError(utf8.decode(buf.subarray(start, cr))));
      case NULL:
        if (cr !== start) throw new ProtocolError(`Invalid RESP null: ${excerpt(buf, i, cr)}`);
        return this.#add(null);
      case BOOLEAN:
        return this.#add(parseBoolean(buf, start, cr));
      case DOUBLE:
        return this.#add(parseDouble(buf, start, cr));
      case BIG_NUMBER:
        return this.#add(parseBigNumber(buf, start, cr));
      case MAP:
        return this.#open("map", parseLength(buf, start, cr, Number.MAX_SAFE_INTEGER, false), type);
      case SET:
        return this.#open("set", parseLength(buf, start, cr, Number.MAX_SAFE_INTEGER, false), type);
      case PUSH:
        // Only a top-level push is out-of-band; one nested in a reply is just an array.
        return this.#open(this.#aggregates.depth === 0 ? "push" : "array", parseLength(buf, start, cr, Number.MAX_SAFE_INTEGER, false), type);
      case ATTRIBUTE:
        return this.#open("attribute", parseLength(buf, start, cr, Number.MAX_SAFE_INTEGER, false), type);
      default:
        throw new ProtocolError(`Unknown RESP type byte 0x${type.toString(16).padStart(2, "0")} in ${excerpt(buf, i, lf + 1)}`);
    }
  }

  /** Adds a complete value; returns -1, "no payload follows", for #header. */
  #add(value: RespValue): number {
    this.#aggregates.add(value);
    return -1;
  }

  /** Opens an aggregate of `count` elements (pairs, for a map or attribute) unless it is past a bound. */
  #open(kind: AggregateKind, count: number, type: number): number {
    if (count > maxAggregateLength) return this.#refuse(refusedReply("maxAggregateLength", `an aggregate of ${count} elements`), type);
    if (count > 0 && this.#aggregates.depth === maxDepth) return this.#refuse(refusedReply("maxDepth", `nested deeper than ${maxDepth} levels`), type);
    this.#aggregates.open(kind, kind === "map" || kind === "attribute" ? 2 * count : count);
    return -1;
  }

  #text(buf: Uint8Array, start: number, end: number): RespValue {
    if (this.#asBytes) return this.#pool.copy(buf, start, end);
    // "+OK" answers most writes; a constant skips TextDecoder's per-call cost (4x on OK replies).
    if (end - start === 2 && buf[start] === 79 && buf[start + 1] === 75) return "OK";
    return utf8.decode(buf.subarray(start, end));
  }

  /** A bulk payload of `length` bytes starts at `buf[i]`: decode it in place if whole, else start filling. */
  #payload(buf: Uint8Array, i: number, end: number, length: number): number {
    const stop = i + length;
    if (stop + 2 <= end) {
      if (buf[stop] !== CR || buf[stop + 1] !== LF) throw missingPayloadCrlf(buf, stop);
      this.#aggregates.add(this.#bulkValue(buf, i, stop, false));
      return stop + 2;
    }
    this.#bulk.start(length);
    return this.#fillBulk(buf, i, end);
  }

  #fillBulk(buf: Uint8Array, i: number, end: number): number {
    const next = this.#bulk.fill(buf, i, end);
    if (this.#bulk.complete) {
      const payload = this.#bulk.take();
      this.#aggregates.add(this.#bulkValue(payload, 0, payload.length, true));
    }
    return next;
  }

  /** The value of a complete bulk payload `buf[start..end]`; `owned` means `buf` is ours to hand out. */
  #bulkValue(buf: Uint8Array, start: number, end: number, owned: boolean): RespValue {
    if (this.#bulkType === BULK_ERROR) return new RedisError(utf8.decode(buf.subarray(start, end)));
    if (this.#bulkType === VERBATIM_STRING) {
      // "=15\r\ntxt:Some string": three bytes name the format (txt, mkd); callers want the text after it.
      if (end - start < 4 || buf[start + 3] !== COLON) throw new ProtocolError(`Invalid RESP verbatim string: ${excerpt(buf, start, end)}`);
      start += 4;
    }
    if (!this.#asBytes) return utf8.decode(buf.subarray(start, end));
    if (!owned) return this.#pool.copy(buf, start, end);
    return start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  }

  /** Completes the carried-over line with the start of `buf` and parses it once its LF has arrived. */
  #finishLine(buf: Uint8Array, end: number): number {
    const lf = buf.indexOf(LF);
    if (lf < 0) return this.#keepLine(buf, 0, end);
    if (!lineWithin(this.#carry.type!, this.#carry.length + lf + 1)) return this.#refuseLine(buf, 0);
    const line = this.#carry.finish(buf, lf);
    const length = this.#header(line, 0, line.length - 1);
    if (length === REFUSED) {
      this.#frames!.scan(line, 0); // the whole line: the scanner reads on from the chunk after it
      return lf + 1;
    }
    return length < 0 ? lf + 1 : this.#payload(buf, lf + 1, end, length);
  }

  /** Frames raw replies, and reads past refused ones. */
  #scanner(): FrameScanner {
    return (this.#frames ??= new FrameScanner(this.#delivery));
  }
}
