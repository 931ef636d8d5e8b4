/**
 * The cached replies: found by the command they answer, dropped by any key they depend on, kept in
 * least-recently-used order (a linked list through the entries, so a hit moves one entry, not a
 * map's insertion order), bounded by entries and bytes, optionally by age.
 * @module
 */
import type { RespValue } from "../resp/types.ts";
import type { ResolvedCacheOptions } from "./options.ts";
import { replySize } from "./values.ts";

/**
 * Counters of a client-side cache (`stats().cache`).
 *
 * @example
 * ```ts
 * const { hits, misses } = redis.stats().cache!;
 * console.log(`hit rate ${(hits / (hits + misses)).toFixed(2)}`);
 * ```
 */
export interface CacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /**
   * Cacheable reads not answered from memory: sent to Redis (not cached yet, expired, invalidated),
   * or given the reply of the same read already on its way.
   */
  misses: number;
  /** Entries dropped because Redis invalidated one of their keys, a write through this client changed one, or the cache was flushed. */
  invalidations: number;
  /** Entries dropped to stay within `maxEntries` / `maxBytes`, or past `ttl`. */
  evictions: number;
  /** Entries held now. */
  entries: number;
  /** Estimated bytes held now. */
  bytes: number;
}

/** One cached reply. */
export class Entry {
  /** Where it is found: see `cacheScope()` (policy.ts). */
  readonly scope: string;
  readonly last: string;
  readonly value: RespValue;
  readonly keys: readonly string[];
  readonly size: number;
  /** When it stops being served (`Date.now()` ms), or Infinity. */
  readonly expiresAt: number;
  prev: Entry | undefined = undefined;
  next: Entry | undefined = undefined;

  constructor(scope: string, last: string, keys: readonly string[], value: RespValue, expiresAt: number) {
    this.scope = scope;
    this.last = last;
    this.keys = keys;
    this.value = value;
    this.expiresAt = expiresAt;
    let size = 64 + 2 * (scope.length + last.length) + replySize(value);
    for (const key of keys) size += 16 + 2 * key.length;
    this.size = size;
  }
}

/**
 * Replies by command, least recently used first.
 *
 * @example
 * ```ts
 * const store = new CacheStore(resolveCacheOptions(true)!);
 * store.set("sGET", "k", ["k"], "v");
 * store.get("sGET", "k")?.value; // "v"
 * store.invalidate("k");         // dropped
 * ```
 */
export class CacheStore {
  readonly #limits: Pick<ResolvedCacheOptions, "maxEntries" | "maxBytes" | "ttl">;
  /** Entries by scope, then by last argument (see `cacheScope()`). */
  readonly #byName = new Map<string, Map<string, Entry>>();
  #size = 0;
  /** The entries that depend on each key: one entry alone (the common case), or several. */
  readonly #byKey = new Map<string, Entry | Entry[]>();
  /** Least recently used; `#newest` the most recently used. */
  #oldest: Entry | undefined;
  #newest: Entry | undefined;
  bytes = 0;
  evictions = 0;
  invalidations = 0;

  constructor(limits: Pick<ResolvedCacheOptions, "maxEntries" | "maxBytes" | "ttl">) {
    this.#limits = limits;
  }

  /** Entries held. */
  get size(): number {
    return this.#size;
  }

  /** The live entry for `scope` and `last`, now the most recently used; an expired one is dropped. */
  get(scope: string, last: string): Entry | undefined {
    const entry = this.#byName.get(scope)?.get(last);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== Infinity && entry.expiresAt <= Date.now()) {
      this.#remove(entry);
      this.evictions++;
      return undefined;
    }
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#append(entry);
    }
    return entry;
  }

  /** Keep `value` as the reply to `scope` and `last`, which depends on `keys`; evicts the least recently used past the bounds. */
  set(scope: string, last: string, keys: readonly string[], value: RespValue): void {
    const { ttl, maxEntries, maxBytes } = this.#limits;
    const entry = new Entry(scope, last, keys, value, ttl > 0 ? Date.now() + ttl : Infinity);
    let inScope = this.#byName.get(scope);
    const old = inScope?.get(last);
    if (old !== undefined) this.#remove(old);
    if (entry.size > maxBytes) return; // would evict everything and still not fit
    if (inScope === undefined || old !== undefined) {
      inScope = this.#byName.get(scope); // #remove may have dropped an emptied scope
      if (inScope === undefined) this.#byName.set(scope, (inScope = new Map()));
    }
    inScope.set(last, entry);
    this.#size++;
    this.#append(entry);
    this.bytes += entry.size;
    for (const key of keys) {
      const held = this.#byKey.get(key);
      if (held === undefined) this.#byKey.set(key, entry);
      else if (Array.isArray(held)) held.push(entry);
      else this.#byKey.set(key, [held, entry]);
    }
    while (this.#oldest !== undefined && (this.#size > maxEntries || this.bytes > maxBytes)) {
      this.#remove(this.#oldest);
      this.evictions++;
    }
  }

  /** Drop every entry that depends on `key`. */
  invalidate(key: string): void {
    const held = this.#byKey.get(key);
    if (held === undefined) return;
    if (Array.isArray(held)) {
      const entries = held.slice();
      for (const entry of entries) this.#remove(entry);
      this.invalidations += entries.length;
    } else {
      this.#remove(held);
      this.invalidations++;
    }
  }

  /** Drop every entry; `counted`: as invalidations (a flush), or silently (`clear()`). */
  clear(counted: boolean): void {
    if (counted) this.invalidations += this.#size;
    this.#byName.clear();
    this.#size = 0;
    this.#byKey.clear();
    this.#oldest = this.#newest = undefined;
    this.bytes = 0;
  }

  #remove(entry: Entry): void {
    const inScope = this.#byName.get(entry.scope);
    if (inScope?.get(entry.last) !== entry) return; // already gone
    inScope.delete(entry.last);
    if (inScope.size === 0) this.#byName.delete(entry.scope);
    this.#size--;
    this.#unlink(entry);
    this.bytes -= entry.size;
    for (const key of entry.keys) {
      const held = this.#byKey.get(key);
      if (held === entry) this.#byKey.delete(key);
      else if (Array.isArray(held)) {
        const i = held.indexOf(entry);
        if (i >= 0) held.splice(i, 1);
        if (held.length === 1) this.#byKey.set(key, held[0]!);
        else if (held.length === 0) this.#byKey.delete(key);
      }
    }
  }

  #append(entry: Entry): void {
    entry.prev = this.#newest;
    entry.next = undefined;
    if (this.#newest) this.#newest.next = entry;
    else this.#oldest = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else if (this.#oldest === entry) this.#oldest = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else if (this.#newest === entry) this.#newest = entry.prev;
    entry.prev = entry.next = undefined;
  }
}
