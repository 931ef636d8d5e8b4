/**
 * Opening a connection to the first of several nodes that takes one (replicas), and the error
 * that names each node's failure when none does.
 * @module
 */
import type { Connection, ConnectionHooks } from "../conn/connection.ts";
import { openConnection } from "../conn/open.ts";
import { describeAddress, type ResolvedConnectionOptions } from "../conn/options.ts";
import { ConnectionError } from "../errors.ts";
import type { NodeAddress } from "./options.ts";

/**
 * No node of a role could be connected to: the message names each one tried and its error.
 * Internal (a `ConnectionError` to the user); `Locator.isNoneLeft` recognises it.
 *
 * @example
 * ```ts
 * throw new NoNodeError("no replica could be connected to (r1:6379: ECONNREFUSED)");
 * ```
 */
export class NoNodeError extends ConnectionError {}

/**
 * Open a connection to the first of `nodes` that takes one (and passes `check`), starting at
 * `start` (mod length); rejects with a {@link NoNodeError} naming each node's error when none does.
 *
 * @example
 * ```ts
 * const conn = await openFirst(replicas, turn++, options, hooks, signal, "replica");
 * ```
 */
export async function openFirst(
  nodes: readonly NodeAddress[],
  start: number,
  connection: ResolvedConnectionOptions,
  hooks: ConnectionHooks,
  signal: AbortSignal | undefined,
  what: string,
  check?: (conn: Connection) => Promise<void>,
): Promise<Connection> {
  const failures: string[] = [];
  let last: unknown;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[(start + i) % nodes.length]!;
    const options = { ...connection, host: node.host, port: node.port, path: undefined };
    try {
      const conn = await openConnection(options, hooks, signal);
      try {
        await check?.(conn);
      } catch (err) {
        conn.destroy();
        throw err;
      }
      return conn;
    } catch (err) {
      if (signal?.aborted) throw err;
      last = err;
      failures.push(`${describeAddress(options)}: ${(err as Error)?.message ?? String(err)}`);
    }
  }
  throw new NoNodeError(
    nodes.length === 0 ? `no ${what} to connect to` : `no ${what} could be connected to (${failures.join("; ")})`,
    { cause: last },
  );
}
