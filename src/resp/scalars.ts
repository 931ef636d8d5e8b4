/**
 * Parsers for the numeric and boolean RESP header lines (`:` `$` `*` `,` `(` `#` ...). Each reads the
 * bytes between the type byte and the CR, so no line is turned into a string just to read a number,
 * and each throws {@link ProtocolError} on anything but the exact grammar of the RESP spec
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/).
 * @module
 */
import { ProtocolError } from "../errors.ts";

const MINUS = 45;
const PLUS = 43;
const ZERO = 48;

/**
 * Shared UTF-8 decoder. `ignoreBOM` keeps a leading U+FEFF in the string: Redis values are opaque
 * bytes and a BOM at the start of one is data, not a marker to strip.
 *
 * @example
 * ```ts
 * utf8.decode(new Uint8Array([104, 105])); // "hi"
 * ```
 */
export const utf8: TextDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A printable, quoted excerpt of malformed input for error messages: bytes outside printable ASCII
 * shown as `\xNN`, cut after 40 bytes, so a message never carries megabytes or raw CRLFs.
 *
 * @example
 * ```ts
 * excerpt(new TextEncoder().encode("$x\r\n"), 0, 4); // the text "$x\x0d\x0a", with the quotes
 * ```
 */
export function excerpt(buf: Uint8Array, start: number, end: number): string {
  const cut = Math.min(end, start + 40);
  let text = "";
  for (let i = start; i < cut; i++) {
    const b = buf[i]!;
    text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`;
  }
  return `"${text}${cut < end ? "..." : ""}"`;
}

function invalid(what: string, buf: Uint8Array, start: number, end: number): ProtocolError {
  return new ProtocolError(`Invalid RESP ${what}: ${excerpt(buf, start, end)}`);
}

/**
 * Parses a `:` integer. Returns a number when it is within ±Number.MAX_SAFE_INTEGER and a bigint
 * otherwise, so no reply is silently rounded.
 *
 * @example
 * ```ts
 * const line = new TextEncoder().encode("-42");
 * parseInteger(line, 0, line.length); // -42
 * ```
 */
export function parseInteger(buf: Uint8Array, start: number, end: number): number | bigint {
  let i = start;
  const sign = buf[i];
  if (sign === MINUS || sign === PLUS) i++;
  if (i === end) throw invalid("integer", buf, start, end);
  // Up to 15 digits always fit in a double exactly; longer ones take the bigint path below.
  if (end - i > 15) return parseLongInteger(buf, start, i, end);
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) throw invalid("integer", buf, start, end);
    n = n * 10 + d;
  }
  // `0 - n`, not `-n`: ":-0" is zero, and a -0 would compare unequal under Object.is.
  return sign === MINUS ? 0 - n : n;
}

function parseLongInteger(buf: Uint8Array, start: number, digits: number, end: number): number | bigint {
  for (let i = digits; i < end; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) throw invalid("integer", buf, start, end);
  }
  const magnitude = BigInt(utf8.decode(buf.subarray(digits, end)));
  const value = buf[start] === MINUS ? -magnitude : magnitude;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  return value <= safe && value >= -safe ? Number(value) : value;
}

/**
 * Parses the length of a bulk string or aggregate: decimal digits, at most `max`, or exactly `-1`
 * (RESP2's nil) when `allowNil` is set. Anything else — other negatives, signs, spaces, RESP3
 * streamed lengths (`?`, which Redis never sends) — is a {@link ProtocolError}.
 *
 * @example
 * ```ts
 * const line = new TextEncoder().encode("128");
 * parseLength(line, 0, line.length, 1024, true); // 128
 * ```
 */
export function parseLength(buf: Uint8Array, start: number, end: number, max: number, allowNil: boolean): number {
  if (start === end) throw invalid("length", buf, start, end);
  if (buf[start] === MINUS) {
    if (allowNil && end === start + 2 && buf[start + 1] === ZERO + 1) return -1;
    throw invalid("length", buf, start, end);
  }
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) throw invalid("length", buf, start, end);
    n = n * 10 + d;
    // Checked per digit so a hostile run of digits is rejected as soon as it passes the bound.
    if (n > max) throw new ProtocolError(`RESP length ${excerpt(buf, start, end)} exceeds the limit of ${max}`);
  }
  return n;
}

const DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([
  ["inf", Infinity],
  ["+inf", Infinity],
  ["-inf", -Infinity],
  ["nan", NaN],
  ["-nan", NaN],
  ["+nan", NaN],
]);

/**
 * Parses a RESP3 `,` double: decimal with optional exponent, or `inf`, `-inf`, `nan` (any case).
 * `Number()` alone would also accept "", " 1" and "0x10", so the grammar is checked first.
 *
 * @example
 * ```ts
 * const line = new TextEncoder().encode("-inf");
 * parseDouble(line, 0, line.length); // -Infinity
 * ```
 */
export function parseDouble(buf: Uint8Array, start: number, end: number): number {
  const text = utf8.decode(buf.subarray(start, end));
  if (DOUBLE.test(text)) return Number(text);
  const special = SPECIAL_DOUBLES.get(text.toLowerCase());
  if (special === undefined) throw invalid("double", buf, start, end);
  return special;
}

/**
 * Parses a RESP3 `(` big number into a bigint (always a bigint, whatever its size: the server chose
 * the type to say the value may not fit a double).
 *
 * @example
 * ```ts
 * const line = new TextEncoder().encode("3492890328409238509324850943850943825024385");
 * parseBigNumber(line, 0, line.length); // 3492890328409238509324850943850943825024385n
 * ```
 */
export function parseBigNumber(buf: Uint8Array, start: number, end: number): bigint {
  let i = start;
  const sign = buf[i];
  if (sign === MINUS || sign === PLUS) i++;
  if (i === end) throw invalid("big number", buf, start, end);
  for (let k = i; k < end; k++) {
    const d = buf[k] - ZERO;
    if (d < 0 || d > 9) throw invalid("big number", buf, start, end);
  }
  const magnitude = BigInt(utf8.decode(buf.subarray(i, end)));
  return sign === MINUS ? -magnitude : magnitude;
}

/**
 * Parses a RESP3 `#` boolean: exactly `t` or `f`.
 *
 * @example
 * ```ts
 * parseBoolean(new Uint8Array([116]), 0, 1); // true
 * ```
 */
export function parseBoolean(buf: Uint8Array, start: number, end: number): boolean {
  if (end === start + 1) {
    if (buf[start] === 116) return true;
    if (buf[start] === 102) return false;
  }
  throw invalid("boolean", buf, start, end);
}
