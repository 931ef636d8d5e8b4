/**
 * The hooks of one client, pool or worker client — those given at creation and those added since —
 * as one object the core consults, which also publishes on resplex's diagnostics channels while
 * anyone subscribes to them. Everything a surface opens (its connections, a client's dedicated
 * pool) shares its set, so hooks added later reach them too.
 * @module
 */
import { diagnosticChannels } from "../diagnostics/channels.ts";
import { publishEvent, type ServerInfo, traceCommand, traceConnect } from "../diagnostics/publish.ts";
import type { Arg } from "../resp/types.ts";
import { type CommandEnd, type CommandObserver, type ConnectionEvent, guarded, type Hooks, observeCommand } from "./hooks.ts";

/**
 * Hooks given at creation plus those added by `addHooks()` (and `instrument()` of `resplex/otel`).
 * `command` is `undefined` while no set defines it, so with no hook and no channel subscriber a
 * command costs a property read and a `hasSubscribers` check.
 *
 * @example
 * ```ts
 * const set = new HookSet(options.hooks);
 * const remove = set.add({ command: ({ name }) => console.log(name) });
 * const settled = set.observe(["GET", "k"]); // the creation hooks, then the added ones
 * settled?.(undefined);
 * remove();
 * ```
 */
export class HookSet implements Hooks {
  command: Hooks["command"];
  connection!: NonNullable<Hooks["connection"]>;
  poolWait!: NonNullable<Hooks["poolWait"]>;
  /** Each added set in a box of its own, so adding the same object twice removes one at a time. */
  #sets: { hooks: Hooks }[] = [];
  /** Where the surface's commands go, for the channels' messages. */
  readonly #server: ServerInfo;

  constructor(initial?: Hooks, server: ServerInfo = {}) {
    this.#server = server;
    if (initial) this.add(initial);
    else this.#rebuild();
  }

  /** Call `hooks` too, from now on. Returns a function that stops calling them (idempotent). */
  add(hooks: Hooks): () => void {
    if (typeof hooks !== "object" || hooks === null) throw new TypeError("hooks must be an object of hook functions");
    for (const key of ["command", "connection", "poolWait"] as const) {
      if (hooks[key] !== undefined && typeof hooks[key] !== "function") throw new TypeError(`hooks.${key} must be a function`);
    }
    const entry = { hooks };
    this.#sets = [...this.#sets, entry];
    this.#rebuild();
    return () => {
      this.#sets = this.#sets.filter((s) => s !== entry);
      this.#rebuild();
    };
  }

  /** A command (or, with `batchSize`, a transaction) starts: returns what to call when it settles, if anyone listens. */
  observe(args: readonly Arg[], batchSize?: number): CommandObserver | undefined {
    const channel = diagnosticChannels()?.command;
    if (!channel?.active()) return this.command && observeCommand(this, args, batchSize);
    const published = traceCommand(channel, this.#server, args, batchSize);
    const observed = this.command && observeCommand(this, args, batchSize);
    return observed ? (error) => (observed(error), published(error)) : published;
  }

  /** A connection to `address` starts opening: returns what to call when it opened or failed. */
  opening(address: string): (outcome: { clientId: number } | { error: Error }) => void {
    const started = performance.now();
    const channel = diagnosticChannels()?.connect;
    const published = channel?.active() ? traceConnect(channel, this.#server, address) : undefined;
    return (outcome) => {
      published?.(outcome);
      const durationMs = performance.now() - started;
      const event: ConnectionEvent = "error" in outcome
        ? { type: "open-failed", address, error: outcome.error, durationMs }
        : { type: "open", address, clientId: outcome.clientId, durationMs };
      this.connection(event);
    };
  }

  #rebuild(): void {
    const commands = this.#methods("command");
    this.command = commands.length < 2 ? commands[0] : (start) => endAll(commands.map((hook) => guarded(() => hook(start))));
    // Connection events and pool waits are rare: always defined, they also feed their channels.
    this.connection = alsoPublished(fanOut(this.#methods("connection")), "connection");
    this.poolWait = alsoPublished(fanOut(this.#methods("poolWait")), "poolWait");
  }

  /** The sets' `key` hooks, bound to their objects (a class instance's methods keep their `this`). */
  #methods<K extends keyof Hooks>(key: K): NonNullable<Hooks[K]>[] {
    return this.#sets.filter(({ hooks }) => hooks[key]).map(({ hooks }) => (hooks[key] as (this: Hooks, event: never) => unknown).bind(hooks) as NonNullable<Hooks[K]>);
  }
}

/** One listener calling `listeners` in turn (each guarded), or `undefined` when there are none. */
function fanOut<E>(listeners: ((event: E) => void)[]): ((event: E) => void) | undefined {
  if (listeners.length < 2) return listeners[0];
  return (event) => {
    for (const listener of listeners) guarded(() => listener(event));
  };
}

/** `listener` (if any), then the event published on its channel when anyone listens there. */
function alsoPublished<E extends object>(listener: ((event: E) => void) | undefined, channel: "connection" | "poolWait"): (event: E) => void {
  return (event) => {
    if (listener) guarded(() => listener(event));
    publishEvent(diagnosticChannels()?.[channel], event);
  };
}

/** The settle callbacks command hooks returned, as one. */
function endAll(ends: (((end: CommandEnd) => void) | void | undefined)[]): ((end: CommandEnd) => void) | undefined {
  return fanOut(ends.filter((end): end is (end: CommandEnd) => void => typeof end === "function"));
}
