/**
 * How a connection ends: its socket closed without waiting forever for the server's side, and
 * what each command still queued on it gets. Apart from `connection.ts` because none of it runs
 * while the connection serves, and because the rule it keeps — a command that was written may
 * have run — is what makes retries safe: such a command never gets the "not sent" error.
 * @module
 */
import { ClosedError, ConnectionError, ProtocolError } from "../errors.ts";
import type { Socket } from "../transport/types.ts";
import { waitAtMost } from "../wait.ts";
import type { WireCommand } from "./connection-hooks.ts";

/** How long a graceful close waits for the server to close its side before the socket is destroyed. */
const SOCKET_CLOSE_GRACE_MS = 1_000;

/**
 * Flush and close `socket` (if there is one yet), but wait for the server's side of the close at most
 * `SOCKET_CLOSE_GRACE_MS`: a stalled or paused server never sends it (Node's socket only
 * reports "close" once both sides have closed), and `close()` must not wait forever.
 *
 * @example
 * ```ts
 * await closeSocket(socket); // closed, or destroyed after the grace period
 * ```
 */
export async function closeSocket(socket: Socket | undefined): Promise<void> {
  if (!socket) return;
  await waitAtMost(socket.close(), SOCKET_CLOSE_GRACE_MS);
  socket.destroy();
}

/**
 * Reject the commands written to the connection to `address` and not answered when it ended for
 * `reason`. A written command may have run, whoever closed the socket: it must never get the
 * "not sent" ClosedError, or a retry would run it twice. Only a ProtocolError keeps its own class.
 *
 * @example
 * ```ts
 * failWritten(inFlight.drain(), new ClosedError("closed"), "127.0.0.1:6379"); // each: ConnectionError "... (it may have run)"
 * ```
 */
export function failWritten(commands: readonly WireCommand[], reason: Error | undefined, address: string): void {
  const how = reason instanceof ClosedError ? "closed" : "lost";
  for (const cmd of commands) {
    cmd.fail(
      reason instanceof ProtocolError
        ? reason
        : new ConnectionError(
            `connection to ${address} ${how} before the reply to ${cmd.name} arrived (it may have run)`,
            { cause: reason },
          ),
    );
  }
}

/**
 * Reject the commands never handed to the socket of the connection to `address`, when no owner
 * took them to queue elsewhere: they cannot have run, so a close the user asked for says so with
 * a ClosedError, a lost connection with a ConnectionError.
 *
 * @example
 * ```ts
 * failUnwritten(unwritten, undefined, "127.0.0.1:6379"); // each: ConnectionError "... not sent: ..."
 * ```
 */
export function failUnwritten(commands: readonly WireCommand[], reason: Error | undefined, address: string): void {
  const NotSent = reason instanceof ClosedError ? ClosedError : ConnectionError;
  for (const cmd of commands) cmd.fail(new NotSent(`${cmd.name} not sent: connection to ${address} closed`, { cause: reason }));
}
