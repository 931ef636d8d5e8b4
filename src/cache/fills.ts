/**
 * The race every client-side cache must close: a read is sent, another client changes the key,
 * the invalidation arrives, and only then is the read's reply — the old value — cached. Cached, it
 * would be served until the key changes again. Over one RESP3 connection Redis sends the push
 * after the old reply, yet the reply is cached in a promise reaction, after the push was read; and
 * the invalidation may come on another connection (a `REDIRECT` target, a pool's other connection,
 * a worker's owner) or from a write through this client, which drops entries before Redis says
 * anything.
 *
 * So each cacheable read is registered under its keys when it is sent, and any invalidation of one
 * of them — or a flush — before its reply marks it stale: its reply is returned to its caller but
 * not cached. The check errs one way only: a reply that may be older than an invalidation is never
 * kept, and one that is fresh may be dropped.
 *
 * The same registry lets a read join an identical one already on its way, as long as nothing
 * invalidated that one since it was sent: after a write, the callers that all read the same hot
 * key wait for one reply instead of sending one read each.
 * @module
 */
import type { RespValue } from "../resp/types.ts";

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
  /** Its reply, once sent (identical reads may join it). */
  reply: Promise<RespValue> | undefined = undefined;

  constructor(scope: string, last: string, keys: readonly string[], generation: number) {
    this.scope = scope;
    this.last = last;
    this.keys = keys;
    this.generation = generation;
  }
}

/**
 * The cacheable reads awaiting replies, by key and by what they read.
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
  /** The latest read of each cache name, by scope then last argument (see `cacheScope()`). */
  readonly #byName = new Map<string, Map<string, Fill>>();
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
    let inScope = this.#byName.get(scope);
    if (inScope === undefined) this.#byName.set(scope, (inScope = new Map()));
    inScope.set(last, fill);
    return fill;
  }

  /** A read of the same name on its way whose reply is still as fresh as a read sent now, if any. */
  joinable(scope: string, last: string): Fill | undefined {
    const fill = this.#byName.get(scope)?.get(last);
    return fill !== undefined && fill.reply !== undefined && this.#fresh(fill) ? fill : undefined;
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
    const inScope = this.#byName.get(fill.scope);
    if (inScope?.get(fill.last) === fill) {
      inScope.delete(fill.last);
      if (inScope.size === 0) this.#byName.delete(fill.scope);
    }
    return this.#fresh(fill);
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
    this.#byName.clear();
  }

  #fresh(fill: Fill): boolean {
    return !fill.stale && fill.generation === this.#generation;
  }
}
