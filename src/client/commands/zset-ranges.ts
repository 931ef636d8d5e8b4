/**
 * Sorted-set ranges by lexicographic order and reversed score, `ZRANGESTORE`, and the multi-key
 * pops `ZMPOP`/`BZMPOP` (Redis 7). Lex bounds are `[a` (inclusive), `(a` (exclusive), `-` and `+`.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { list } from "../replies.ts";
import { data, raw, toScoredMembers, type Cmd, type DataCmd, type Key } from "../spec.ts";
import type { ScoredMember, ZRangeOptions } from "./zsets.ts";

/** A page of a range: skip `offset`, return up to `count`. */
export interface RangeLimit {
  offset: number;
  count: number;
}

/** What `zmpop`/`bzmpop` popped: the key it came from and the members with their scores. */
export interface ZPopped<M = string> {
  /** The key, as data: a `Uint8Array` in bytes mode (as `lmpop`'s and `bzpopmin`'s). */
  key: M;
  members: ScoredMember<M>[];
}

function limitArgs(limit: RangeLimit | undefined): Arg[] {
  return limit ? ["LIMIT", limit.offset, limit.count] : [];
}

function popArgs(keys: readonly Key[], which: "MIN" | "MAX", count: number | undefined): Arg[] {
  if (keys.length === 0) throw new TypeError("zmpop: give at least one key");
  return [keys.length, ...keys, which, ...(count === undefined ? [] : ["COUNT", count])];
}

function toPopped(reply: RespValue): ZPopped | null {
  if (reply === null) return null;
  const [key, members] = list(reply);
  return { key: key as string, members: toScoredMembers(members!) };
}

/** Sorted-set range command table. */
export const zsetRangeCommands = {
  /** `ZRANGEBYLEX key min max [LIMIT offset count]` → members between two lex bounds. */
  zrangebylex: (key: Key, min: string, max: string, limit?: RangeLimit): DataCmd<string[]> => raw(["ZRANGEBYLEX", key, min, max, ...limitArgs(limit)]),
  /** `ZREVRANGEBYLEX key max min [LIMIT offset count]` → members between two lex bounds, reversed. */
  zrevrangebylex: (key: Key, max: string, min: string, limit?: RangeLimit): DataCmd<string[]> =>
    raw(["ZREVRANGEBYLEX", key, max, min, ...limitArgs(limit)]),
  /** `ZREVRANGEBYSCORE key max min [LIMIT offset count]` → members from the highest score down. */
  zrevrangebyscore: (key: Key, max: Arg, min: Arg, limit?: RangeLimit): DataCmd<string[]> =>
    raw(["ZREVRANGEBYSCORE", key, max, min, ...limitArgs(limit)]),
  /** `ZLEXCOUNT key min max` → how many members lie between two lex bounds. */
  zlexcount: (key: Key, min: string, max: string): Cmd<number> => raw(["ZLEXCOUNT", key, min, max]),
  /** `ZREMRANGEBYLEX key min max` → how many members were removed. */
  zremrangebylex: (key: Key, min: string, max: string): Cmd<number> => raw(["ZREMRANGEBYLEX", key, min, max]),
  /** `ZRANGESTORE destination source start stop [BYSCORE|BYLEX] [REV] [LIMIT ...]` → the stored range's size. */
  zrangestore: (destination: Key, source: Key, start: Arg, stop: Arg, options: ZRangeOptions = {}): Cmd<number> => {
    const args: Arg[] = ["ZRANGESTORE", destination, source, start, stop];
    if (options.by) args.push(`BY${options.by}`);
    if (options.rev) args.push("REV");
    return raw([...args, ...limitArgs(options.limit)]);
  },
  /** `ZMPOP numkeys key... MIN|MAX [COUNT n]` (Redis 7) → members popped from the first non-empty key, or `null`. */
  zmpop: (keys: readonly Key[], which: "MIN" | "MAX", count?: number): Cmd<ZPopped | null, ZPopped<Uint8Array> | null> =>
    data(["ZMPOP", ...popArgs(keys, which, count)], toPopped),
  /** `BZMPOP timeout numkeys key... MIN|MAX [COUNT n]` → as `zmpop`, waiting up to `timeoutSeconds` (0: forever). */
  bzmpop: (timeoutSeconds: number, keys: readonly Key[], which: "MIN" | "MAX", count?: number): Cmd<ZPopped | null, ZPopped<Uint8Array> | null> =>
    data(["BZMPOP", timeoutSeconds, ...popArgs(keys, which, count)], toPopped),
};
