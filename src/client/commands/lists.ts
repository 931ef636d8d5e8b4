/**
 * List commands, including the blocking pops (the executors run those on dedicated connections;
 * their timeouts are seconds, `0` meaning forever).
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { toOk } from "../replies.ts";
import { parsed, raw, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** Which end of a list. */
export type ListEnd = "LEFT" | "RIGHT";

function values(name: string, items: Arg[]): Arg[] {
  if (items.length === 0) throw new TypeError(`${name.toLowerCase()}: give at least one value`);
  return items;
}

/** List command table. */
export const listCommands = {
  /** `LPUSH key value...` → the new length. */
  lpush: (key: Key, ...items: Arg[]): Cmd<number> => raw(["LPUSH", key, ...values("LPUSH", items)]),
  /** `RPUSH key value...` → the new length. */
  rpush: (key: Key, ...items: Arg[]): Cmd<number> => raw(["RPUSH", key, ...values("RPUSH", items)]),
  /** `LPUSHX key value...` (only if the list exists) → the new length. */
  lpushx: (key: Key, ...items: Arg[]): Cmd<number> => raw(["LPUSHX", key, ...values("LPUSHX", items)]),
  /** `RPUSHX key value...` (only if the list exists) → the new length. */
  rpushx: (key: Key, ...items: Arg[]): Cmd<number> => raw(["RPUSHX", key, ...values("RPUSHX", items)]),
  /** `LPOP key` → the first element, or `null`. */
  lpop: (key: Key): DataCmd<string | null> => raw(["LPOP", key]),
  /** `RPOP key` → the last element, or `null`. */
  rpop: (key: Key): DataCmd<string | null> => raw(["RPOP", key]),
  /** `LPOP key count` → up to `count` elements, or `null` when the list is missing. */
  lpopCount: (key: Key, count: number): DataCmd<string[] | null> => raw(["LPOP", key, count]),
  /** `RPOP key count` → up to `count` elements, or `null` when the list is missing. */
  rpopCount: (key: Key, count: number): DataCmd<string[] | null> => raw(["RPOP", key, count]),
  /** `LLEN key`. */
  llen: (key: Key): Cmd<number> => raw(["LLEN", key]),
  /** `LRANGE key start stop` (inclusive; -1 is the last). */
  lrange: (key: Key, start: number, stop: number): DataCmd<string[]> => raw(["LRANGE", key, start, stop]),
  /** `LINDEX key index` → the element, or `null`. */
  lindex: (key: Key, index: number): DataCmd<string | null> => raw(["LINDEX", key, index]),
  /** `LSET key index value`. */
  lset: (key: Key, index: number, value: Arg): Cmd<"OK"> => parsed(["LSET", key, index, value], toOk),
  /** `LINSERT key BEFORE|AFTER pivot value` → the new length, -1 without the pivot. */
  linsert: (key: Key, where: "BEFORE" | "AFTER", pivot: Arg, value: Arg): Cmd<number> => raw(["LINSERT", key, where, pivot, value]),
  /** `LREM key count value` → how many were removed. */
  lrem: (key: Key, count: number, value: Arg): Cmd<number> => raw(["LREM", key, count, value]),
  /** `LTRIM key start stop`. */
  ltrim: (key: Key, start: number, stop: number): Cmd<"OK"> => parsed(["LTRIM", key, start, stop], toOk),
  /** `LPOS key element` → the first index, or `null`. */
  lpos: (key: Key, element: Arg): Cmd<number | null> => raw(["LPOS", key, element]),
  /** `LMOVE source destination LEFT|RIGHT LEFT|RIGHT` → the moved element, or `null`. */
  lmove: (source: Key, destination: Key, from: ListEnd, to: ListEnd): DataCmd<string | null> => raw(["LMOVE", source, destination, from, to]),
  /** `BLPOP key... timeout` → `[key, element]`, or `null` after `timeoutSeconds` (0 waits forever). */
  blpop: (keys: Key | Key[], timeoutSeconds: number): DataCmd<[string, string] | null> =>
    raw(["BLPOP", ...(Array.isArray(keys) ? keys : [keys]), timeoutSeconds]),
  /** `BRPOP key... timeout` → `[key, element]`, or `null` after `timeoutSeconds`. */
  brpop: (keys: Key | Key[], timeoutSeconds: number): DataCmd<[string, string] | null> =>
    raw(["BRPOP", ...(Array.isArray(keys) ? keys : [keys]), timeoutSeconds]),
  /** `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout` → the element, or `null`. */
  blmove: (source: Key, destination: Key, from: ListEnd, to: ListEnd, timeoutSeconds: number): DataCmd<string | null> =>
    raw(["BLMOVE", source, destination, from, to, timeoutSeconds]),
  /** `BRPOPLPUSH source destination timeout` → the element, or `null`. */
  brpoplpush: (source: Key, destination: Key, timeoutSeconds: number): DataCmd<string | null> =>
    raw(["BRPOPLPUSH", source, destination, timeoutSeconds]),
  /** `BLMPOP timeout numkeys key... LEFT|RIGHT [COUNT n]` → `[key, elements]`, or `null`. */
  blmpop: (timeoutSeconds: number, keys: Key[], from: ListEnd, count?: number): DataCmd<[string, string[]] | null> =>
    raw(["BLMPOP", timeoutSeconds, keys.length, ...keys, from, ...(count === undefined ? [] : ["COUNT", count])]),
  /** `LMPOP numkeys key... LEFT|RIGHT [COUNT n]` (Redis 7) → `[key, elements]` from the first non-empty list, or `null`. */
  lmpop: (keys: Key[], from: ListEnd, count?: number): DataCmd<[string, string[]] | null> =>
    raw(["LMPOP", keys.length, ...keys, from, ...(count === undefined ? [] : ["COUNT", count])]),
  /** @deprecated Redis 6.2: use `lmove(source, destination, "RIGHT", "LEFT")`. `RPOPLPUSH source destination`. */
  rpoplpush: (source: Key, destination: Key): DataCmd<string | null> => raw(["RPOPLPUSH", source, destination]),
};
