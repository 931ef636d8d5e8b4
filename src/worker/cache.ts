/**
 * Client-side caching across threads: each worker keeps a cache of its own, and the owner forwards
 * what its own cache hears — every invalidation Redis sent, flushes, and whether caching is on —
 * with the replies of each tick. A worker's cached read then never leaves its thread. The other
 * design — the owner answers from its cache — costs a message to the owner and back per read, and
 * every worker waits on the owner's one thread: on a 2-core machine (bench/worker-cache.ts, Node 20,
 * 2 workers × 50 loops, 95% GET / 5% SET over 1,000 keys) workers with caches of their own did
 * 3.0–3.6× the operations of workers whose reads the owner's cache answered, and 1.4–1.8× those of
 * workers without a cache. The price is memory: each worker holds its own copy (up to `maxEntries`).
 *
 * Reads travel to the owner and back, and invalidations come the same way in the owner's own order,
 * but a worker registers each cacheable read when it sends it, and an invalidation delivered
 * before its reply keeps that reply out of its cache (see `cache/store.ts`), whatever the order
 * in which the owner forwarded the two.
 * @module
 */
import type { ClientCache } from "../cache/cache.ts";
import type { CacheNews } from "./protocol.ts";

/**
 * Owner side: gathers what the owner's cache hears for one worker, until the session sends it.
 *
 * @example
 * ```ts
 * const news = new CacheForwarder(ownerCache, () => flush.schedule());
 * // at the end of the tick: post({ kind: "replies", ..., cache: news.take() })
 * news.close();
 * ```
 */
export class CacheForwarder {
  readonly #cache: ClientCache;
  readonly #stop: () => void;
  #flushed = false;
  #keys: string[] = [];
  /** Whether the worker was last told the cache is active. */
  #active: boolean;

  /** `changed` is called when there is news to send. */
  constructor(cache: ClientCache, changed: () => void) {
    this.#cache = cache;
    this.#active = cache.active;
    this.#stop = cache.onInvalidate((keys) => {
      if (keys === null) {
        this.#flushed = true;
        this.#keys = [];
      } else for (const key of keys) this.#keys.push(key);
      changed();
    });
  }

  /** Whether there is news the worker has not been told. */
  get pending(): boolean {
    return this.#flushed || this.#keys.length > 0 || this.#active !== this.#cache.active;
  }

  /** The news since the last take, if any. */
  take(): CacheNews | undefined {
    if (!this.pending) return undefined;
    const news: CacheNews = { flushed: this.#flushed, keys: this.#keys, active: this.#cache.active };
    this.#flushed = false;
    this.#keys = [];
    this.#active = news.active;
    return news;
  }

  close(): void {
    this.#stop();
  }
}

/**
 * Worker side: apply the owner's news to the worker's cache.
 *
 * @example
 * ```ts
 * if (message.cache) applyCacheNews(cache, message.cache);
 * ```
 */
export function applyCacheNews(cache: ClientCache, news: CacheNews): void {
  if (news.flushed) cache.flush();
  if (news.keys.length > 0) cache.invalidated(news.keys);
  if (!news.active) cache.suspend();
  else if (!cache.active) cache.resume();
}
