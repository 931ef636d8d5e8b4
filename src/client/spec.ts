/**
 * How a typed command is described: the arguments it sends and how its reply becomes the typed
 * result. One table of these feeds every surface — the client, the pool, a lease, a worker client,
 * and the `multi()`/`pipeline()` builders — so a command is defined once.
 *
 * Every parser takes string replies in either form: `string`, or `Uint8Array` when the reply was
 * read in bytes mode (`decode: "bytes"`, `{ bytes: true }`). What is a number, score, cursor or ID
 * is read as text (replies.ts: `text`, `toNumber`); what is data (keys, members, values) is
 * passed on as it came.
 * @module
 */
import type { Arg, RespValue } from "../resp/types.ts";
import type { AsBytes } from "./bytes-typing.ts";
import { text, toNumberOrNull } from "./replies.ts";

/** Type-only key of {@link Cmd}'s bytes-mode reply: nothing has it at run time. */
export declare const bytesReply: unique symbol;

/**
 * A command ready to send: arguments, an optional reply parser, and whether strings come back as
 * bytes. `T` is its reply in string mode, `B` in bytes mode (`decode: "bytes"`,
 * `with({ bytes: true })`): where the reply is data, a `Uint8Array` where `T` has a `string`.
 * `B` follows the constructor: {@link raw} passes the reply on as sent, so `B` is `AsBytes<T>`
 * and an annotation claiming text does not compile; {@link parsed} reads it as text, so `B` is `T`
 * and an annotation claiming bytes does not compile. {@link data} takes `B` from the spec's
 * annotation (`AsBytes<T>` without one), and nothing checks it against what the parser passes on;
 * nor does anything check that a `parsed()` parser really reads no data: the commands typed text
 * in both modes are pinned by tests/types/bytes-text.typecheck.ts and swept at run time by
 * tests/integration/bytes-text-commands.test.ts.
 */
export interface Cmd<T, B = T> {
  readonly args: Arg[];
  readonly parse?: (reply: RespValue) => T;
  readonly bytes?: boolean;
  /** Type only: the reply in bytes mode. */
  readonly [bytesReply]?: B;
}

/** A command whose reply is data throughout: in bytes mode each of its strings is a `Uint8Array`. */
export type DataCmd<T> = Cmd<T, AsBytes<T>>;

/** A key or member: text or bytes. */
export type Key = string | Uint8Array;

/**
 * Describe a command whose reply needs no conversion (the type says what Redis returns). It is
 * passed on as the server sent it, so in bytes mode each of its strings is a `Uint8Array`.
 *
 * @example
 * ```ts
 * const [size] = (await redis.multi().add(raw<number>(["DBSIZE"])).exec())!;
 * ```
 */
export function raw<T>(args: Arg[]): Cmd<T, NoInfer<AsBytes<T>>> {
  return { args };
}

/** Describe a command whose reply `parse` reads as text: numbers, IDs, names, reports — the same in both modes. */
export function parsed<T>(args: Arg[], parse: (reply: RespValue) => T): Cmd<T> {
  return { args, parse };
}

/**
 * Describe a command whose reply `parse` shapes but whose data (values, members, keys) it passes
 * on as they came: bytes in bytes mode. `B` is the reply in bytes mode, `AsBytes<T>` unless some
 * of its strings are text (an entry's ID, a cursor): then the spec's annotation says which. The
 * annotation is trusted: a test of the command in bytes mode is what checks it.
 */
export function data<T, B = AsBytes<T>>(args: Arg[], parse: (reply: RespValue) => T): Cmd<T, B> {
  return { args, parse };
}

/** Describe a command whose string replies are returned as `Uint8Array` in either mode. */
export function binary<T>(args: Arg[], parse?: (reply: RespValue) => T): Cmd<T> {
  return { args, parse, bytes: true };
}

// ---- reply shapes shared by the command tables (text and numbers: replies.ts) ----

/** `1`/`0` (or `true`/`false` on RESP3) → boolean. */
export function toBoolean(reply: RespValue): boolean {
  return reply === 1 || reply === true;
}

/** Simple `OK` → `"OK"`; a nil (SET NX that did not set) → `null`. */
export function toOkOrNull(reply: RespValue): "OK" | null {
  return reply === null ? null : "OK";
}

/** A RESP2 flat `[k, v, k, v]` array or a RESP3 map → a null-prototype object (`__proto__` cannot pollute it). */
export function toRecord<V = string>(reply: RespValue): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  if (reply instanceof Map) {
    for (const [k, v] of reply) out[text(k)] = v as V;
  } else if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out[text(reply[i]!)] = reply[i + 1] as V;
  }
  return out;
}

/** A RESP3 set or a RESP2 array → array. */
export function toArray<T = string>(reply: RespValue): T[] {
  if (reply instanceof Set) return [...reply] as T[];
  return (reply ?? []) as T[];
}

/**
 * `[member, score, member, score]` (RESP2) or `[[member, score], ...]` (RESP3) → pairs. A member
 * is as it came: a string, or bytes in bytes mode.
 */
export function toScoredMembers(reply: RespValue): Array<{ member: string; score: number }> {
  const list = toArray<RespValue>(reply);
  const out: Array<{ member: string; score: number }> = [];
  if (list.length > 0 && Array.isArray(list[0])) {
    for (const pair of list as RespValue[][]) out.push({ member: pair[0] as string, score: toNumberOrNull(pair[1]) ?? NaN });
  } else {
    for (let i = 0; i + 1 < list.length; i += 2) out.push({ member: list[i] as string, score: toNumberOrNull(list[i + 1]) ?? NaN });
  }
  return out;
}
