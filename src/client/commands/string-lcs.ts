/**
 * `LCS` (Redis 7): the longest common subsequence of two string values — the text, its length,
 * or where it matches in each.
 * @module
 */
import type { RespValue } from "../../resp/types.ts";
import { fields, list, toNumber } from "../replies.ts";
import { parsed, raw, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** One matching stretch: its inclusive `[start, end]` in each value, and its length with `withMatchLen`. */
export interface LcsMatch {
  key1: [start: number, end: number];
  key2: [start: number, end: number];
  length?: number;
}

/** Where the common subsequence lies, longest-last stretches first, and its total length. */
export interface LcsIndexes {
  matches: LcsMatch[];
  length: number;
}

const range = (reply: RespValue | undefined): [number, number] => {
  const [start, end] = list(reply);
  return [toNumber(start), toNumber(end)];
};

function toIndexes(reply: RespValue): LcsIndexes {
  const f = fields(reply, (v) => v);
  const matches = list(f.matches).map((m): LcsMatch => {
    const [a, b, length] = list(m);
    return length === undefined ? { key1: range(a), key2: range(b) } : { key1: range(a), key2: range(b), length: toNumber(length) };
  });
  return { matches, length: toNumber(f.len) };
}

/** LCS command table. */
export const lcsCommands = {
  /** `LCS key1 key2` → the longest common subsequence. */
  lcs: (key1: Key, key2: Key): DataCmd<string> => raw(["LCS", key1, key2]),
  /** `LCS key1 key2 LEN` → its length. */
  lcsLen: (key1: Key, key2: Key): Cmd<number> => raw(["LCS", key1, key2, "LEN"]),
  /** `LCS key1 key2 IDX [MINMATCHLEN n] [WITHMATCHLEN]` → where it matches in each value. */
  lcsIdx: (key1: Key, key2: Key, options: { minMatchLen?: number; withMatchLen?: boolean } = {}): Cmd<LcsIndexes> => {
    const args = ["LCS", key1, key2, "IDX", ...(options.minMatchLen === undefined ? [] : ["MINMATCHLEN", options.minMatchLen])];
    return parsed(options.withMatchLen ? [...args, "WITHMATCHLEN"] : args, toIndexes);
  },
};
