/**
 * When the slot map is read again: on request (a `MOVED`, a lost node, `CLUSTERDOWN`), and every
 * `refreshInterval`. Requests are coalesced — one refresh at a time, and a request made while one
 * runs starts at most one more after it — and rate-limited to one start per {@link MIN_GAP_MS},
 * so a burst of 10,000 `MOVED` replies during a resharding costs a handful of `CLUSTER SHARDS`.
 * @module
 */
import { backoffDelay, type ResolvedReconnect } from "../conn/backoff.ts";

/** Least time between the starts of two refreshes, ms. */
export const MIN_GAP_MS = 100;
/** How soon a refresh that found the cluster unsettled (a master unreachable) runs again, ms. */
export const FOLLOW_UP_MS = 250;

/** What a refresh found: `"ok"`; `"again"`: the cluster is moving, look again soon; `"failed"`: no node answered. */
export type RefreshOutcome = "ok" | "again" | "failed";

/** Runs `refresh` on request and periodically, one at a time, rate-limited. */
export class Refresher {
  readonly #refresh: () => Promise<RefreshOutcome>;
  readonly #interval: number;
  readonly #backoff: ResolvedReconnect;
  #running = false;
  /** Requested while running: run once more when done. */
  #again = false;
  #lastStart = -Infinity;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #closed = false;

  /**
   * @param refresh reads and applies the topology
   * @param interval periodic refresh, ms (0: none)
   * @param backoff delays between refreshes that found no node answering
   */
  constructor(refresh: () => Promise<RefreshOutcome>, interval: number, backoff: ResolvedReconnect) {
    this.#refresh = refresh;
    this.#interval = interval;
    this.#backoff = { ...backoff, maxAttempts: Infinity, initialDelay: Math.max(backoff.initialDelay, MIN_GAP_MS) };
  }

  /** Refresh as soon as the rate limit allows (coalesced with one running or scheduled). */
  request(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(Math.max(0, this.#lastStart + MIN_GAP_MS - Date.now()));
  }

  /** Stop: no refresh starts after this. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Run in `delayMs`, unless a run is already scheduled sooner. */
  #schedule(delayMs: number): void {
    const at = Date.now() + delayMs;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      void this.#run();
    }, delayMs);
  }

  async #run(): Promise<void> {
    if (this.#closed || this.#running) return;
    this.#running = true;
    this.#again = false;
    this.#lastStart = Date.now();
    let outcome: RefreshOutcome;
    try {
      outcome = await this.#refresh();
    } catch {
      outcome = "failed";
    }
    this.#running = false;
    if (this.#closed) return;
    this.#failures = outcome === "failed" ? this.#failures + 1 : 0;
    if (outcome === "failed") this.#schedule(backoffDelay(this.#backoff, this.#failures));
    else if (this.#again) this.request();
    else if (outcome === "again") this.#schedule(FOLLOW_UP_MS);
    else if (this.#interval > 0) this.#schedule(this.#interval);
  }
}
