/**
 * Closing the whole pool: waiters rejected, connects aborted, idle and busy connections closed
 * gracefully, leases given until the timeout to come back, then whatever is left destroyed. Apart
 * from `lifecycle.ts`, which runs each connection's life while the pool serves, because it runs
 * once, at the end, over all of them; the lifecycle tells it of each connection gone.
 * @module
 */
import { ClosedError } from "../errors.ts";
import type { Lifecycle } from "./lifecycle.ts";

/**
 * The close of one pool, once started.
 *
 * @example
 * ```ts
 * const shutdown = new PoolShutdown(engine); // engine: the pool's Lifecycle, already `closing`
 * await shutdown.start(1000);                // resolves once no connection remains
 * ```
 */
export class PoolShutdown {
  /** Settles once no connection remains; undefined until the close starts. */
  #closing: Promise<void> | undefined;
  #allGone: (() => void) | undefined;
  readonly #pool: Lifecycle;

  constructor(pool: Lifecycle) {
    this.#pool = pool;
  }

  /** The close under way, if it started. */
  get closing(): Promise<void> | undefined {
    return this.#closing;
  }

  /**
   * Reject waiters, abort connects, close idle and busy connections, wait up to `timeout` for
   * leases to come back, then destroy whatever is left. Resolves when no connection remains.
   */
  start(timeout: number): Promise<void> {
    const pool = this.#pool;
    pool.waiters.failAll(new ClosedError("the pool was closed while this caller waited for a connection"));
    const m = pool.members;
    for (const x of [...m.connecting]) x.abort.abort(new ClosedError("the pool was closed while connecting"));
    for (const x of [...m.idle, ...m.busy, ...m.draining]) void pool.retire(x, "pool closed");
    for (const x of [...m.checking]) void pool.destroy(x, "pool closed");
    this.#closing = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#force(timeout), timeout);
      this.#allGone = () => {
        clearTimeout(timer);
        pool.state = "closed";
        pool.factory.deadlines.clear(); // its sweep timer could otherwise outlive the pool by commandTimeout
        resolve();
      };
    });
    this.check();
    return this.#closing;
  }

  /** A connection is gone: if it was the last while closing, the close is done. */
  check(): void {
    if (this.#pool.state === "closing" && this.#pool.members.total === 0) this.#allGone?.();
  }

  #force(timeout: number): void {
    const pool = this.#pool;
    const m = pool.members;
    for (const x of [...m.leased]) void pool.destroy(x, `pool closed while still leased after ${timeout} ms`);
    for (const x of [...m.closing]) x.conn.destroy(new ClosedError(`pool closed: replies still outstanding after ${timeout} ms`));
    // A connector that ignores its abort signal: stop counting it; #opened destroys it if it ever opens.
    for (const x of [...m.connecting]) m.move(x, "gone");
    this.check();
  }
}
