/**
 * Reconnect delays: exponential, capped, and jittered — a fleet of clients that lost the same
 * server must not reconnect in lockstep (Bun's and ioredis Cluster's backoff have no jitter).
 * @module
 */

/** How a client retries a lost connection. */
export interface ReconnectOptions {
  /** First delay, ms. Default `50`. */
  initialDelay?: number;
  /** Largest delay, ms. Default `2000`. */
  maxDelay?: number;
  /**
   * Give up after this many failed connection attempts in a row: the client closes and rejects
   * what waits. `2` means two attempts, then the end. A client's first connection is attempted
   * once even with `0`; after a lost connection, `0` means none. Default `Infinity`.
   */
  maxAttempts?: number;
}

/** {@link ReconnectOptions} with defaults applied. */
export type ResolvedReconnect = Required<ReconnectOptions>;

/** Apply defaults; `false` means never reconnect. */
export function resolveReconnect(input: ReconnectOptions | false | undefined): ResolvedReconnect {
  if (input === false) return { initialDelay: 0, maxDelay: 0, maxAttempts: 0 };
  const out = { initialDelay: 50, maxDelay: 2_000, maxAttempts: Infinity, ...input };
  for (const [name, value] of Object.entries(out)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`option reconnect.${name} must be a number >= 0, got ${String(value)}`);
    }
  }
  return out;
}

/**
 * The delay before attempt `attempt` (1-based): `initialDelay * 2^(attempt-1)` capped at
 * `maxDelay`, then "equal jitter" — a random point in its upper half — so retries spread out
 * while still backing off.
 *
 * @example
 * ```ts
 * backoffDelay(resolveReconnect({}), 3); // somewhere in [100, 200]
 * ```
 */
export function backoffDelay(policy: ResolvedReconnect, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
