/**
 * Set commands. RESP3 returns sets as `Set`; these return arrays on both protocols.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { data, parsed, raw, toArray, toBoolean, type Cmd, type DataCmd, type Key } from "../spec.ts";

const toBooleans = (reply: unknown): boolean[] => (reply as unknown[]).map((r) => r === 1 || r === true);

/** Set command table. */
export const setCommands = {
  /** `SADD key member...` → how many were added. */
  sadd: (key: Key, ...members: Arg[]): Cmd<number> => raw(["SADD", key, ...members]),
  /** `SREM key member...` → how many were removed. */
  srem: (key: Key, ...members: Arg[]): Cmd<number> => raw(["SREM", key, ...members]),
  /** `SMEMBERS key` → the members, as an array. */
  smembers: (key: Key): DataCmd<string[]> => data(["SMEMBERS", key], toArray<string>),
  /** `SISMEMBER key member`. */
  sismember: (key: Key, member: Arg): Cmd<boolean> => parsed(["SISMEMBER", key, member], toBoolean),
  /** `SMISMEMBER key member...` → one boolean per member. */
  smismember: (key: Key, ...members: Arg[]): Cmd<boolean[]> => parsed(["SMISMEMBER", key, ...members], toBooleans),
  /** `SCARD key`. */
  scard: (key: Key): Cmd<number> => raw(["SCARD", key]),
  /** `SPOP key` → a random member removed, or `null`. */
  spop: (key: Key): DataCmd<string | null> => raw(["SPOP", key]),
  /** `SRANDMEMBER key count` → random members (negative count allows repeats). */
  srandmember: (key: Key, count: number): DataCmd<string[]> => data(["SRANDMEMBER", key, count], toArray<string>),
  /** `SINTER key...`. */
  sinter: (...keys: Key[]): DataCmd<string[]> => data(["SINTER", ...keys], toArray<string>),
  /** `SUNION key...`. */
  sunion: (...keys: Key[]): DataCmd<string[]> => data(["SUNION", ...keys], toArray<string>),
  /** `SDIFF key...`. */
  sdiff: (...keys: Key[]): DataCmd<string[]> => data(["SDIFF", ...keys], toArray<string>),
  /** `SINTERSTORE destination key...` → the result's size. */
  sinterstore: (destination: Key, ...keys: Key[]): Cmd<number> => raw(["SINTERSTORE", destination, ...keys]),
  /** `SUNIONSTORE destination key...` → the result's size. */
  sunionstore: (destination: Key, ...keys: Key[]): Cmd<number> => raw(["SUNIONSTORE", destination, ...keys]),
  /** `SDIFFSTORE destination key...` → the result's size. */
  sdiffstore: (destination: Key, ...keys: Key[]): Cmd<number> => raw(["SDIFFSTORE", destination, ...keys]),
  /** `SMOVE source destination member` → whether it moved. */
  smove: (source: Key, destination: Key, member: Arg): Cmd<boolean> => parsed(["SMOVE", source, destination, member], toBoolean),
  /** `SINTERCARD numkeys key... [LIMIT n]` → the intersection's size. */
  sintercard: (keys: Key[], limit?: number): Cmd<number> =>
    raw(["SINTERCARD", keys.length, ...keys, ...(limit === undefined ? [] : ["LIMIT", limit])]),
};
