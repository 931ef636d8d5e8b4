/**
 * The race every client-side cache must close: a read is sent, another client changes the key,
 * the invalidation arrives, and only then does the read's reply — the old value — arrive. Cached,
 * it would be served until the key changes again. (Over one RESP3 connection Redis orders the push
 * behind the reply; but the invalidation may come on another connection — a `REDIRECT` target, a
 * pool's other connection, a worker's owner — or from a write through this client, which drops
 * entries before Redis says anything.)
 *
 * So each cacheable read is registered under its keys when it is sent, and any invalidation of one
 * of them — or a flush — before its reply marks it stale: its reply is returned to its caller but
 * not cached. The check errs one way only: a reply that may be older than an invalidation is never
 * kept, and one that is fresh may be dropped.
 * @module
 */

/**
 * A cacheable read on its way to Redis.
 *
 * @example
 * ```ts
 * const fill = fills.begin("sGET", "k", ["k"]);
 * fills.invalidate("k");  // the key changed before the reply
 * fills.end(fill);        // false: do not cache the reply
 * ```
 */
export class Fill {
  /** Where its reply is to be cached (see `cacheScope()`). */
  readonly scope: string;
  readonly last: string;
  readonly keys: readonly string[];
  /** The flush generation it was sent in: a flush since then makes it stale. */
  readonly generation: number;
  stale = false;

  constructor(scope: string, last: string, keys: readonly string[], generation: number) {
    this.scope = scope;
    this.last = last;
    this.keys = keys;
    this.generation = generation;
  }
}

/**
 * The cacheable reads awaiting replies, by key.
 *
 * @example
 * ```ts
 * const fills = new PendingFills();
 * const fill = fills.begin("sGET", "k", ["k"]);
 * fills.end(fill); // true: nothing invalidated "k" meanwhile, the reply may be cached
 * ```
 */
export class PendingFills {
  readonly #byKey = new Map<string, Fill | Fill[]>();
  /** Bumped by every flush, so a flush marks every read then in flight stale without visiting each. */
  #generation = 0;

  /** Register a read of `keys` being sent now. */
  begin(scope: string, last: string, keys: readonly string[]): Fill {
    const fill = new Fill(scope, last, keys, this.#generation);
    for (const key of keys) {
      const held = this.#byKey.get(key);
      if (held === undefined) this.#byKey.set(key, fill);
      else if (Array.isArray(held)) held.push(fill);
      else this.#byKey.set(key, [held, fill]);
    }
    return fill;
  }

  /** The read's reply arrived (or it failed): forget it. Returns whether its reply may be cached. */
  end(fill: Fill): boolean {
    for (const key of fill.keys) {
      const held = this.#byKey.get(key);
      if (held === fill) this.#byKey.delete(key);
      else if (Array.isArray(held)) {
        const i = held.indexOf(fill);
        if (i >= 0) held.splice(i, 1);
        if (held.length === 0) this.#byKey.delete(key);
      }
    }
    return !fill.stale && fill.generation === this.#generation;
  }

  /** `key` changed: the reads of it in flight may bring the old value. */
  invalidate(key: string): void {
    const held = this.#byKey.get(key);
    if (held === undefined) return;
    this.#byKey.delete(key);
    if (Array.isArray(held)) for (const fill of held) fill.stale = true;
    else held.stale = true;
  }

  /** Anything may have changed: every read in flight may bring an old value. */
  invalidateAll(): void {
    this.#generation++;
    this.#byKey.clear();
  }
}
