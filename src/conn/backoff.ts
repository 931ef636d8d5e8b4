/**
 * Reconnect delays: exponential, capped, and jittered — a fleet of clients that lost the same
 * server must not reconnect in lockstep (Bun's and ioredis Cluster's backoff have no jitter).
 * @module
 */
import { guarded } from "./hooks.ts";

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

/**
 * A reconnect policy of your own (ioredis's `retryStrategy`, node-redis's `reconnectStrategy`):
 * asked before every retry, it returns how long to wait, ms, or `false` to give up (the client
 * closes and rejects what waits). `attempt` counts the setbacks in a row, this one included: 1
 * after the first failed connect or a lost connection, 2 when the retry after it failed too, and
 * so on; a connection that becomes ready starts the count afresh. `lastError` says what failed.
 * A function that throws, or returns anything but a number >= 0 or `false`, stops the retries
 * too (its error is rethrown from a microtask, so it is not lost).
 *
 * @example
 * ```ts
 * const redis = createClient({
 *   url,
 *   reconnect: (attempt, lastError) => (attempt > 10 ? false : Math.min(attempt * 100, 2_000)),
 * });
 * ```
 */
export type ReconnectStrategy = (attempt: number, lastError: Error) => number | false;

/**
 * {@link ReconnectOptions} with defaults applied, and the user's {@link ReconnectStrategy} if one was given.
 *
 * @example
 * ```ts
 * resolveReconnect({ maxAttempts: 3 }); // { initialDelay: 50, maxDelay: 2000, maxAttempts: 3, strategy: undefined }
 * ```
 */
export interface ResolvedReconnect extends Required<ReconnectOptions> {
  strategy: ReconnectStrategy | undefined;
}

/**
 * Apply defaults; `false` means never reconnect; a function decides every retry itself. A policy
 * resolved before comes back as it was (the multiplexer hands its own to its dedicated pool).
 */
export function resolveReconnect(input: ReconnectOptions | ReconnectStrategy | ResolvedReconnect | false | undefined): ResolvedReconnect {
  if (input === false) return { initialDelay: 0, maxDelay: 0, maxAttempts: 0, strategy: undefined };
  if (typeof input === "function") return { initialDelay: 50, maxDelay: 2_000, maxAttempts: Infinity, strategy: input };
  const { initialDelay = 50, maxDelay = 2_000, maxAttempts = Infinity } = input ?? {};
  const out = { initialDelay, maxDelay, maxAttempts };
  for (const [name, value] of Object.entries(out)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new TypeError(`option reconnect.${name} must be a number >= 0, got ${String(value)}`);
    }
  }
  const strategy = input && "strategy" in input ? input.strategy : undefined;
  return { ...out, strategy };
}

/**
 * How long to wait before the next connection attempt, or `false` to give up. `setbacks` counts
 * failed attempts and lost connections in a row (the one just happened included); `afterLoss`
 * says the series began with a lost connection rather than a failed first connect, which the
 * options form counts differently: `maxAttempts` bounds attempts, and a lost connection is
 * retried at once, while a failed attempt backs off.
 *
 * @example
 * ```ts
 * retryDelay(resolveReconnect({}), 1, err, true);                 // 0: reconnect at once
 * retryDelay(resolveReconnect({ maxAttempts: 2 }), 2, err, false); // false: two attempts failed
 * retryDelay(resolveReconnect((n) => n * 100), 3, err, false);     // 300
 * ```
 */
export function retryDelay(policy: ResolvedReconnect, setbacks: number, error: Error, afterLoss: boolean): number | false {
  if (policy.strategy) {
    const strategy = policy.strategy;
    // A function that throws or answers nonsense stops the retries; its error surfaces from a microtask, as a hook's does.
    const delay = guarded(() => {
      const answer = strategy(setbacks, error);
      if (answer !== false && (typeof answer !== "number" || !(answer >= 0))) {
        throw new TypeError(`the reconnect function must return a delay in ms >= 0 or false, got ${String(answer)}`);
      }
      return answer;
    });
    return delay ?? false;
  }
  const failed = afterLoss ? setbacks - 1 : setbacks;
  if (failed >= policy.maxAttempts) return false;
  return failed === 0 ? 0 : backoffDelay(policy, failed);
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
export function backoffDelay(policy: Pick<ResolvedReconnect, "initialDelay" | "maxDelay">, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(attempt - 1, 30));
  return Math.round(exp / 2 + random() * (exp / 2));
}
