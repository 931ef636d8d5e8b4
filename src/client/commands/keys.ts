/**
 * Key-space and expiry commands.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { text, textOrNull, toOk } from "../replies.ts";
import { binary, raw, toBoolean, parsed, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** Condition of `expire`/`pexpire` (Redis 7): only when the key has no TTL, has one, or the new one is greater/less. */
export type ExpireCondition = "NX" | "XX" | "GT" | "LT";

function expireArgs(name: string, key: Key, amount: number, condition?: ExpireCondition): Arg[] {
  return condition ? [name, key, amount, condition] : [name, key, amount];
}

/** Key command table. */
export const keyCommands = {
  /** `DEL key...` → how many keys were removed. */
  del: (...keys: Key[]): Cmd<number> => raw(["DEL", ...keys]),
  /** `UNLINK key...` (non-blocking delete) → how many keys were removed. */
  unlink: (...keys: Key[]): Cmd<number> => raw(["UNLINK", ...keys]),
  /** `EXISTS key...` → how many of the keys exist. */
  exists: (...keys: Key[]): Cmd<number> => raw(["EXISTS", ...keys]),
  /** `EXPIRE key seconds [NX|XX|GT|LT]` → whether the timeout was set. */
  expire: (key: Key, seconds: number, condition?: ExpireCondition): Cmd<boolean> =>
    parsed(expireArgs("EXPIRE", key, seconds, condition), toBoolean),
  /** `PEXPIRE key ms [NX|XX|GT|LT]` → whether the timeout was set. */
  pexpire: (key: Key, ms: number, condition?: ExpireCondition): Cmd<boolean> =>
    parsed(expireArgs("PEXPIRE", key, ms, condition), toBoolean),
  /** `EXPIREAT key unixSeconds [NX|XX|GT|LT]` → whether the timeout was set. */
  expireat: (key: Key, unixSeconds: number, condition?: ExpireCondition): Cmd<boolean> =>
    parsed(expireArgs("EXPIREAT", key, unixSeconds, condition), toBoolean),
  /** `PEXPIREAT key unixMs [NX|XX|GT|LT]` → whether the timeout was set. */
  pexpireat: (key: Key, unixMs: number, condition?: ExpireCondition): Cmd<boolean> =>
    parsed(expireArgs("PEXPIREAT", key, unixMs, condition), toBoolean),
  /** `TTL key` → seconds left, -1 without expiry, -2 when missing. */
  ttl: (key: Key): Cmd<number> => raw(["TTL", key]),
  /** `PTTL key` → milliseconds left, -1 without expiry, -2 when missing. */
  pttl: (key: Key): Cmd<number> => raw(["PTTL", key]),
  /** `PERSIST key` → whether a timeout was removed. */
  persist: (key: Key): Cmd<boolean> => parsed(["PERSIST", key], toBoolean),
  /** `TYPE key` → `string`, `list`, `set`, `zset`, `hash`, `stream` or `none`. */
  type: (key: Key): Cmd<string> => parsed(["TYPE", key], text),
  /** `RENAME key newkey`. */
  rename: (key: Key, newKey: Key): Cmd<"OK"> => parsed(["RENAME", key, newKey], toOk),
  /** `RENAMENX key newkey` → whether it was renamed. */
  renamenx: (key: Key, newKey: Key): Cmd<boolean> => parsed(["RENAMENX", key, newKey], toBoolean),
  /** `KEYS pattern` — blocks the server on large databases; prefer `scanIterator`. */
  keys: (pattern: string): DataCmd<string[]> => raw(["KEYS", pattern]),
  /** `RANDOMKEY` → a random key, or `null` when empty. */
  randomkey: (): DataCmd<string | null> => raw(["RANDOMKEY"]),
  /** `TOUCH key...` → how many keys exist. */
  touch: (...keys: Key[]): Cmd<number> => raw(["TOUCH", ...keys]),
  /** `COPY source destination [DB n] [REPLACE]` → whether it was copied. */
  copy: (source: Key, destination: Key, options: { db?: number; replace?: boolean } = {}): Cmd<boolean> => {
    const args: Arg[] = ["COPY", source, destination];
    if (options.db !== undefined) args.push("DB", options.db);
    if (options.replace) args.push("REPLACE");
    return parsed(args, toBoolean);
  },
  /** `DUMP key` → the serialized value, or `null`. */
  dump: (key: Key): Cmd<Uint8Array | null> => binary(["DUMP", key]),
  /** `RESTORE key ttl serialized [REPLACE]`. */
  restore: (key: Key, ttlMs: number, serialized: Uint8Array, options: { replace?: boolean } = {}): Cmd<"OK"> =>
    parsed(options.replace ? ["RESTORE", key, ttlMs, serialized, "REPLACE"] : ["RESTORE", key, ttlMs, serialized], toOk),
  /** `OBJECT ENCODING key` → the internal encoding, or `null`. */
  objectEncoding: (key: Key): Cmd<string | null> => parsed(["OBJECT", "ENCODING", key], textOrNull),
};
