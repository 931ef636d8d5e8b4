/**
 * Reading replies whatever mode they arrived in: a client with `decode: "bytes"` (or a command run
 * with `bytes: true`) gets every bulk string as `Uint8Array`, so a parser that needs a number, an
 * ID or a field name decodes the text itself, and leaves values (members, payloads) as they came.
 * RESP2 and RESP3 shapes meet here too: a RESP3 map and a RESP2 flat `[k, v, ...]` array read the
 * same, and so do a RESP3 double and its RESP2 bulk-string text.
 * @module
 */
import type { RespValue } from "../resp/types.ts";

const utf8 = new TextDecoder();

/**
 * A string-like reply as text: bytes decode as UTF-8, numbers print in decimal, `null` is `""`.
 *
 * @example
 * ```ts
 * text(new TextEncoder().encode("1-0")); // "1-0"
 * ```
 */
export function text(reply: RespValue | undefined): string {
  if (typeof reply === "string") return reply;
  if (reply instanceof Uint8Array) return utf8.decode(reply);
  return reply === null || reply === undefined ? "" : String(reply);
}

/** {@link text}, keeping a nil reply `null`. */
export function textOrNull(reply: RespValue | undefined): string | null {
  return reply === null || reply === undefined ? null : text(reply);
}

/**
 * An integer, a RESP3 double, or the text of either (RESP2 sends doubles as bulk strings) as a
 * number; Redis's `inf`/`-inf` become `Infinity`/`-Infinity`.
 *
 * @example
 * ```ts
 * toNumber("3.5"); // 3.5
 * toNumber("-inf"); // -Infinity
 * ```
 */
export function toNumber(reply: RespValue | undefined): number {
  if (typeof reply === "number") return reply;
  if (typeof reply === "bigint") return Number(reply);
  const t = text(reply).toLowerCase();
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  return Number(t);
}

/** {@link toNumber}, keeping a nil reply `null`. */
export function toNumberOrNull(reply: RespValue | undefined): number | null {
  return reply === null || reply === undefined ? null : toNumber(reply);
}

/**
 * A RESP3 map or a RESP2 flat `[k, v, k, v]` array as `[key text, value]` pairs, in order.
 *
 * @example
 * ```ts
 * pairs(["a", 1, "b", 2]);                       // [["a", 1], ["b", 2]]
 * pairs(new Map([["a", 1], ["b", 2]]));           // [["a", 1], ["b", 2]]
 * ```
 */
export function pairs(reply: RespValue | undefined): Array<[string, RespValue]> {
  if (reply instanceof Map) return [...reply].map(([k, v]) => [text(k), v]);
  const out: Array<[string, RespValue]> = [];
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out.push([text(reply[i]), reply[i + 1]!]);
  return out;
}

/**
 * A map-like reply (see {@link pairs}) as a null-prototype object, each value converted by
 * `convert` (given the field name), so a field named `__proto__` is just a field.
 *
 * @example
 * ```ts
 * fields(["len", 2, "name", "s"], (v) => v); // { len: 2, name: "s" }
 * ```
 */
export function fields<V>(reply: RespValue | undefined, convert: (value: RespValue, name: string) => V): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  for (const [name, value] of pairs(reply)) out[name] = convert(value, name);
  return out;
}

/**
 * A reply that is text by nature (`COMMAND DOCS`' arguments, `COMMAND INFO`'s key specs) made
 * plain: maps become null-prototype objects, sets arrays, and strings read in bytes mode text.
 */
export function plain(reply: RespValue): unknown {
  if (reply instanceof Map) return fields(reply, plain);
  if (reply instanceof Set) return [...reply].map(plain);
  if (Array.isArray(reply)) return reply.map(plain);
  return reply instanceof Uint8Array ? text(reply) : reply;
}

/** An array reply (or a RESP3 set) as an array; nil as `[]`. */
export function list(reply: RespValue | undefined): RespValue[] {
  if (reply instanceof Set) return [...reply];
  return Array.isArray(reply) ? reply : [];
}

/** An array reply of text (names, channels, flags) as strings, in either mode; nil as `[]`. */
export function texts(reply: RespValue | undefined): string[] {
  return list(reply).map(text);
}

/** `"OK"` for a simple-string acknowledgement, which a bytes-mode read returns as `Uint8Array`. */
export function toOk(): "OK" {
  return "OK"; // an error reply rejects before any parser runs, so reaching here means OK
}

/**
 * A Redis field name in camel case, as this library's reply objects spell them.
 *
 * @example
 * ```ts
 * camelCase("send-buffer-used"); // "sendBufferUsed"
 * camelCase("library_name");     // "libraryName"
 * ```
 */
export function camelCase(name: string): string {
  return name.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
