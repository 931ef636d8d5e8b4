/**
 * One step of the `SCAN` family: a cursor in, a page and the next cursor out (`"0"` when done).
 * Most code wants the whole iteration: `scanIterator()`, `hscanIterator()`, `sscanIterator()`
 * and `zscanIterator()` loop over these.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { list, text, toNumber } from "../replies.ts";
import { data, type Cmd, type Key } from "../spec.ts";
import type { ScoredMember } from "./zsets.ts";

/** Options of one scan step. */
export interface ScanStepOptions {
  /** Glob-style pattern (`MATCH`). */
  match?: string;
  /** How much work one step may do (`COUNT`, a hint). */
  count?: number;
}

/** A page of a scan and the cursor to continue from (`"0"`: the iteration is complete); the cursor is text, the items data. */
export interface ScanPage<T> {
  cursor: string;
  items: T[];
}

function stepArgs(head: Arg[], cursor: string | number, options: ScanStepOptions & { type?: string }): Arg[] {
  const args: Arg[] = [...head, cursor];
  if (options.match !== undefined) args.push("MATCH", options.match);
  if (options.count !== undefined) args.push("COUNT", options.count);
  if (options.type !== undefined) args.push("TYPE", options.type);
  return args;
}

/** `[cursor, [item, ...]]` → a page whose items are read `width` replies at a time. */
function page<T>(read: (items: RespValue[], i: number) => T, width: 1 | 2): (reply: RespValue) => ScanPage<T> {
  return (reply) => {
    const [cursor, raw] = list(reply);
    const items = list(raw);
    const out: T[] = [];
    for (let i = 0; i + width - 1 < items.length; i += width) out.push(read(items, i));
    return { cursor: text(cursor), items: out };
  };
}

const one = page((items, i) => items[i] as string, 1);
const fieldPairs = page((items, i) => [items[i], items[i + 1]] as [string, string], 2);
const scored = page((items, i): ScoredMember => ({ member: items[i] as string, score: toNumber(items[i + 1]) }), 2);

/** Scan command table. */
export const cursorCommands = {
  /** `SCAN cursor [MATCH p] [COUNT n] [TYPE t]` → a page of keys. */
  scan: (cursor: string | number, options: ScanStepOptions & { type?: string } = {}): Cmd<ScanPage<string>, ScanPage<Uint8Array>> =>
    data(stepArgs(["SCAN"], cursor, options), one),
  /** `HSCAN key cursor [MATCH p] [COUNT n]` → a page of `[field, value]` pairs. */
  hscan: (key: Key, cursor: string | number, options: ScanStepOptions = {}): Cmd<ScanPage<[string, string]>, ScanPage<[Uint8Array, Uint8Array]>> =>
    data(stepArgs(["HSCAN", key], cursor, options), fieldPairs),
  /** `SSCAN key cursor [MATCH p] [COUNT n]` → a page of members. */
  sscan: (key: Key, cursor: string | number, options: ScanStepOptions = {}): Cmd<ScanPage<string>, ScanPage<Uint8Array>> =>
    data(stepArgs(["SSCAN", key], cursor, options), one),
  /** `ZSCAN key cursor [MATCH p] [COUNT n]` → a page of members with their scores. */
  zscan: (key: Key, cursor: string | number, options: ScanStepOptions = {}): Cmd<ScanPage<ScoredMember>, ScanPage<ScoredMember<Uint8Array>>> =>
    data(stepArgs(["ZSCAN", key], cursor, options), scored),
};
