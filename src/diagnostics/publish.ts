/**
 * What resplex publishes on its diagnostics channels, and in which order: the tracing channels
 * follow `TracingChannel.tracePromise` — `start` and `end` when the command (or connect) begins,
 * then `error` (if it failed), `asyncStart` and `asyncEnd` when it settles, each with the same
 * message object.
 * @module
 */
import { commandName, redactArgs } from "../commands/lookup.ts";
import type { CommandObserver, ConnectionEvent } from "../conn/hooks.ts";
import type { Arg } from "../resp/types.ts";
import type { ChannelLike, TracingChannelLike } from "./channels.ts";

/**
 * Where a surface's commands go, as its messages say it. `serverPort` is absent for a unix socket;
 * everything is absent for a worker client (the owner knows where its commands go).
 *
 * @example
 * ```ts
 * const server: ServerInfo = { serverAddress: "127.0.0.1", serverPort: 6379, database: 0 };
 * ```
 */
export interface ServerInfo {
  serverAddress?: string;
  serverPort?: number;
  database?: number;
}

/**
 * The message of `resplex:command`, for one command or one `multi()` transaction (`command`
 * `"MULTI"`, with `batchSize`). `error` is set once it failed. Replies are not included.
 *
 * @example
 * ```ts
 * tracingChannel("resplex:command").subscribe({ asyncEnd: (m: CommandMessage) => log(m.command, m.error) });
 * ```
 */
export interface CommandMessage extends ServerInfo {
  /** Upper-cased command name, e.g. `"GET"`. */
  command: string;
  /** The arguments, command name first; a password-bearing command shows only its name. */
  args: readonly Arg[];
  batchSize?: number;
  error?: Error;
}

/**
 * The message of `resplex:connect`: `address` as resplex prints it (no credentials); `clientId`
 * once connected (the server's `CLIENT ID`), `error` when it failed.
 *
 * @example
 * ```ts
 * tracingChannel("resplex:connect").subscribe({ asyncEnd: (m: ConnectMessage) => log(m.address, m.clientId ?? m.error) });
 * ```
 */
export interface ConnectMessage extends ServerInfo {
  address: string;
  clientId?: number;
  error?: Error;
}

/** Publish a command's start now; returns what publishes its end. */
export function traceCommand(channel: TracingChannelLike, server: ServerInfo, args: readonly Arg[], batchSize?: number): CommandObserver {
  const command = commandName(args);
  const message: CommandMessage = { command, args: redactArgs(args), ...server };
  if (batchSize !== undefined) message.batchSize = batchSize;
  return trace(channel, message);
}

/** Publish a connect's start now; returns what publishes how it ended. */
export function traceConnect(channel: TracingChannelLike, server: ServerInfo, address: string): (outcome: { clientId: number } | { error: Error }) => void {
  const message: ConnectMessage = { address, ...server };
  const settle = trace(channel, message);
  return (outcome) => {
    if ("clientId" in outcome) message.clientId = outcome.clientId;
    settle("error" in outcome ? outcome.error : undefined);
  };
}

function trace(channel: TracingChannelLike, message: { error?: Error }): CommandObserver {
  channel.start.publish(message);
  // The synchronous part — queueing the command, starting the connect — is done.
  channel.end.publish(message);
  return (error) => {
    if (error) {
      message.error = error;
      channel.error.publish(message);
    }
    channel.asyncStart.publish(message);
    channel.asyncEnd.publish(message);
  };
}

/** Publish `event` on `channel` when anyone listens. */
export function publishEvent(channel: ChannelLike | undefined, event: ConnectionEvent | object): void {
  if (channel?.hasSubscribers) channel.publish(event);
}
