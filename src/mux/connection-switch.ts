/**
 * Switching a shared connection to a new socket while the old one still serves: when an error
 * reply calls for it (the locator's reasons, such as `READONLY` after a failover, or the
 * `reconnectOnError` policy), and the connections switched away from, which close only once the
 * commands written to them have their replies, so none is lost or sent twice. Apart from
 * `shared.ts` because a retired connection lives on beside the live one, outside its states; the
 * shared connection only asks whether a lost connection was retired, and ends them all on close.
 * @module
 */
import type { RedisError } from "../errors.ts";
import type { Connection } from "../conn/connection.ts";
import { guarded } from "../conn/hooks.ts";
import type { SharedConnectionOptions } from "./shared-options.ts";

/**
 * Whether the error reply `err` is a sign that the connection goes to the wrong node: the
 * locator says so, or the `replaceOn` policy (`reconnectOnError`) does; a policy that throws
 * says no.
 *
 * @example
 * ```ts
 * if (callsForReplacement(err, { locator, role: "master", replaceOn })) replace(conn);
 * ```
 */
export function callsForReplacement(err: RedisError, policy: Pick<SharedConnectionOptions, "locator" | "role" | "replaceOn">): boolean {
  const replaceOn = policy.replaceOn;
  return policy.locator.shouldReplace(err, policy.role) || (replaceOn !== undefined && guarded(() => replaceOn(err)) === true);
}

/**
 * Connections replaced that still close, their replies still coming.
 *
 * @example
 * ```ts
 * const retired = new RetiredConnections();
 * retired.retire(conn, 5_000);      // no new commands; closes once its replies are in
 * if (retired.has(lost)) requeue(unwritten);
 * await retired.close(5_000);       // on close(): they finish under the same bound
 * ```
 */
export class RetiredConnections {
  readonly #conns = new Set<Connection>();

  /** Let `conn` finish: it closes once its written commands have their replies (at most `graceMs`). */
  retire(conn: Connection, graceMs: number): void {
    this.#conns.add(conn);
    void conn.close(graceMs).finally(() => this.#conns.delete(conn));
  }

  /** Whether `conn` was retired and has not closed yet. */
  has(conn: Connection): boolean {
    return this.#conns.has(conn);
  }

  /** Close them all, each waiting for its replies at most `timeoutMs`. */
  close(timeoutMs: number): Promise<unknown> {
    return Promise.all([...this.#conns].map((conn) => conn.close(timeoutMs)));
  }

  /** End them all now: what they still wait for rejects with `reason`. */
  destroy(reason: Error): void {
    for (const conn of [...this.#conns]) conn.destroy(reason);
  }
}
