/**
 * String commands.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { toNumber, toOk } from "../replies.ts";
import { binary, parsed, raw, toOkOrNull, type Cmd, type DataCmd, type Key } from "../spec.ts";
import type { AtMostOne } from "../typing.ts";

/** Every option of `set`; {@link SetOptions} combines them as Redis allows. */
export interface SetOptionFields {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time, seconds. */
  exat?: number;
  /** Expire at this Unix time, milliseconds. */
  pxat?: number;
  /** Keep the key's current TTL. */
  keepTtl?: boolean;
  /** Only set if the key does not exist. */
  nx?: boolean;
  /** Only set if the key exists. */
  xx?: boolean;
  /** Return the old value (`SET ... GET`). */
  get?: boolean;
}

/**
 * Options of `set`: at most one of `ex`/`px`/`exat`/`pxat`/`keepTtl`, at most one of `nx`/`xx`.
 * A conflict is a type error, and a `TypeError` at run time for callers the types do not reach.
 */
export type SetOptions = Pick<SetOptionFields, "get"> &
  AtMostOne<SetOptionFields, "ex" | "px" | "exat" | "pxat" | "keepTtl"> &
  AtMostOne<SetOptionFields, "nx" | "xx">;

function setArgs(key: Key, value: Arg, options: SetOptions = {}): Arg[] {
  const args: Arg[] = ["SET", key, value];
  const expiries = (["ex", "px", "exat", "pxat"] as const).filter((k) => options[k] !== undefined);
  if (expiries.length + (options.keepTtl ? 1 : 0) > 1) throw new TypeError("set: give at most one of ex, px, exat, pxat, keepTtl");
  if (options.nx && options.xx) throw new TypeError("set: nx and xx exclude each other");
  for (const k of expiries) args.push(k.toUpperCase(), options[k]!);
  if (options.keepTtl) args.push("KEEPTTL");
  if (options.nx) args.push("NX");
  if (options.xx) args.push("XX");
  if (options.get) args.push("GET");
  return args;
}

/**
 * `SET key value [EX|PX|EXAT|PXAT|KEEPTTL] [NX|XX] [GET]` → `"OK"`, or `null` when `nx`/`xx`
 * prevented it; with `get: true`, the old value (or `null`) instead.
 *
 * @example
 * ```ts
 * await redis.set("k", "v", { ex: 60, nx: true }); // "OK" | null
 * await redis.set("k", "w", { get: true });         // "v": string | null
 * ```
 */
function set(key: Key, value: Arg, options: SetOptions & { get: true }): DataCmd<string | null>;
function set(key: Key, value: Arg, options?: SetOptions & { get?: false }): Cmd<"OK" | null>;
function set(key: Key, value: Arg, options?: SetOptions): Cmd<string | null, Uint8Array | "OK" | null>;
function set(key: Key, value: Arg, options?: SetOptions): Cmd<string | null, Uint8Array | "OK" | null> {
  return options?.get ? raw(setArgs(key, value, options)) : parsed(setArgs(key, value, options), toOkOrNull);
}

/** String command table: each entry maps typed arguments to a {@link Cmd}. */
export const stringCommands = {
  /** `GET key` → the value, or `null`. */
  get: (key: Key): DataCmd<string | null> => raw(["GET", key]),
  /** `GET key` → the value as bytes, or `null`. */
  getBuffer: (key: Key): Cmd<Uint8Array | null> => binary(["GET", key]),
  set,
  /** `SETEX key seconds value`. */
  setex: (key: Key, seconds: number, value: Arg): Cmd<"OK"> => parsed(["SETEX", key, seconds, value], toOk),
  /** `SETNX key value` → whether it was set. */
  setnx: (key: Key, value: Arg): Cmd<number> => raw(["SETNX", key, value]),
  /** `GETSET`'s successor: `GETDEL key`. */
  getdel: (key: Key): DataCmd<string | null> => raw(["GETDEL", key]),
  /** `GETEX key [EX seconds|PX ms|PERSIST]`. */
  getex: (key: Key, options: { ex?: number; px?: number; persist?: boolean } = {}): DataCmd<string | null> => {
    const args: Arg[] = ["GETEX", key];
    if (options.ex !== undefined) args.push("EX", options.ex);
    if (options.px !== undefined) args.push("PX", options.px);
    if (options.persist) args.push("PERSIST");
    return raw(args);
  },
  /** `MGET key...` → values in key order, `null` for missing. */
  mget: (...keys: Key[]): DataCmd<Array<string | null>> => raw(["MGET", ...keys]),
  /** `MGET` returning bytes. */
  mgetBuffer: (...keys: Key[]): Cmd<Array<Uint8Array | null>> => binary(["MGET", ...keys]),
  /** `MSET` from an object or `[key, value]` pairs. */
  mset: (entries: Record<string, Arg> | Array<[Key, Arg]>): Cmd<"OK"> =>
    parsed(["MSET", ...(Array.isArray(entries) ? entries : Object.entries(entries)).flat()], toOk),
  /** `MSETNX` → whether all were set. */
  msetnx: (entries: Record<string, Arg> | Array<[Key, Arg]>): Cmd<number> =>
    raw(["MSETNX", ...(Array.isArray(entries) ? entries : Object.entries(entries)).flat()]),
  /** `INCR key` → the new value. */
  incr: (key: Key): Cmd<number> => raw(["INCR", key]),
  /** `INCRBY key n`. */
  incrby: (key: Key, by: number | bigint): Cmd<number> => raw(["INCRBY", key, by]),
  /** `INCRBYFLOAT key n` → the new value as a number. */
  incrbyfloat: (key: Key, by: number): Cmd<number> => parsed(["INCRBYFLOAT", key, by], toNumber),
  /** `DECR key`. */
  decr: (key: Key): Cmd<number> => raw(["DECR", key]),
  /** `DECRBY key n`. */
  decrby: (key: Key, by: number | bigint): Cmd<number> => raw(["DECRBY", key, by]),
  /** `APPEND key value` → the new length. */
  append: (key: Key, value: Arg): Cmd<number> => raw(["APPEND", key, value]),
  /** `STRLEN key`. */
  strlen: (key: Key): Cmd<number> => raw(["STRLEN", key]),
  /** `GETRANGE key start end`. */
  getrange: (key: Key, start: number, end: number): DataCmd<string> => raw(["GETRANGE", key, start, end]),
  /** `SETRANGE key offset value` → the new length. */
  setrange: (key: Key, offset: number, value: Arg): Cmd<number> => raw(["SETRANGE", key, offset, value]),
  /** @deprecated Redis 6.2: use `set(key, value, { get: true })`. `GETSET key value` → the old value, or `null`. */
  getset: (key: Key, value: Arg): DataCmd<string | null> => raw(["GETSET", key, value]),
  /** `PSETEX key ms value` (prefer `set(key, value, { px })`). */
  psetex: (key: Key, ms: number, value: Arg): Cmd<"OK"> => parsed(["PSETEX", key, ms, value], toOk),
  /** @deprecated Redis 2.0: use `getrange`. `SUBSTR key start end`. */
  substr: (key: Key, start: number, end: number): DataCmd<string> => raw(["SUBSTR", key, start, end]),
};
