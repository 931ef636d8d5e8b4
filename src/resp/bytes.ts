/**
 * The bytes RESP is built from: line ends and the type byte that starts each value
 * (https://redis.io/docs/latest/develop/reference/protocol-spec/).
 * @module
 */

export const CR = 13;
export const LF = 10;

/** `+` */
export const SIMPLE_STRING = 43;
/** `-` */
export const SIMPLE_ERROR = 45;
/** `:` */
export const INTEGER = 58;
/** `$` */
export const BULK_STRING = 36;
/** `*` */
export const ARRAY = 42;
/** `_` */
export const NULL = 95;
/** `#` */
export const BOOLEAN = 35;
/** `,` */
export const DOUBLE = 44;
/** `(` */
export const BIG_NUMBER = 40;
/** `!` */
export const BULK_ERROR = 33;
/** `=` */
export const VERBATIM_STRING = 61;
/** `%` */
export const MAP = 37;
/** `~` */
export const SET = 126;
/** `|` */
export const ATTRIBUTE = 124;
/** `>` */
export const PUSH = 62;

/**
 * Whether a value of type `type` is one whole line (`+ - : _ # , (`), as opposed to a header line
 * that announces a payload or elements. Only these lines can be long (a status or error reply holds
 * any string a Lua script returns), so only these are exempt from `RESP_LIMITS.maxLineLength`.
 *
 * @example
 * ```ts
 * isLineValue(SIMPLE_STRING); // true
 * isLineValue(BULK_STRING);   // false: "$5" announces a payload
 * ```
 */
export function isLineValue(type: number): boolean {
  return type === SIMPLE_STRING || type === SIMPLE_ERROR || type === INTEGER || type === NULL || type === BOOLEAN || type === DOUBLE || type === BIG_NUMBER;
}

/**
 * A copy of `buf[start..end]` in a plain Uint8Array of its own. Not `buf.slice()`: a Node or Bun
 * `Buffer` overrides `slice` to return a view, which would change when the transport reuses its
 * read buffer and would keep the whole socket chunk alive for as long as the value lives.
 *
 * @example
 * ```ts
 * const value = copyOf(chunk, 4, 9); // chunk may now be overwritten
 * ```
 */
export function copyOf(buf: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(buf.subarray(start, end));
  return out;
}
