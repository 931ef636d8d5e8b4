/**
 * The `keyPrefix` option: a namespace put in front of every key a command names, wherever the
 * command table finds keys (`keyIndexes`) — so typed methods, `send`, `multi()`, scripts' `KEYS`
 * and a worker's commands all get it from the one place commands are created. What the table
 * cannot see is not prefixed: key names written inside a Lua script or function, `SORT`'s
 * `BY`/`GET` patterns, `KEYS`/`SCAN` patterns and their results (use `scanIterator()`, which
 * handles the prefix), and arguments that name a key without accessing it (`CLUSTER KEYSLOT`).
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { keyIndexes } from "./lookup.ts";

const utf8 = new TextEncoder();

/**
 * `args` with `prefix` put in front of every key argument; `args` itself when it has none. Keys
 * given as bytes stay bytes; numbers become text. Anything else is left for argument validation
 * to reject, never turned into a valid key.
 *
 * @example
 * ```ts
 * prefixKeys(["MSET", "a", "1", "b", "2"], "app:"); // ["MSET", "app:a", "1", "app:b", "2"]
 * prefixKeys(["EVAL", "return 1", 1, "k", "arg"], "app:"); // ["EVAL", "return 1", 1, "app:k", "arg"]
 * ```
 */
export function prefixKeys(args: readonly Arg[], prefix: string): readonly Arg[] {
  const indexes = keyIndexes(args);
  if (indexes.length === 0) return args;
  const out = args.slice();
  for (const i of indexes) out[i] = prefixed(out[i]!, prefix);
  return out;
}

function prefixed(key: Arg, prefix: string): Arg {
  if (typeof key === "string") return prefix + key;
  if (key instanceof Uint8Array) {
    const head = utf8.encode(prefix);
    const out = new Uint8Array(head.length + key.length);
    out.set(head);
    out.set(key, head.length);
    return out;
  }
  if (typeof key === "number" || typeof key === "bigint") return prefix + String(key);
  return key;
}

/**
 * A glob pattern (`SCAN MATCH`) that matches `pattern` only among keys under `prefix`: the
 * prefix's own glob characters are escaped.
 *
 * @example
 * ```ts
 * prefixPattern("app:", "user:*"); // "app:user:*"
 * prefixPattern("a*b:", undefined); // "a\\*b:*"
 * ```
 */
export function prefixPattern(prefix: string, pattern: string | undefined): string {
  return prefix.replace(/[*?[\]\\]/g, "\\$&") + (pattern ?? "*");
}
