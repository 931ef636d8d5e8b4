/**
 * Between two connect attempts of a shared connection: how long to wait (the reconnect policy),
 * the error the connection ends with once the policy gives up, whether a failure is one that
 * waiting cannot fix, and the wait itself, which `close()` or a master switch cuts short. Apart
 * from `shared.ts` because these answers do not depend on the connection's state or its queued
 * commands; `shared.ts` decides what the commands get, and when to try again.
 * @module
 */
import { ConnectionError, RedisError } from "../errors.ts";
import { retryDelay, type ResolvedReconnect } from "../conn/backoff.ts";
import { isPermanentFailure } from "../conn/permanent-failure.ts";
import type { Locator } from "../topology/locator.ts";

/**
 * The waits before the next connect attempt to `address`.
 *
 * @example
 * ```ts
 * const retry = new RetryWait(options.reconnect, "localhost:6379");
 * const delay = retry.delay(setbacks, err, afterLoss);
 * if (delay instanceof Error) return giveUp(delay);
 * await retry.sleep(delay, controller.signal); // retry.wake() from elsewhere ends it early
 * ```
 */
export class RetryWait {
  /** Ends the wait under way early (the master moved: try it now). */
  #wake: (() => void) | undefined;
  readonly #policy: ResolvedReconnect;
  readonly #address: string;

  constructor(policy: ResolvedReconnect, address: string) {
    this.#policy = policy;
    this.#address = address;
  }

  /**
   * The delay the reconnect policy gives for this setback, or, when it gave up, the error to end
   * with. `afterLoss`: the setbacks began with the loss of a working connection (counted as one).
   */
  delay(setbacks: number, err: Error, afterLoss: boolean): number | ConnectionError {
    const delay = retryDelay(this.#policy, setbacks, err, afterLoss);
    if (delay !== false) return delay;
    const attempts = afterLoss ? setbacks - 1 : setbacks;
    return new ConnectionError(
      attempts > 0
        ? `gave up connecting to ${this.#address} after ${attempts} attempts`
        : `connection to ${this.#address} lost and reconnect is off`,
      { cause: err },
    );
  }

  /** Wait `ms`, or less if `signal` aborts or {@link wake} is called meanwhile. */
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(ms, signal, (wake) => (this.#wake = wake));
    this.#wake = undefined;
  }

  /** End the wait under way now, if there is one. */
  wake(): void {
    this.#wake?.();
  }
}

/**
 * After a failure retrying cannot fix (an untrusted certificate, rejected credentials, an unknown
 * host: see conn/permanent-failure.ts, or no node left that the locator could ask) the error that
 * commands reject with instead of waiting; `undefined` for a passing failure (refused, timed out).
 *
 * @example
 * ```ts
 * const unreachable = unreachableError(err, locator, "localhost:6379");
 * if (unreachable) offline.failAll(unreachable);
 * ```
 */
export function unreachableError(err: Error, locator: Locator, address: string): ConnectionError | undefined {
  if (!isPermanentFailure(err) && !locator.isNoneLeft(err)) return undefined;
  const why = err instanceof RedisError ? `${address} refused the connection: ${err.message}` : err.message;
  return new ConnectionError(`command not sent: ${why}`, { cause: err });
}

/** Wait `ms`, or less if `signal` aborts or the function handed to `expose` is called. */
function sleep(ms: number, signal: AbortSignal, expose?: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    expose?.(done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
