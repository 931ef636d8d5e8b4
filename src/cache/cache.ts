/**
 * A client-side cache: reads answered from memory, kept fresh by the invalidations Redis sends for
 * the keys it saw this client read (see tracking.ts). One {@link ClientCache} serves one client,
 * pool or worker client; the owner of the connections tells it what Redis sent and when a tracking
 * connection was lost, and lets it see every command its factories create, so that a write through
 * any entry point drops the entries of its keys before it is even sent, and again when it is
 * answered.
 * @module
 */
import { lookupCommand } from "../commands/lookup.ts";
import type { CommandInfo } from "../commands/table.ts";
import type { CommandWatcher } from "../conn/factory.ts";
import type { CommandOptions } from "../conn/command.ts";
import { type Hooks, observeCommand, reportTo } from "../conn/hooks.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { ResolvedCacheOptions } from "./options.ts";
import { argKey, cacheScope, readKeys, writtenKeys } from "./policy.ts";
import { CacheStore, type CacheStats, type Slot } from "./store.ts";
import { invalidatedKeys } from "./tracking.ts";
import { copyReply, isCacheableReply } from "./values.ts";

/**
 * The cache of a client or pool, as `client.cache` shows it.
 *
 * @example
 * ```ts
 * const redis = createClient({ url, cache: { maxEntries: 1000 } });
 * await redis.get("k"); await redis.get("k"); // the second is a hit
 * redis.cache!.stats().hits;                   // 1
 * redis.cache!.clear();
 * ```
 */
export interface Cache {
  /** Drop every entry (reads in flight are not cached either). */
  clear(): void;
  /** Counters and size. */
  stats(): CacheStats;
}

/**
 * Keys Redis invalidated (`null`: everything) — what an owner forwards to its workers' caches.
 *
 * @example
 * ```ts
 * const listener: InvalidationListener = (keys) => console.log(keys ?? "flushed");
 * ```
 */
export type InvalidationListener = (keys: readonly string[] | null) => void;

/**
 * A client-side cache over tracked connections.
 *
 * @example
 * ```ts
 * const cache = new ClientCache(resolveCacheOptions(true)!);
 * const read = cache.lookup(["GET", "k"], lookupCommand(["GET", "k"]), options, false);
 * if (read instanceof Promise) return read;      // a hit
 * const reply = send(["GET", "k"]);
 * if (read) { const done = cache.fill(read, reply); reply.then(done, done); } // cached once answered, unless invalidated meanwhile
 * ```
 */
export class ClientCache implements Cache, CommandWatcher {
  readonly options: ResolvedCacheOptions;
  readonly #store: CacheStore;
  readonly #hooks: Hooks | undefined;
  readonly #ordered: boolean;
  readonly #listeners = new Set<InvalidationListener>();
  #hits = 0;
  #misses = 0;
  /** While invalidations cannot reach the cache (see `suspend()`), it neither answers nor fills. */
  #active = true;

  /**
   * `hooks`: a command hook also sees hits (they never reach a connection, so nothing else would
   * report them). `ordered`: every cached read goes over the one connection the invalidations
   * arrive on (a multiplexer on RESP3), and its reply is cached as it is read ({@link
   * ClientCache.fill}), so an invalidation read after a reply always comes after that reply was
   * cached and never needs to hold back a read in flight: Redis ran that read after the write.
   */
  constructor(options: ResolvedCacheOptions, hooks?: Hooks, ordered = false) {
    this.options = options;
    this.#ordered = ordered;
    this.#store = new CacheStore(options);
    this.#hooks = hooks?.command ? hooks : undefined;
  }

  /**
   * A read about to be sent: its cached reply (a copy) as a resolved promise — or the reply of the
   * same read already on its way, if nothing invalidated that one since — or, when it is cacheable
   * but neither, its {@link Slot} to hand to {@link ClientCache.fill} with its reply; or `undefined`
   * when it is not cacheable, or `options` say `cache: false`. `bytes`: the reply is read as bytes.
   */
  lookup(args: readonly Arg[], info: CommandInfo | undefined, options: CommandOptions | undefined, bytes: boolean): Promise<RespValue> | Slot | undefined {
    if (options?.cache === false || !this.#active) return undefined;
    const scope = cacheScope(args, info, bytes);
    if (scope === undefined) return undefined;
    const last = argKey(args[args.length - 1]!);
    if (last === undefined) return undefined;
    const store = this.#store;
    const slot = store.find(scope, last);
    if (slot !== undefined && store.hit(slot)) {
      this.#hits++;
      if (this.#hooks) observeCommand(this.#hooks, args)?.(undefined);
      return Promise.resolve(copyReply(slot.value));
    }
    const keys = slot?.keys ?? readKeys(args, info!); // cacheScope() found info
    if (!this.#covered(keys)) return undefined;
    this.#misses++;
    // A read may join one on its way (its slot still in the table: nothing spoiled it since it
    // was sent), unless it has a deadline or a signal of its own.
    const joinable = options?.signal === undefined && options?.timeout === undefined;
    if (joinable && slot?.reply !== undefined) return reportTo(slot.reply.then(copyReply), this.#hooks && observeCommand(this.#hooks, args));
    return store.begin(scope, last, keys, slot, joinable);
  }

  /**
   * `slot`'s read was sent; `reply` is its promise. Returns what to call with its outcome as soon
   * as it is known: the reply is cached then, unless one of its keys was invalidated since it was
   * sent.
   */
  fill(slot: Slot, reply: Promise<RespValue>): (outcome: RespValue | Error) => void {
    if (slot.joining) slot.reply = reply;
    return (outcome) => {
      this.#store.end(slot, outcome instanceof Error || !isCacheableReply(outcome) ? undefined : copyReply(outcome), reply);
    };
  }

  /**
   * A command is being created for a connection other than the one cached reads go over (a
   * pool's, a dedicated one): if it may change keys, their entries go now, and reads of them in
   * flight will not be cached. Returns what to call once it settled, when the entries go again: a
   * read sent on another connection may have been answered with the old value in between.
   */
  watch(args: readonly Arg[]): (() => void) | undefined {
    const keys = writtenKeys(args, lookupCommand(args));
    if (keys === undefined) return undefined;
    this.#drop(keys);
    return () => this.#drop(keys);
  }

  /**
   * Watches the commands created for the connection cached reads go over (the multiplexer's):
   * a write's entries go when it is created, and only then — Redis runs every read sent after it
   * on that connection after it.
   */
  readonly inOrder: CommandWatcher = {
    watch: (args) => {
      const keys = writtenKeys(args, lookupCommand(args));
      if (keys !== undefined) this.#drop(keys);
      return undefined;
    },
  };

  /** Redis invalidated `keys` (`null`: every key, after FLUSHALL/FLUSHDB). */
  invalidated(keys: readonly string[] | null): void {
    if (keys === null) this.flush();
    else {
      for (const key of keys) this.#store.invalidate(key, this.#ordered);
      for (const listener of this.#listeners) listener(keys);
    }
  }

  /** A push (or a RESP2 message) from a tracking connection: an invalidation is applied, anything else ignored. */
  onPush(message: readonly RespValue[]): void {
    const keys = invalidatedKeys(message);
    if (keys !== undefined) this.invalidated(keys);
  }

  /** Invalidations may have been missed (a tracking connection was lost) or everything changed: drop everything. */
  flush(): void {
    this.#store.clear(true);
    for (const listener of this.#listeners) listener(null);
  }

  /**
   * Invalidations cannot reach the cache for now (RESP2: the connection they are redirected to is
   * down, or tracking does not point at it yet): drop everything, answer and fill nothing.
   */
  suspend(): void {
    if (this.#active) this.flush();
    this.#active = false;
  }

  /** Whether it answers and fills (see `suspend()`). */
  get active(): boolean {
    return this.#active;
  }

  /** Invalidations reach the cache again: reads sent from now on may fill it (none sent before). */
  resume(): void {
    this.#store.clear(false);
    this.#active = true;
  }

  clear(): void {
    this.#store.clear(false);
  }

  /** Reads answered from memory so far: what a connection's write batching counts (see `ConnectionHooks.callersServed`). */
  get hits(): number {
    return this.#hits;
  }

  stats(): CacheStats {
    const store = this.#store;
    return { hits: this.#hits, misses: this.#misses, invalidations: store.invalidations, evictions: store.evictions, entries: store.size, bytes: store.bytes };
  }

  /** Hear every invalidation (to forward it to workers); returns a function that stops it. */
  onInvalidate(listener: InvalidationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #drop(keys: readonly string[] | "all"): void {
    if (keys === "all") return this.flush();
    for (const key of keys) this.#store.invalidate(key, false);
  }

  /** In broadcast mode with prefixes, Redis invalidates only keys under them: others are not cached. */
  #covered(keys: readonly string[]): boolean {
    const { prefixes } = this.options;
    if (prefixes.length === 0) return true;
    return keys.every((key) => prefixes.some((prefix) => key.startsWith(prefix)));
  }
}
