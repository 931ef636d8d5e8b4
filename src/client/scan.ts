/**
 * The SCAN family as async iterators: the cursor loop written once.
 * @module
 */
import type { Arg, RespValue } from "../resp/types.ts";
import type { CommandApi } from "./api.ts";
import { text } from "./replies.ts";

/** Options of the `*scanIterator` methods. */
export interface ScanOptions {
  /** Glob-style pattern (`MATCH`). */
  match?: string;
  /** Hint for how many elements each round trip returns (`COUNT`). */
  count?: number;
}

/**
 * What each element of an iteration is made of: one reply (a key, a member), a `[field, value]`
 * pair of data, or a `[member, score]` pair whose score is text in either mode.
 */
export type ScanShape = "single" | "pair" | "scored";

/**
 * Yield every element of a `SCAN`/`HSCAN`/`SSCAN`/`ZSCAN` iteration, shaped by `shape`, until the
 * server returns cursor `0`.
 */
export async function* scanAll<T>(
  api: CommandApi,
  head: Arg[],
  options: ScanOptions,
  extra: Arg[],
  shape: ScanShape,
): AsyncGenerator<T> {
  const tail: Arg[] = [];
  if (options.match !== undefined) tail.push("MATCH", options.match);
  if (options.count !== undefined) tail.push("COUNT", options.count);
  tail.push(...extra);
  let cursor = "0";
  do {
    const reply = (await api.send([...head, cursor, ...tail])) as [RespValue, RespValue[]];
    cursor = text(reply[0]); // read as text in either mode (a bytes-mode reply brings it as bytes)
    const items = reply[1];
    if (shape === "single") for (const item of items) yield item as T;
    else for (let i = 0; i + 1 < items.length; i += 2) yield [items[i], shape === "scored" ? text(items[i + 1]) : items[i + 1]] as T;
  } while (cursor !== "0");
}
