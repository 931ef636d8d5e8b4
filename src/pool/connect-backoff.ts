/**
 * The pool's backoff after failed connects: nothing opens until a jittered delay has passed, so a
 * down server is not hammered by a pool trying to refill; then a timer, or the next caller asking
 * for a connection, lets opening resume. Apart from `lifecycle.ts` because when to try again is a
 * policy of its own (`conn/backoff.ts` computes the delays), while the lifecycle decides what to
 * open.
 * @module
 */
import { backoffDelay, retryDelay, type ResolvedReconnect } from "../conn/backoff.ts";

/**
 * Failed connects in a row, and whether opening waits because of them.
 *
 * @example
 * ```ts
 * const backoff = new ConnectBackoff(options.reconnect, () => engine.kick());
 * const retry = backoff.failed(error);      // the delay before the pool retries, or false
 * if (retry !== false) backoff.retryIn(retry);
 * if (!backoff.blocked) open();
 * ```
 */
export class ConnectBackoff {
  #failures = 0;
  /** After a failed connect nothing opens until the backoff delay passed. */
  #blocked = false;
  /** When that delay passes (`performance.now()` ms). */
  #retryAt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #policy: ResolvedReconnect;
  readonly #retry: () => void;

  /** `retry` runs when opening may resume after a delay the pool waited out itself. */
  constructor(policy: ResolvedReconnect, retry: () => void) {
    this.#policy = policy;
    this.#retry = retry;
  }

  /** Whether opening waits for the backoff delay. */
  get blocked(): boolean {
    return this.#blocked;
  }

  /** A connect succeeded: the next failure starts the delays over. */
  succeeded(): void {
    this.#failures = 0;
  }

  /**
   * A connect failed with `error`: block opening for the backoff delay. Returns that delay, after
   * which the pool may try again by itself, or false when the reconnect policy stops the pool's
   * own retries (a caller asking still gets an attempt after a backoff delay).
   */
  failed(error: Error): number | false {
    this.#failures++;
    this.#blocked = true;
    const retry = retryDelay(this.#policy, this.#failures, error, false);
    const delay = retry === false ? backoffDelay(this.#policy, this.#failures) : retry;
    this.#retryAt = performance.now() + delay;
    return retry;
  }

  /** A caller is waiting: if backoff left nothing scheduled, give it an attempt when the delay has passed. */
  callerWaits(): void {
    if (!this.#blocked || this.#retryTimer !== undefined) return;
    const wait = this.#retryAt - performance.now();
    if (wait <= 0) this.#blocked = false;
    else this.retryIn(wait);
  }

  /** Unblock opening after `delay` ms, and say so (unless a retry is already scheduled). */
  retryIn(delay: number): void {
    if (this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#blocked = false;
      this.#retry();
    }, delay);
  }

  /** Opening may resume at once (the master moved: the failures were the old one's). */
  reset(): void {
    this.stop();
    this.#blocked = false;
  }

  /** No retry is to come (the pool is closing). */
  stop(): void {
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
