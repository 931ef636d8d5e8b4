/**
 * Optimistic transactions: `WATCH` the keys, read, build a transaction from what was read, `EXEC`;
 * when `EXEC` answers `null` (a watched key changed meanwhile), do it all again. `WATCH` belongs
 * to a connection, so every run happens on one connection of the caller's own (`isolated()`).
 * @module
 */
import { WatchError } from "../errors.ts";
import type { CommandApi } from "./api.ts";
import type { Multi, MultiResults } from "./batch.ts";
import type { Key } from "./spec.ts";

/** Options of `watch()`. */
export interface WatchOptions {
  /** How many times to run `fn` again after a watched key changed. Default `3`. */
  retries?: number;
}

/**
 * What a `watch()` call runs: reads through `tx` (the connection that holds the `WATCH`) and
 * returns the transaction to execute, built with `tx.multi()`.
 */
export type WatchBody<T extends unknown[]> = (tx: CommandApi) => Multi<T> | Promise<Multi<T>>;

/**
 * Run `fn` under `WATCH keys` on a connection of `api`'s own until its transaction executes, at
 * most `1 + retries` times; then reject with {@link WatchError}.
 */
export async function watchTransaction<T extends unknown[]>(
  api: CommandApi,
  keys: Key | readonly Key[],
  fn: WatchBody<T>,
  options: WatchOptions = {},
): Promise<MultiResults<T>> {
  const retries = options.retries ?? 3;
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`watch(): retries must be a whole number >= 0, got ${String(retries)}`);
  const watched: Key[] = Array.isArray(keys) ? [...keys] : [keys as Key];
  if (watched.length === 0) throw new TypeError("watch(): give at least one key");
  return api.isolated(async (tx) => {
    for (let run = 0; run <= retries; run++) {
      await tx.send(["WATCH", ...watched]);
      let multi: Multi<T>;
      try {
        multi = await fn(tx);
        if (!multi.isFrom(tx)) throw new TypeError("watch(): return a transaction built with tx.multi(); one from another client would run without the WATCH");
      } catch (err) {
        await tx.send(["UNWATCH"]).catch(() => {}); // the connection may go on serving its owner
        throw err;
      }
      if (multi.length === 0) {
        await tx.send(["UNWATCH"]); // exec() of nothing sends no EXEC, which would have ended the WATCH
        return [] as unknown as MultiResults<T>;
      }
      const results = await multi.exec();
      if (results !== null) return results;
    }
    throw new WatchError(`watch(): a watched key changed before EXEC on each of ${retries + 1} times the transaction ran (raise retries, or reduce contention on the keys)`);
  });
}
