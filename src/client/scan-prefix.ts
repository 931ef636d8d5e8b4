/**
 * `scanIterator()` under a `keyPrefix`: `SCAN`'s `MATCH` is a pattern, not a key, so the command
 * table cannot prefix it. The iterator scans only the keys under the prefix and yields them as the
 * caller named them, the prefix stripped — ready to pass back to any command, which adds it again.
 * @module
 */
import { prefixPattern } from "../commands/prefix.ts";

const utf8 = new TextEncoder();

/**
 * Run `scan` with `match` narrowed to the keys under `prefix` (as is without one), yielding each
 * key with the prefix stripped (from bytes as from text).
 *
 * @example
 * ```ts
 * for await (const key of withinPrefix("app:", "user:*", (m) => scanAll(api, ["SCAN"], { match: m }, [], "single"))) {} // "user:1", ...
 * ```
 */
export async function* withinPrefix<K extends string | Uint8Array>(
  prefix: string | Promise<string>,
  match: string | undefined,
  scan: (match: string | undefined) => AsyncGenerator<K>,
): AsyncGenerator<K> {
  const known = await prefix;
  if (!known) {
    yield* scan(match);
    return;
  }
  const length = utf8.encode(known).length;
  for await (const key of scan(prefixPattern(known, match))) {
    yield (typeof key === "string" ? key.slice(known.length) : key.subarray(length)) as K;
  }
}
