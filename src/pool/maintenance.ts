/**
 * The pool's housekeeping timer: idle eviction, lifetime retirement, leak reports, and the sweep
 * that returns busy connections whose replies are all in to `idle`. One timer for all of it, and
 * only while there is something to watch, so an empty pool holds no timer and `close()` leaves none.
 * @module
 */
import type { Lifecycle } from "./lifecycle.ts";

/** Sweeps never run more often than this (ms), nor less often than {@link MAX_INTERVAL_MS}. */
const MIN_INTERVAL_MS = 10;
const MAX_INTERVAL_MS = 1_000;

/**
 * Runs {@link Maintenance.sweep} every half of the shortest of `idleTimeout`/`leakTimeout`, or
 * 1/40 of `maxLifetime` (10 ms – 1 s), so evictions and leak reports land at most that late.
 *
 * @example
 * ```ts
 * const maintenance = new Maintenance(engine); // engine: the pool's Lifecycle
 * maintenance.ensure(); // after a connection was opened
 * maintenance.stop();   // on close
 * ```
 */
export class Maintenance {
  readonly interval: number;
  #pool: Lifecycle;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(pool: Lifecycle) {
    this.#pool = pool;
    const { idleTimeout, maxLifetime, leakTimeout } = pool.options;
    // Lifetimes are jittered over their last 10%: sweeping at 1/40 of it keeps the spread visible.
    const enabled = [idleTimeout / 2, maxLifetime / 40, leakTimeout / 2].filter((ms) => ms > 0);
    const shortest = enabled.length > 0 ? Math.min(...enabled) : MAX_INTERVAL_MS;
    this.interval = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.floor(shortest)));
  }

  /** Arm the timer if anything needs watching and it is not armed. */
  ensure(): void {
    if (this.#timer === undefined && this.#needed()) this.#timer = setTimeout(() => this.#tick(), this.interval);
  }

  /** Disarm (on close). */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** One round of housekeeping, then `kick()` to refill `min` and serve waiters. */
  sweep(now = Date.now()): void {
    const pool = this.#pool;
    const m = pool.members;
    const o = pool.options;
    if (pool.state !== "open") return;
    pool.settleDrained();
    if (o.maxLifetime > 0) {
      // Idle ones close now; busy ones close after their outstanding replies (a graceful close waits
      // for them and takes no new commands); leased ones when they are released.
      for (const x of [...m.idle, ...m.busy]) if (x.expiresAt <= now) void pool.retire(x, "reached maxLifetime");
    }
    if (o.idleTimeout > 0) {
      // idle[0] has been idle longest; stop at the first that has not timed out, or at min.
      for (const x of [...m.idle]) {
        if (m.total - m.closing.size <= o.min || now - x.idleSince < o.idleTimeout) break;
        void pool.retire(x, `idle for more than ${o.idleTimeout} ms`);
      }
    }
    if (o.leakTimeout > 0 && pool.events.listens("leak")) {
      for (const x of m.leased) {
        const heldFor = now - x.leasedAt;
        if (x.leakReported || heldFor < o.leakTimeout) continue;
        x.leakReported = true;
        pool.events.emit("leak", { clientId: x.clientId, heldFor, stack: x.leaseStack ?? "" });
      }
    }
    pool.kick();
  }

  #tick(): void {
    this.#timer = undefined;
    this.sweep();
    this.ensure();
  }

  #needed(): boolean {
    const pool = this.#pool;
    const m = pool.members;
    if (pool.state !== "open" || m.total - m.connecting.size === 0) return false;
    const o = pool.options;
    return o.idleTimeout > 0 || o.maxLifetime > 0 || o.leakTimeout > 0 || m.draining.size > 0;
  }
}
