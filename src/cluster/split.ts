/**
 * Splitting the typed multi-key commands by slot. In a cluster a command's keys must share a slot;
 * `mget`, `mset`, `del`, `unlink`, `exists` and `touch` are split instead — one command per slot,
 * sent together — and their replies merged as if one command had run. Not atomic across slots: a
 * failure of one part leaves the others done. `send()` never splits (it sends what it is given).
 * @module
 */
import type { Arg, RespValue } from "../resp/types.ts";
import { keySlot } from "./slot.ts";

/** How the parts' replies make the reply of the whole. */
type Merge = "in-order" | "sum" | "ok";

/** The commands that split, and how their parts' replies merge. Every argument after the name is a key entry. */
const MERGES: Readonly<Record<string, Merge>> = {
  MGET: "in-order", MSET: "ok", DEL: "sum", UNLINK: "sum", EXISTS: "sum", TOUCH: "sum",
};

/** One slot's share of a split command. */
export interface Part {
  readonly args: Arg[];
  /** Index of each of its entries in the whole command (for `in-order` merges). */
  readonly entries: number[];
}

/** A command split by slot. */
export interface Split {
  readonly merge: Merge;
  readonly parts: readonly Part[];
  /** Number of entries (keys, or key-value pairs) in the whole command. */
  readonly size: number;
}

/**
 * `args` split into one command per slot, or `undefined` when it does not split (not one of the
 * commands above, or all its keys share a slot). `keysAt` gives the positions of its keys (from the
 * command table); each entry runs from a key to the next key (a key, or a key and its value);
 * `slotOf` hashes a key (it puts the `keyPrefix` in front first, when there is one).
 *
 * @example
 * ```ts
 * splitBySlot(["MSET", "a", "1", "b", "2"], keyIndexes); // { merge: "ok", parts: [MSET a 1, MSET b 2], size: 2 }
 * ```
 */
export function splitBySlot(
  args: readonly Arg[],
  keysAt: (args: readonly Arg[]) => readonly number[],
  slotOf: (key: Arg) => number = keySlot,
): Split | undefined {
  const name = typeof args[0] === "string" && args[0].length <= 6 ? args[0].toUpperCase() : undefined;
  const merge = name === undefined ? undefined : MERGES[name];
  if (merge === undefined) return undefined;
  const keyIndexes = keysAt(args);
  if (keyIndexes.length < 2) return undefined;
  const bySlot = new Map<number, { args: Arg[]; entries: number[] }>();
  for (let entry = 0; entry < keyIndexes.length; entry++) {
    const start = keyIndexes[entry]!;
    const end = keyIndexes[entry + 1] ?? args.length;
    const slot = slotOf(args[start]!);
    let part = bySlot.get(slot);
    if (!part) bySlot.set(slot, (part = { args: [args[0]!], entries: [] }));
    for (let i = start; i < end; i++) part.args.push(args[i]!);
    part.entries.push(entry);
  }
  if (bySlot.size < 2) return undefined;
  return { merge, parts: [...bySlot.values()], size: keyIndexes.length };
}

/** The reply of the whole command, from its parts' replies (in `split.parts` order). */
export function mergeReplies(split: Split, replies: readonly unknown[]): unknown {
  if (split.merge === "ok") return "OK";
  if (split.merge === "sum") return replies.reduce<number>((sum, n) => sum + Number(n), 0);
  const out = new Array<unknown>(split.size);
  split.parts.forEach((part, i) => {
    const values = replies[i] as RespValue[];
    part.entries.forEach((entry, j) => (out[entry] = values[j]));
  });
  return out;
}
