/**
 * What the cache holds, one {@link Slot} per cache name: the cached reply, and the reads of that
 * name on their way to Redis. One table for both, so that a miss registers its read once (under
 * its name and its keys), its reply lands in the slot it already has, and an invalidation of a key
 * finds the entries and the reads in flight it spoils in one place.
 *
 * The race every client-side cache must close: a read is sent, another client changes the key,
 * the invalidation arrives, and only then the read's reply — the old value. Cached, it would be
 * served until the key changes again. So an invalidation of any of a slot's keys (or a flush)
 * removes the slot, and a read whose slot was removed by the time its reply came is returned to
 * its caller but not cached. The check errs one way only: a reply that may be older than an
 * invalidation is never kept; one that is fresh may be dropped. The same slot lets a read join an
 * identical one on its way while nothing spoiled it: after a write, the callers of a hot key wait
 * for one reply instead of sending one read each.
 *
 * Held replies are kept in least-recently-used order (a list through the slots, so a hit moves
 * one slot, not a map's insertion order), bounded by entries and bytes, optionally by age.
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

/** One cache name (see `cacheScope()` in policy.ts): its reply, if held, and its reads in flight. */
export class Slot {
  readonly scope: string;
  readonly last: string;
  /** The keys its reply depends on. */
  readonly keys: readonly string[];
  /** The store's flush generation it belongs to: a flush since makes it dead. */
  readonly generation: number;
  /** Taken out of the table: an invalidation (or eviction) since; reads in flight must not fill it. */
  removed = false;
  /** Whether `value` is a cached reply. */
  held = false;
  value: RespValue = null;
  size = 0;
  /** When the held reply stops being served (`Date.now()` ms), or Infinity. */
  expiresAt = Infinity;
  /** Reads of it on their way. */
  pending = 0;
  /** The reply of the latest read on its way that others may join, while one is. */
  reply: Promise<RespValue> | undefined = undefined;
  /**
   * Whether the read just begun may be joined (it has no deadline or signal of its own, which a
   * joiner would inherit): set by `begin()`, read by the cache's `fill()` that follows it.
   */
  joining = false;
  prev: Slot | undefined = undefined;
  next: Slot | undefined = undefined;

  constructor(scope: string, last: string, keys: readonly string[], generation: number) {
    this.scope = scope;
    this.last = last;
    this.keys = keys;
    this.generation = generation;
  }
}

/**
 * Slots by cache name and by key; held replies least recently used first.
 *
 * @example
 * ```ts
 * const store = new CacheStore(resolveCacheOptions(true)!);
 * const slot = store.begin("sGET", "k", ["k"]);  // a read of k is sent
 * store.end(slot, "v");                           // its reply: held
 * store.hit(store.find("sGET", "k")!);            // true: "v" is in slot.value
 * store.invalidate("k", false);                   // dropped
 * ```
 */
export class CacheStore {
  readonly #limits: Pick<ResolvedCacheOptions, "maxEntries" | "maxBytes" | "ttl">;
  /** Slots by scope, then by last argument (see `cacheScope()`). */
  readonly #byName = new Map<string, Map<string, Slot>>();
  /** The slots that depend on each key: one alone (the common case), or several. */
  readonly #byKey = new Map<string, Slot | Slot[]>();
  #generation = 0;
  /** Least recently used held slot; `#newest` the most recently used. */
  #oldest: Slot | undefined;
  #newest: Slot | undefined;
  /** Held replies. */
  size = 0;
  bytes = 0;
  evictions = 0;
  invalidations = 0;

  constructor(limits: Pick<ResolvedCacheOptions, "maxEntries" | "maxBytes" | "ttl">) {
    this.#limits = limits;
  }

  /** The slot of a cache name, if it has a reply held or a read on its way. */
  find(scope: string, last: string): Slot | undefined {
    return this.#byName.get(scope)?.get(last);
  }

  /** Whether `slot` holds a live reply (then `slot.value`), now the most recently used; an expired one is dropped. */
  hit(slot: Slot): boolean {
    if (!slot.held) return false;
    if (slot.expiresAt !== Infinity && slot.expiresAt <= Date.now()) {
      this.#release(slot);
      this.evictions++;
      return false;
    }
    if (slot !== this.#newest) {
      this.#unlink(slot);
      this.#append(slot);
    }
    return true;
  }

  /**
   * A read of a cache name is sent: its slot (`found`, or a new one for `scope`, `last` and
   * `keys`), to hand to `end()` with the reply. `joinable`: other reads may wait for its reply.
   */
  begin(scope: string, last: string, keys: readonly string[], found?: Slot, joinable = true): Slot {
    let slot = found;
    if (slot === undefined) {
      slot = new Slot(scope, last, keys, this.#generation);
      let inScope = this.#byName.get(scope);
      if (inScope === undefined) this.#byName.set(scope, (inScope = new Map()));
      inScope.set(last, slot);
      for (const key of keys) {
        const held = this.#byKey.get(key);
        if (held === undefined) this.#byKey.set(key, slot);
        else if (Array.isArray(held)) held.push(slot);
        else this.#byKey.set(key, [held, slot]);
      }
    }
    slot.pending++;
    slot.joining = joinable;
    return slot;
  }

  /**
   * A read of `slot` was answered (or failed): its reply `value` is held unless the slot was
   * spoiled since the read was sent (or `undefined`: nothing to hold). `reply`: the read's
   * promise, no longer one to join. Returns whether the reply was held.
   */
  end(slot: Slot, value: RespValue | undefined, reply?: Promise<RespValue>): boolean {
    slot.pending--;
    if (slot.reply === reply) slot.reply = undefined;
    if (slot.removed || slot.generation !== this.#generation) return false;
    if (value === undefined) {
      if (!slot.held && slot.pending === 0) this.#remove(slot);
      return false;
    }
    this.#hold(slot, value);
    return true;
  }

  /**
   * `key` changed: drop every reply that depends on it. Reads of it on their way are spoiled too,
   * unless `inFlightFresh`: Redis ran them after the change (they went over the connection the
   * invalidation came on, and are answered after it).
   */
  invalidate(key: string, inFlightFresh: boolean): void {
    const held = this.#byKey.get(key);
    if (held === undefined) return;
    const slots = Array.isArray(held) ? held.slice() : [held];
    for (const slot of slots) {
      if (slot.held) this.invalidations++;
      if (inFlightFresh && slot.pending > 0) this.#release(slot);
      else this.#remove(slot);
    }
  }

  /** Drop every slot, so that no read in flight fills one either; `counted`: as invalidations (a flush), or silently (`clear()`). */
  clear(counted: boolean): void {
    if (counted) this.invalidations += this.size;
    this.#generation++;
    this.#byName.clear();
    this.#byKey.clear();
    this.#oldest = this.#newest = undefined;
    this.size = 0;
    this.bytes = 0;
  }

  #hold(slot: Slot, value: RespValue): void {
    const { ttl, maxEntries, maxBytes } = this.#limits;
    let size = 64 + 2 * (slot.scope.length + slot.last.length) + replySize(value);
    for (const key of slot.keys) size += 16 + 2 * key.length;
    if (slot.held) this.#release(slot);
    if (size > maxBytes) {
      // It would evict everything and still not fit.
      if (slot.pending === 0) this.#remove(slot);
      return;
    }
    slot.held = true;
    slot.value = value;
    slot.size = size;
    slot.expiresAt = ttl > 0 ? Date.now() + ttl : Infinity;
    this.#append(slot);
    this.size++;
    this.bytes += size;
    while (this.#oldest !== undefined && (this.size > maxEntries || this.bytes > maxBytes)) {
      const oldest = this.#oldest;
      this.#release(oldest);
      if (oldest.pending === 0) this.#remove(oldest);
      this.evictions++;
    }
  }

  /** Let go of the reply `slot` holds (the slot stays, for its reads in flight). */
  #release(slot: Slot): void {
    if (!slot.held) return;
    this.#unlink(slot);
    slot.held = false;
    slot.value = null;
    this.size--;
    this.bytes -= slot.size;
  }

  /** Take `slot` out of the table: its reply goes, and its reads in flight will not fill it. */
  #remove(slot: Slot): void {
    if (slot.removed || slot.generation !== this.#generation) return;
    this.#release(slot);
    slot.removed = true;
    const inScope = this.#byName.get(slot.scope)!;
    inScope.delete(slot.last);
    if (inScope.size === 0) this.#byName.delete(slot.scope);
    for (const key of slot.keys) {
      const held = this.#byKey.get(key);
      if (held === slot) this.#byKey.delete(key);
      else if (Array.isArray(held)) {
        const i = held.indexOf(slot);
        if (i >= 0) held.splice(i, 1);
        if (held.length === 1) this.#byKey.set(key, held[0]!);
        else if (held.length === 0) this.#byKey.delete(key);
      }
    }
  }

  #append(slot: Slot): void {
    slot.prev = this.#newest;
    slot.next = undefined;
    if (this.#newest) this.#newest.next = slot;
    else this.#oldest = slot;
    this.#newest = slot;
  }

  #unlink(slot: Slot): void {
    if (slot.prev) slot.prev.next = slot.next;
    else if (this.#oldest === slot) this.#oldest = slot.next;
    if (slot.next) slot.next.prev = slot.prev;
    else if (this.#newest === slot) this.#newest = slot.prev;
    slot.prev = slot.next = undefined;
  }
}
