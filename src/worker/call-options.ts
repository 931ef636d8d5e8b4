/**
 * What a worker call's options become: the few the owner must be told (as {@link WireOptions}),
 * and the deadline the worker itself keeps — the owner's plus a grace period, so the owner's own
 * timeout (or reply) wins the race and the worker's only catches an owner that vanished. Apart
 * from `remote-session.ts` because they are pure functions of the call, with no session state.
 * @module
 */
import { commandName } from "../commands/lookup.ts";
import { blockingDeadline } from "../conn/blocking.ts";
import type { CommandOptions } from "../conn/command.ts";
import { AbortError } from "../errors.ts";
import type { Arg } from "../resp/types.ts";
import type { WireOptions } from "./protocol.ts";

/** Added to the owner's deadline for a command, so the owner's own timeout (or reply) wins the race. */
export const WORKER_GRACE_MS = 1_000;

/**
 * Throw `AbortError` when the call's signal is already aborted: its request must not be queued,
 * for the owner would write the command before the abort that follows it could stop it.
 *
 * @example
 * ```ts
 * notAborted(["GET", "k"], { signal: AbortSignal.abort() }); // throws AbortError "GET aborted"
 * ```
 */
export function notAborted(args: readonly Arg[], options: CommandOptions | undefined): void {
  const signal = options?.signal;
  if (signal?.aborted) throw new AbortError(`${commandName(args)} aborted`, { cause: signal.reason });
}

/**
 * The options the owner is told for a call, or 0 when there is nothing to say (it uses its
 * defaults): a timeout, a string mode, whether it may be aborted (a signal, or a blocking command
 * the worker may give up on), and the isolated connection it runs on.
 *
 * @example
 * ```ts
 * wireOptions({ timeout: 500 }, false, undefined); // { timeout: 500 }
 * wireOptions(undefined, false, undefined);        // 0
 * ```
 */
export function wireOptions(options: CommandOptions | undefined, blocking: boolean, isolation: number | undefined): WireOptions | 0 {
  const wire: WireOptions = {};
  if (options?.timeout !== undefined) wire.timeout = options.timeout;
  if (options?.bytes !== undefined) wire.bytes = options.bytes;
  if (options?.signal || blocking) wire.abortable = true;
  if (isolation !== undefined) wire.isolation = isolation;
  return Object.keys(wire).length > 0 ? wire : 0; // 0: nothing to say, the owner uses its defaults
}

/**
 * The worker-side deadline of a call, ms: the owner's for it, plus grace; 0 for none.
 * `blocking` is a blocking command's own timeout (0: it blocks for ever); `defaultTimeout` the
 * worker-side deadline of a call with the owner's default timeout.
 *
 * @example
 * ```ts
 * callTimeout({ timeout: 500 }, undefined, 6_000); // 1500
 * callTimeout(undefined, 0, 6_000);                // 0: BLPOP k 0 waits as long as it takes
 * ```
 */
export function callTimeout(options: CommandOptions | undefined, blocking: number | undefined, defaultTimeout: number): number {
  if (options?.timeout !== undefined) return options.timeout > 0 ? options.timeout + WORKER_GRACE_MS : 0;
  if (blocking !== undefined) return blocking === 0 ? 0 : blockingDeadline(blocking) + WORKER_GRACE_MS;
  return defaultTimeout;
}
