/**
 * Sorted-set commands. Scores come back as numbers (`inf`/`-inf` included) on both protocols.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { toNumberOrNull } from "../replies.ts";
import { data, parsed, raw, toArray, toScoredMembers, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** A member and its score. */
export interface ScoredMember<M = string> {
  /** Data: a `Uint8Array` in bytes mode. */
  member: M;
  score: number;
}

/** Options of `zadd`. */
export interface ZAddOptions {
  nx?: boolean;
  xx?: boolean;
  gt?: boolean;
  lt?: boolean;
  /** Return how many changed (added or updated) instead of how many were added. */
  ch?: boolean;
}

/** Options of `zrange`: by rank (default), by score or lexicographically; reversed; limited. */
export interface ZRangeOptions {
  by?: "SCORE" | "LEX";
  rev?: boolean;
  limit?: { offset: number; count: number };
}

function zaddArgs(key: Key, members: Array<{ score: number; member: Arg }>, options: ZAddOptions): Arg[] {
  if (members.length === 0) throw new TypeError("zadd: give at least one member");
  if (options.nx && (options.xx || options.gt || options.lt)) throw new TypeError("zadd: nx excludes xx, gt and lt");
  const args: Arg[] = ["ZADD", key];
  for (const flag of ["nx", "xx", "gt", "lt", "ch"] as const) if (options[flag]) args.push(flag.toUpperCase());
  for (const { score, member } of members) args.push(score, member);
  return args;
}

function zrangeArgs(key: Key, start: Arg, stop: Arg, options: ZRangeOptions): Arg[] {
  const args: Arg[] = ["ZRANGE", key, start, stop];
  if (options.by) args.push(`BY${options.by}`);
  if (options.rev) args.push("REV");
  if (options.limit) args.push("LIMIT", options.limit.offset, options.limit.count);
  return args;
}

const toScores = (reply: unknown): Array<number | null> => (reply as never[]).map(toNumberOrNull);
/** `[key, member, score]`: the key and member as they came (bytes in bytes mode), the score a number. */
const popped = (reply: unknown): [string, string, number] | null =>
  reply === null ? null : [(reply as string[])[0]!, (reply as string[])[1]!, toNumberOrNull((reply as never[])[2]) ?? NaN];

/** Sorted-set command table. */
export const zsetCommands = {
  /** `ZADD key [NX|XX] [GT|LT] [CH] score member...` → how many were added (or changed, with `ch`). */
  zadd: (key: Key, members: Array<{ score: number; member: Arg }>, options: ZAddOptions = {}): Cmd<number> =>
    raw(zaddArgs(key, members, options)),
  /** `ZINCRBY key increment member` → the new score. */
  zincrby: (key: Key, increment: number, member: Arg): Cmd<number> => parsed(["ZINCRBY", key, increment, member], (r) => toNumberOrNull(r) ?? NaN),
  /** `ZSCORE key member` → the score, or `null`. */
  zscore: (key: Key, member: Arg): Cmd<number | null> => parsed(["ZSCORE", key, member], toNumberOrNull),
  /** `ZMSCORE key member...` → one score (or `null`) per member. */
  zmscore: (key: Key, ...members: Arg[]): Cmd<Array<number | null>> => parsed(["ZMSCORE", key, ...members], toScores),
  /** `ZREM key member...` → how many were removed. */
  zrem: (key: Key, ...members: Arg[]): Cmd<number> => raw(["ZREM", key, ...members]),
  /** `ZCARD key`. */
  zcard: (key: Key): Cmd<number> => raw(["ZCARD", key]),
  /** `ZCOUNT key min max` (`"-inf"`, `"(5"` allowed). */
  zcount: (key: Key, min: Arg, max: Arg): Cmd<number> => raw(["ZCOUNT", key, min, max]),
  /** `ZRANK key member` → the rank, or `null`. */
  zrank: (key: Key, member: Arg): Cmd<number | null> => raw(["ZRANK", key, member]),
  /** `ZREVRANK key member` → the rank from the top, or `null`. */
  zrevrank: (key: Key, member: Arg): Cmd<number | null> => raw(["ZREVRANK", key, member]),
  /** `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]` → members. */
  zrange: (key: Key, start: Arg, stop: Arg, options: ZRangeOptions = {}): DataCmd<string[]> => raw(zrangeArgs(key, start, stop, options)),
  /** `ZRANGE ... WITHSCORES` → `{ member, score }` in order. */
  zrangeWithScores: (key: Key, start: Arg, stop: Arg, options: ZRangeOptions = {}): Cmd<ScoredMember[], ScoredMember<Uint8Array>[]> =>
    data([...zrangeArgs(key, start, stop, options), "WITHSCORES"], toScoredMembers),
  /** `ZRANGEBYSCORE key min max` → members. */
  zrangebyscore: (key: Key, min: Arg, max: Arg): DataCmd<string[]> => raw(["ZRANGEBYSCORE", key, min, max]),
  /** `ZREVRANGE key start stop` → members from the top. */
  zrevrange: (key: Key, start: number, stop: number): DataCmd<string[]> => raw(["ZREVRANGE", key, start, stop]),
  /** `ZREMRANGEBYSCORE key min max` → how many were removed. */
  zremrangebyscore: (key: Key, min: Arg, max: Arg): Cmd<number> => raw(["ZREMRANGEBYSCORE", key, min, max]),
  /** `ZREMRANGEBYRANK key start stop` → how many were removed. */
  zremrangebyrank: (key: Key, start: number, stop: number): Cmd<number> => raw(["ZREMRANGEBYRANK", key, start, stop]),
  /** `ZPOPMIN key [count]` → the lowest members with scores. */
  zpopmin: (key: Key, count = 1): Cmd<ScoredMember[], ScoredMember<Uint8Array>[]> => data(["ZPOPMIN", key, count], toScoredMembers),
  /** `ZPOPMAX key [count]` → the highest members with scores. */
  zpopmax: (key: Key, count = 1): Cmd<ScoredMember[], ScoredMember<Uint8Array>[]> => data(["ZPOPMAX", key, count], toScoredMembers),
  /** `BZPOPMIN key... timeout` → `[key, member, score]`, or `null` after the timeout (blocking). */
  bzpopmin: (keys: Key | Key[], timeoutSeconds: number): DataCmd<[string, string, number] | null> =>
    data(["BZPOPMIN", ...(Array.isArray(keys) ? keys : [keys]), timeoutSeconds], popped),
  /** `BZPOPMAX key... timeout` → `[key, member, score]`, or `null` after the timeout (blocking). */
  bzpopmax: (keys: Key | Key[], timeoutSeconds: number): DataCmd<[string, string, number] | null> =>
    data(["BZPOPMAX", ...(Array.isArray(keys) ? keys : [keys]), timeoutSeconds], popped),
  /** `ZUNIONSTORE destination numkeys key...` → the result's size. */
  zunionstore: (destination: Key, keys: Key[]): Cmd<number> => raw(["ZUNIONSTORE", destination, keys.length, ...keys]),
  /** `ZINTERSTORE destination numkeys key...` → the result's size. */
  zinterstore: (destination: Key, keys: Key[]): Cmd<number> => raw(["ZINTERSTORE", destination, keys.length, ...keys]),
  /** `ZRANDMEMBER key count` → random members. */
  zrandmember: (key: Key, count: number): DataCmd<string[]> => data(["ZRANDMEMBER", key, count], toArray<string>),
};
