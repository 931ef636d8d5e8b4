/**
 * Command encoder: writes commands as RESP arrays of bulk strings, the only form Redis accepts from
 * clients (https://redis.io/docs/latest/develop/reference/protocol-spec/#sending-commands-to-a-redis-server).
 *
 * It runs once per command on the hot path, so it writes into a reusable slab with no per-argument
 * allocation for short strings and numbers: short ASCII strings are copied by a loop, longer ones go
 * through `TextEncoder.encodeInto` straight into the slab after a guessed header, which is corrected
 * in the rare case the UTF-8 length needs more digits than the string's length.
 * @module
 */
import { ARRAY, BULK_STRING, CR, LF } from "./bytes.ts";
import type { Arg } from "./types.ts";
import { validateCommand } from "./validate.ts";

const ZERO = 48;

/** A full-size slab holds a few hundred typical commands, so one allocation serves many flushes. */
const SLAB_SIZE = 64 * 1024;
/**
 * The first slab is small and each next one 4x larger up to the slab size: an encoder made for one
 * transaction or one command should not cost 64 KB, and a connection's reaches full size in 3 steps.
 */
const FIRST_SLAB = 1024;
/** A slab grown past this for one huge command is dropped at take() instead of living as long as the encoder. */
const MAX_RETAINED = 1024 * 1024;
/**
 * Up to this length a JS copy loop beats encodeInto, whose call and destination view cost more than
 * the copy (measured crossover: 24-32 units on Node 20, Deno 2 and Bun 1.x).
 */
const ASCII_LOOP_MAX = 24;
/** From this length the exact UTF-8 size is counted first, instead of reserving the 3-bytes-per-unit worst case. */
const EXACT_LENGTH_MIN = 64 * 1024;
/** Room for `$`, a length of up to 16 digits (2^53) and CRLF, with the trailing CRLF. */
const HEADER_ROOM = 24;

const textEncoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * Tuning for a {@link CommandEncoder}.
 *
 * @example
 * ```ts
 * const encoder = new CommandEncoder({ slabSize: 4096 }); // a connection that sends little
 * ```
 */
export interface CommandEncoderOptions {
  /** Size of the encoder's output slabs once warmed up (default 64 KB; the first ones are smaller). */
  slabSize?: number;
}

/**
 * Appends commands to an internal buffer as RESP, to be taken in one piece for one socket write.
 *
 * Arguments: `string` (UTF-8), `number` (decimal via `String(n)`; ±Infinity as `+inf`/`-inf`, the
 * spelling Redis accepts for scores; NaN is rejected), `bigint` (decimal), `Uint8Array` (as is).
 *
 * @example
 * ```ts
 * const encoder = new CommandEncoder();
 * encoder.encode(["SET", "greeting", "hello"]);
 * encoder.encode(["INCRBY", "hits", 1]);
 * socket.write(encoder.take()); // both commands, one write
 * ```
 */
export class CommandEncoder {
  readonly #slabSize: number;
  #nextSlab: number;
  #buf: Uint8Array = EMPTY;
  /** Start of the bytes not yet taken. */
  #start = 0;
  #pos = 0;

  constructor(options: CommandEncoderOptions = {}) {
    this.#slabSize = Math.max(64, options.slabSize ?? SLAB_SIZE);
    this.#nextSlab = Math.min(FIRST_SLAB, this.#slabSize);
  }

  /** Bytes appended since the last take(). */
  get length(): number {
    return this.#pos - this.#start;
  }

  /**
   * Append one command as a RESP array of bulk strings. Throws TypeError naming the bad argument
   * (index and type) and appends nothing if any argument is invalid or the command is empty.
   */
  encode(args: readonly Arg[]): void {
    // Validate all before writing any: half a command in a pipeline would make the server read the
    // next command as this one's missing arguments.
    validateCommand(args);
    const count = args.length;
    const mark = this.#pos - this.#start;
    try {
      this.#ensure(HEADER_ROOM);
      this.#pos = writeHeader(this.#buf, this.#pos, ARRAY, count);
      for (let k = 0; k < count; k++) {
        const a = args[k]!;
        if (typeof a === "string") this.#string(a);
        else if (typeof a === "number") this.#number(a);
        else if (typeof a === "bigint") this.#ascii(a.toString());
        else this.#bytes(a);
      }
    } catch (err) {
      // Only an allocation failure can get here; even then, leave no partial command behind.
      this.#pos = this.#start + mark;
      throw err;
    }
  }

  /**
   * Returns the bytes appended since the last take() and resets. The caller owns the returned array:
   * the encoder never writes into it again (sockets may keep a reference until written). It may be a
   * view into a larger slab whose other bytes the encoder keeps using, so do not transfer its
   * `.buffer` to another thread.
   */
  take(): Uint8Array {
    const out = this.#buf.subarray(this.#start, this.#pos);
    if (this.#buf.length > MAX_RETAINED) {
      this.#buf = EMPTY;
      this.#pos = 0;
    }
    this.#start = this.#pos;
    return out;
  }

  /**
   * Like take(), but in a buffer of its own that may be transferred to another thread. Most of a
   * slab (a big value's, say) is handed over as it is, and the encoder starts a new slab, so those
   * bytes are not copied again; a little is copied out, which costs less than a new slab.
   */
  takeTransferable(): Uint8Array {
    if (this.#start > 0 || 2 * (this.#pos - this.#start) < this.#buf.length) return this.take().slice();
    const out = this.#buf.subarray(0, this.#pos);
    this.#buf = EMPTY;
    this.#start = this.#pos = 0;
    return out;
  }

  /** Makes room for `n` more bytes, carrying the untaken bytes into a new slab when needed. */
  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const pending = this.#pos - this.#start;
    // Doubling what is pending keeps many commands between takes linear; a single huge one gets just its size.
    const next = new Uint8Array(Math.max(this.#nextSlab, 2 * pending + n));
    this.#nextSlab = Math.min(4 * this.#nextSlab, this.#slabSize);
    next.set(this.#buf.subarray(this.#start, this.#pos));
    this.#buf = next;
    this.#start = 0;
    this.#pos = pending;
  }

  #string(s: string): void {
    const units = s.length;
    if (units >= EXACT_LENGTH_MIN) return this.#longString(s);
    this.#ensure(3 * units + HEADER_ROOM); // a UTF-16 unit is at most 3 UTF-8 bytes
    const buf = this.#buf;
    const at = this.#pos;
    if (units <= ASCII_LOOP_MAX) {
      const payload = writeHeader(buf, at, BULK_STRING, units);
      let k = 0;
      for (; k < units; k++) {
        const c = s.charCodeAt(k);
        if (c > 0x7f) break;
        buf[payload + k] = c;
      }
      if (k === units) {
        this.#pos = writeCrlf(buf, payload + units);
        return;
      }
    }
    // The UTF-8 length is at least the unit count; guess its digit count, encode, and shift the
    // payload in the rare case the real length has more digits.
    const guess = digitCount(units);
    const payload = at + guess + 3;
    const written = textEncoder.encodeInto(s, buf.subarray(payload)).written;
    const digits = digitCount(written);
    if (digits !== guess) buf.copyWithin(payload + digits - guess, payload, payload + written);
    const start = writeHeader(buf, at, BULK_STRING, written);
    this.#pos = writeCrlf(buf, start + written);
  }

  /** Long strings: count the UTF-8 length first so a 100 MB string does not reserve 300 MB. */
  #longString(s: string): void {
    const size = utf8Length(s);
    this.#ensure(size + HEADER_ROOM);
    const start = writeHeader(this.#buf, this.#pos, BULK_STRING, size);
    textEncoder.encodeInto(s, this.#buf.subarray(start, start + size));
    this.#pos = writeCrlf(this.#buf, start + size);
  }

  #number(n: number): void {
    if (!Number.isSafeInteger(n)) {
      // Redis parses scores with strtod and accepts "+inf"/"-inf", not JavaScript's "Infinity".
      this.#ascii(n === Infinity ? "+inf" : n === -Infinity ? "-inf" : String(n));
      return;
    }
    this.#ensure(2 * HEADER_ROOM);
    const buf = this.#buf;
    const magnitude = n < 0 ? -n : n;
    const size = digitCount(magnitude) + (n < 0 ? 1 : 0);
    let pos = writeHeader(buf, this.#pos, BULK_STRING, size);
    if (n < 0) buf[pos++] = 45; // -
    pos = writeUint(buf, pos, magnitude);
    this.#pos = writeCrlf(buf, pos);
  }

  /** A string known to be ASCII (a formatted number). */
  #ascii(s: string): void {
    this.#ensure(s.length + HEADER_ROOM);
    const buf = this.#buf;
    const start = writeHeader(buf, this.#pos, BULK_STRING, s.length);
    for (let k = 0; k < s.length; k++) buf[start + k] = s.charCodeAt(k);
    this.#pos = writeCrlf(buf, start + s.length);
  }

  #bytes(a: Uint8Array): void {
    this.#ensure(a.length + HEADER_ROOM);
    const start = writeHeader(this.#buf, this.#pos, BULK_STRING, a.length);
    this.#buf.set(a, start);
    this.#pos = writeCrlf(this.#buf, start + a.length);
  }
}

/**
 * Encodes one command into a new array. Convenient outside the hot path; a connection should keep a
 * {@link CommandEncoder} and batch.
 *
 * @example
 * ```ts
 * encodeCommand(["GET", "k"]); // bytes of "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
 * ```
 */
export function encodeCommand(args: readonly Arg[]): Uint8Array {
  const encoder = new CommandEncoder({ slabSize: 256 }); // a one-command encoder: just enough room
  encoder.encode(args);
  return encoder.take();
}

function digitCount(n: number): number {
  let digits = 1;
  for (let limit = 10; n >= limit; limit *= 10) digits++;
  return digits;
}

/** Writes a non-negative safe integer in decimal, returning the position after it. */
function writeUint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 10) {
    buf[pos] = ZERO + n;
    return pos + 1;
  }
  const end = pos + digitCount(n);
  for (let p = end; n > 0; n = Math.floor(n / 10)) buf[--p] = ZERO + (n % 10);
  return end;
}

/** Writes `<prefix><n>\r\n`, returning the position after it. */
function writeHeader(buf: Uint8Array, pos: number, prefix: number, n: number): number {
  buf[pos] = prefix;
  return writeCrlf(buf, writeUint(buf, pos + 1, n));
}

function writeCrlf(buf: Uint8Array, pos: number): number {
  buf[pos] = CR;
  buf[pos + 1] = LF;
  return pos + 2;
}

/** UTF-8 length as TextEncoder produces it: a lone surrogate becomes U+FFFD, three bytes. */
function utf8Length(s: string): number {
  let size = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && k + 1 < s.length && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00) {
      size += 4;
      k++;
    } else size += 3;
  }
  return size;
}
