/**
 * resplex's `node:diagnostics_channel` channels, which APM agents subscribe to without patching
 * anything. Node, Deno and Bun all provide the module; this file, like the transport adapters,
 * is the only place that reaches for it (the core stays runtime-neutral), and where it is missing
 * resplex publishes nothing.
 * @module
 */

/** The part of a `node:diagnostics_channel` Channel resplex uses. */
export interface ChannelLike {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** The part of a TracingChannel resplex uses, and whether anyone listens to any of its events. */
export interface TracingChannelLike {
  start: ChannelLike;
  end: ChannelLike;
  asyncStart: ChannelLike;
  asyncEnd: ChannelLike;
  error: ChannelLike;
  /** Whether any of the five has a subscriber (one getter on Node; Bun's TracingChannel lacks it). */
  active(): boolean;
}

/**
 * The channels resplex publishes on.
 *
 * @example
 * ```ts
 * import diagnostics from "node:diagnostics_channel";
 * diagnostics.tracingChannel("resplex:command").subscribe({
 *   start: (message) => console.log("redis", message.command),
 *   asyncEnd: (message) => console.log("done", message.command, message.error?.message ?? "ok"),
 *   end() {}, asyncStart() {}, error() {},
 * });
 * ```
 */
export interface ResplexChannels {
  /** `resplex:command` (tracing): every command, and each `multi()` transaction as one. */
  command: TracingChannelLike;
  /** `resplex:connect` (tracing): opening a connection, handshake included. */
  connect: TracingChannelLike;
  /** `resplex:connection`: every event the connection hook sees (open, open-failed, close). */
  connection: ChannelLike;
  /** `resplex:pool:wait`: every event the pool-wait hook sees. */
  poolWait: ChannelLike;
}

interface DiagnosticsModule {
  channel(name: string): ChannelLike;
  tracingChannel(name: string): Omit<TracingChannelLike, "active"> & { hasSubscribers?: boolean };
}

/** `undefined`: not looked for yet; `null`: this runtime has none. Immutable once found. */
let found: ResplexChannels | null | undefined;
let loading: Promise<void> | undefined;

/**
 * resplex's channels, or `undefined` where the runtime has no `node:diagnostics_channel` — or
 * while it is still loading, on a runtime without `process.getBuiltinModule` (Node before 20.16),
 * where the first call starts a dynamic import and commands until it resolves are not published.
 *
 * @example
 * ```ts
 * const channels = diagnosticChannels();
 * if (channels?.command.active()) channels.command.start.publish(message);
 * ```
 */
export function diagnosticChannels(): ResplexChannels | undefined {
  if (found === undefined) find();
  return found ?? undefined;
}

function find(): void {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const builtin = process?.getBuiltinModule?.("node:diagnostics_channel") as DiagnosticsModule | undefined;
  if (builtin) {
    found = create(builtin);
    return;
  }
  loading ??= import("node:diagnostics_channel").then(
    (module) => void (found = create(module as unknown as DiagnosticsModule)),
    () => void (found = null),
  );
}

function create(dc: DiagnosticsModule): ResplexChannels {
  return { command: tracing(dc, "resplex:command"), connect: tracing(dc, "resplex:connect"), connection: dc.channel("resplex:connection"), poolWait: dc.channel("resplex:pool:wait") };
}

function tracing(dc: DiagnosticsModule, name: string): TracingChannelLike {
  const channel = dc.tracingChannel(name);
  const { start, end, asyncStart, asyncEnd, error } = channel;
  const active = "hasSubscribers" in channel
    ? () => channel.hasSubscribers === true
    : () => start.hasSubscribers || end.hasSubscribers || asyncStart.hasSubscribers || asyncEnd.hasSubscribers || error.hasSubscribers;
  return { start, end, asyncStart, asyncEnd, error, active };
}
