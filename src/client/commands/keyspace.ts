/**
 * Key-space commands beyond keys.ts: absolute expiry times, moving keys between databases and
 * servers, `SORT`, and what `OBJECT` says about a key's value.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { text } from "../replies.ts";
import { parsed, raw, toBoolean, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** Options of `sort`, `sortRo` and `sortStore`. */
export interface SortOptions {
  /** Sort by the values of keys made from this pattern (`weight_*`, `h_*->field`); `nosort` skips sorting. */
  by?: string;
  limit?: { offset: number; count: number };
  /** Return the values of keys made from these patterns instead (`#` is the element itself). */
  get?: string[];
  order?: "ASC" | "DESC";
  /** Compare as strings instead of numbers. */
  alpha?: boolean;
}

/** Options of `migrate`. */
export interface MigrateOptions {
  /** Keep the key on the source. */
  copy?: boolean;
  /** Overwrite the key on the target. */
  replace?: boolean;
  /** Credentials for the target (redacted from hooks and traces by the command table). */
  auth?: { username?: string; password: string };
}

function sortArgs(name: "SORT" | "SORT_RO", key: Key, options: SortOptions): Arg[] {
  const args: Arg[] = [name, key];
  if (options.by !== undefined) args.push("BY", options.by);
  if (options.limit) args.push("LIMIT", options.limit.offset, options.limit.count);
  for (const pattern of options.get ?? []) args.push("GET", pattern);
  if (options.order) args.push(options.order);
  if (options.alpha) args.push("ALPHA");
  return args;
}

function migrateArgs(host: string, port: number, keys: Key | readonly Key[], db: number, timeoutMs: number, options: MigrateOptions): Arg[] {
  const many = Array.isArray(keys);
  if (many && keys.length === 0) throw new TypeError("migrate: give at least one key");
  const args: Arg[] = ["MIGRATE", host, port, many ? "" : (keys as Key), db, timeoutMs];
  if (options.copy) args.push("COPY");
  if (options.replace) args.push("REPLACE");
  if (options.auth) {
    if (options.auth.username === undefined) args.push("AUTH", options.auth.password);
    else args.push("AUTH2", options.auth.username, options.auth.password);
  }
  if (many) args.push("KEYS", ...(keys as readonly Key[]));
  return args;
}

/** Key-space command table (part two). */
export const keyspaceCommands = {
  /** `EXPIRETIME key` (Redis 7) → the Unix time it expires, seconds; -1 without expiry, -2 when missing. */
  expiretime: (key: Key): Cmd<number> => raw(["EXPIRETIME", key]),
  /** `PEXPIRETIME key` (Redis 7) → the Unix time it expires, ms; -1 without expiry, -2 when missing. */
  pexpiretime: (key: Key): Cmd<number> => raw(["PEXPIRETIME", key]),
  /** `MOVE key db` → whether it moved (not when missing here or present there). */
  move: (key: Key, db: number): Cmd<boolean> => parsed(["MOVE", key, db], toBoolean),
  /**
   * `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH ...] [KEYS key...]`: move keys to
   * another server → `"OK"`, or `"NOKEY"` when none of them existed.
   */
  migrate: (host: string, port: number, keys: Key | readonly Key[], db: number, timeoutMs: number, options: MigrateOptions = {}): Cmd<"OK" | "NOKEY"> =>
    parsed(migrateArgs(host, port, keys, db, timeoutMs, options), (r) => (text(r) === "NOKEY" ? "NOKEY" : "OK")),
  /** `SORT key [BY ...] [LIMIT ...] [GET ...]... [ASC|DESC] [ALPHA]` → the sorted elements (`null` where a `GET` key is missing). */
  sort: (key: Key, options: SortOptions = {}): DataCmd<Array<string | null>> => raw(sortArgs("SORT", key, options)),
  /** `SORT_RO` (Redis 7): `sort` that only reads, so it may run on a replica. */
  sortRo: (key: Key, options: SortOptions = {}): DataCmd<Array<string | null>> => raw(sortArgs("SORT_RO", key, options)),
  /** `SORT ... STORE destination` → how many elements were stored in the list `destination`. */
  sortStore: (key: Key, destination: Key, options: SortOptions = {}): Cmd<number> => raw([...sortArgs("SORT", key, options), "STORE", destination]),
  /** `OBJECT FREQ key` → the LFU access frequency (needs an LFU `maxmemory-policy`), or `null` when missing. */
  objectFreq: (key: Key): Cmd<number | null> => raw(["OBJECT", "FREQ", key]),
  /** `OBJECT IDLETIME key` → seconds since last access (needs an LRU policy), or `null` when missing. */
  objectIdletime: (key: Key): Cmd<number | null> => raw(["OBJECT", "IDLETIME", key]),
  /** `OBJECT REFCOUNT key` → the value's reference count, or `null` when missing. */
  objectRefcount: (key: Key): Cmd<number | null> => raw(["OBJECT", "REFCOUNT", key]),
};
