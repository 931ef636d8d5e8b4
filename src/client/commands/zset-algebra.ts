/**
 * Sorted-set algebra (Redis 6.2+): union, intersection and difference returned to the caller
 * rather than stored, and the size of an intersection. Scores come back as numbers on both protocols.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { data, raw, toArray, toScoredMembers, type Cmd, type DataCmd, type Key } from "../spec.ts";
import type { ScoredMember } from "./zsets.ts";

/** How `zunion`/`zinter` combine: per-key score multipliers, and how scores of one member add up. */
export interface ZCombineOptions {
  /** One multiplier per key, in key order. */
  weights?: number[];
  aggregate?: "SUM" | "MIN" | "MAX";
}

function combineArgs(name: "ZUNION" | "ZINTER", keys: readonly Key[], options: ZCombineOptions, withScores: boolean): Arg[] {
  const args = keysArgs(name, keys);
  if (options.weights) {
    if (options.weights.length !== keys.length) throw new TypeError(`${name.toLowerCase()}: give one weight per key`);
    args.push("WEIGHTS", ...options.weights);
  }
  if (options.aggregate) args.push("AGGREGATE", options.aggregate);
  if (withScores) args.push("WITHSCORES");
  return args;
}

function keysArgs(name: string, keys: readonly Key[]): Arg[] {
  if (keys.length === 0) throw new TypeError(`${name.toLowerCase()}: give at least one key`);
  return [name, keys.length, ...keys];
}

/** Sorted-set algebra command table. */
export const zsetAlgebraCommands = {
  /** `ZUNION numkeys key... [WEIGHTS ...] [AGGREGATE ...]` → the members of the union, by score. */
  zunion: (keys: readonly Key[], options: ZCombineOptions = {}): DataCmd<string[]> => data(combineArgs("ZUNION", keys, options, false), toArray<string>),
  /** `ZUNION ... WITHSCORES` → the union's members and their combined scores. */
  zunionWithScores: (keys: readonly Key[], options: ZCombineOptions = {}): Cmd<ScoredMember[], ScoredMember<Uint8Array>[]> =>
    data(combineArgs("ZUNION", keys, options, true), toScoredMembers),
  /** `ZINTER numkeys key... [WEIGHTS ...] [AGGREGATE ...]` → the members in every set, by score. */
  zinter: (keys: readonly Key[], options: ZCombineOptions = {}): DataCmd<string[]> => data(combineArgs("ZINTER", keys, options, false), toArray<string>),
  /** `ZINTER ... WITHSCORES` → the intersection's members and their combined scores. */
  zinterWithScores: (keys: readonly Key[], options: ZCombineOptions = {}): Cmd<ScoredMember[], ScoredMember<Uint8Array>[]> =>
    data(combineArgs("ZINTER", keys, options, true), toScoredMembers),
  /** `ZDIFF numkeys key...` → members of the first set that are in none of the others. */
  zdiff: (keys: readonly Key[]): DataCmd<string[]> => data(keysArgs("ZDIFF", keys), toArray<string>),
  /** `ZDIFF ... WITHSCORES` → the difference with the first set's scores. */
  zdiffWithScores: (keys: readonly Key[]): Cmd<ScoredMember[], ScoredMember<Uint8Array>[]> => data([...keysArgs("ZDIFF", keys), "WITHSCORES"], toScoredMembers),
  /** `ZDIFFSTORE destination numkeys key...` → the stored difference's size. */
  zdiffstore: (destination: Key, keys: readonly Key[]): Cmd<number> => raw(["ZDIFFSTORE", destination, ...keysArgs("ZDIFFSTORE", keys).slice(1)]),
  /** `ZINTERCARD numkeys key... [LIMIT n]` (Redis 7) → the intersection's size, counting stops at `limit`. */
  zintercard: (keys: readonly Key[], limit?: number): Cmd<number> =>
    raw([...keysArgs("ZINTERCARD", keys), ...(limit === undefined ? [] : ["LIMIT", limit])]),
};
