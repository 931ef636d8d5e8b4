/**
 * What `pool.stats()` reports, read straight off the pool's collections and counters, and the
 * bounded sample of recent acquire waits its percentiles come from.
 * @module
 */
import type { CacheStats } from "../cache/store.ts";
import type { PoolEngine } from "./engine.ts";

/**
 * A snapshot of a pool. `total = idle + inUse + connecting + checking + closing`, never above `max`.
 *
 * @example
 * ```ts
 * const { total, inUse, waiting, acquireWaitP99 } = pool.stats();
 * ```
 */
export interface PoolStats {
  /** Every connection the pool holds: open, being opened, being checked, or being closed. */
  total: number;
  /** Open connections doing nothing. */
  idle: number;
  /** Connections leased out or running pool commands. */
  inUse: number;
  /** Of `inUse`: leased out to callers of `acquire()` (and blocking pool commands). */
  leased: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** Connections being opened. */
  connecting: number;
  /** Connections being health-checked or reset after a lease. */
  checking: number;
  /** Connections being closed (idle eviction, lifetime, pool close). */
  closing: number;
  /** Connections opened since the pool was created. */
  created: number;
  /** Connections closed or lost since the pool was created. */
  destroyed: number;
  /** Master switches (Sentinel failovers) the pool followed, closing its connections to the old master. */
  failovers: number;
  /** Acquires (and pool commands) that gave up after `acquireTimeout`. */
  acquireTimeouts: number;
  /** Median wait of recent acquires, ms (0 when served at once). */
  acquireWaitP50: number;
  /** 99th percentile wait of recent acquires, ms. */
  acquireWaitP99: number;
  /** The client-side cache's counters, when the pool has one (option `cache`). */
  cache?: CacheStats;
}

/**
 * A snapshot of the pool `engine` serves; busy connections whose replies are all in are settled
 * first, so they count as idle.
 *
 * @example
 * ```ts
 * const { idle, waiting } = readStats(engine);
 * ```
 */
export function readStats(engine: PoolEngine): PoolStats {
  if (engine.state === "open" && engine.settleDrained()) engine.kick(); // busy connections whose replies are in count as idle
  const m = engine.members;
  return {
    total: m.total,
    idle: m.idle.length,
    inUse: m.leased.size + m.busy.size + m.draining.size,
    leased: m.leased.size,
    waiting: engine.waiters.size,
    connecting: m.connecting.size,
    checking: m.checking.size,
    closing: m.closing.size,
    failovers: engine.failovers,
    created: engine.created,
    destroyed: engine.destroyed,
    acquireTimeouts: engine.acquireTimeouts,
    acquireWaitP50: engine.waits.percentile(0.5),
    acquireWaitP99: engine.waits.percentile(0.99),
    ...(engine.cache && { cache: engine.cache.stats() }),
  };
}

/**
 * The last `capacity` acquire waits in a ring; percentiles are computed when asked for, so
 * recording one is a store and an increment.
 *
 * @example
 * ```ts
 * const waits = new WaitSamples(4);
 * for (const ms of [1, 2, 3, 40]) waits.add(ms);
 * waits.percentile(0.5); // 2
 * ```
 */
export class WaitSamples {
  #ring: Float64Array;
  #next = 0;
  #count = 0;

  constructor(capacity = 1024) {
    this.#ring = new Float64Array(capacity);
  }

  /** Record one wait, ms. */
  add(ms: number): void {
    this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#ring.length;
    if (this.#count < this.#ring.length) this.#count++;
  }

  /** The `p` quantile (0..1) of the recorded waits (nearest rank), 0 when none were recorded. */
  percentile(p: number): number {
    if (this.#count === 0) return 0;
    const sorted = this.#ring.slice(0, this.#count).sort();
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil(p * this.#count) - 1));
    return Math.round(sorted[rank]! * 1000) / 1000;
  }
}
