/**
 * Hash commands.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { toNumber, toOk } from "../replies.ts";
import { binary, data, parsed, raw, toBoolean, toRecord, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** Fields to write: an object, or `[field, value]` pairs (for binary field names). */
export type HashFields = Record<string, Arg> | Array<[Key, Arg]>;

function flatten(fields: HashFields): Arg[] {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  if (pairs.length === 0) throw new TypeError("give at least one field");
  return pairs.flat();
}

/** Hash command table. */
export const hashCommands = {
  /** `HSET key field value ...` from an object or pairs → how many fields were added. */
  hset: (key: Key, fields: HashFields): Cmd<number> => raw(["HSET", key, ...flatten(fields)]),
  /** `HSETNX key field value` → whether it was set. */
  hsetnx: (key: Key, field: Key, value: Arg): Cmd<boolean> => parsed(["HSETNX", key, field, value], toBoolean),
  /** `HGET key field` → the value, or `null`. */
  hget: (key: Key, field: Key): DataCmd<string | null> => raw(["HGET", key, field]),
  /** `HGET key field` → the value as bytes, or `null`. */
  hgetBuffer: (key: Key, field: Key): Cmd<Uint8Array | null> => binary(["HGET", key, field]),
  /** `HMGET key field...` → values in field order, `null` for missing. */
  hmget: (key: Key, ...fields: Key[]): DataCmd<Array<string | null>> => raw(["HMGET", key, ...fields]),
  /** `HGETALL key` → a null-prototype object (a `__proto__` field is just a field). */
  hgetall: (key: Key): DataCmd<Record<string, string>> => data(["HGETALL", key], toRecord<string>),
  /** `HDEL key field...` → how many fields were removed. */
  hdel: (key: Key, ...fields: Key[]): Cmd<number> => raw(["HDEL", key, ...fields]),
  /** `HEXISTS key field`. */
  hexists: (key: Key, field: Key): Cmd<boolean> => parsed(["HEXISTS", key, field], toBoolean),
  /** `HINCRBY key field n` → the new value. */
  hincrby: (key: Key, field: Key, by: number | bigint): Cmd<number> => raw(["HINCRBY", key, field, by]),
  /** `HINCRBYFLOAT key field n` → the new value. */
  hincrbyfloat: (key: Key, field: Key, by: number): Cmd<number> => parsed(["HINCRBYFLOAT", key, field, by], toNumber),
  /** `HKEYS key`. */
  hkeys: (key: Key): DataCmd<string[]> => raw(["HKEYS", key]),
  /** `HVALS key`. */
  hvals: (key: Key): DataCmd<string[]> => raw(["HVALS", key]),
  /** `HLEN key`. */
  hlen: (key: Key): Cmd<number> => raw(["HLEN", key]),
  /** `HSTRLEN key field`. */
  hstrlen: (key: Key, field: Key): Cmd<number> => raw(["HSTRLEN", key, field]),
  /** `HRANDFIELD key [count]` → random field names. */
  hrandfield: (key: Key, count = 1): DataCmd<string[]> => raw(["HRANDFIELD", key, count]),
  /** @deprecated Redis 4.0: use `hset`, which takes several fields too. `HMSET key field value ...`. */
  hmset: (key: Key, fields: HashFields): Cmd<"OK"> => parsed(["HMSET", key, ...flatten(fields)], toOk),
};
