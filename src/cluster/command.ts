/**
 * A command routed by slot. It is an ordinary {@link Command} for the node connection that carries
 * it, except at two moments: an error reply that redirects it (`MOVED`, `ASK`, `TRYAGAIN`,
 * `CLUSTERDOWN`), and a failure while still unsent (its node's connection was closed before
 * writing it). There it asks the router, which may send it again instead of settling it — the
 * command did not run, so sending it elsewhere is safe. Reusing the one object keeps the caller's
 * promise, deadline, signal and hook observer across every hop, and costs nothing when no
 * redirection happens.
 * @module
 */
import { blockingDeadline } from "../conn/blocking.ts";
import { Command, type CommandOptions } from "../conn/command.ts";
import { Deadlines } from "../conn/deadlines.ts";
import { alsoCalling, type CommandWatcher } from "../conn/factory.ts";
import { type Hooks, observeCommand } from "../conn/hooks.ts";
import { ClosedError, ConnectionError, type RedisError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { ClusterNode } from "./node.ts";
import { isRedirect } from "./redirect.ts";

/** Decides whether a command that would settle goes elsewhere instead. */
export interface Redirector {
  /** An error reply arrived; true when the router took the command over (it will settle it). */
  redirect(cmd: ClusterCommand, error: RedisError): boolean;
  /** The command failed before it was written; true when the router took it over. */
  reroute(cmd: ClusterCommand, error: Error): boolean;
}

/** How a command is routed: its slot (-1: no key), whether a replica may serve it, whether it blocks. */
export interface Route {
  readonly slot: number;
  readonly readonly: boolean;
  /** Server-side timeout in ms (0 = forever) for blocking commands, which sets their deadline; undefined otherwise. */
  readonly blocking: number | undefined;
  /** It blocks its connection, so it runs on a dedicated one (WAIT blocks, but must stay on the connection of the writes). */
  readonly dedicated: boolean;
}

/** A command that knows its slot and lets the router redirect it. */
export class ClusterCommand extends Command {
  readonly route: Route;
  /** Hops taken so far (redirections and retries), bounded by `maxRedirections`. */
  hops = 0;
  /** The node it was last sent to. */
  node: ClusterNode | undefined;
  readonly #redirector: Redirector;

  constructor(
    args: readonly Arg[],
    route: Route,
    redirector: Redirector,
    bytes: boolean,
    timeoutMs: number,
    signal?: AbortSignal,
    onDone?: (error: Error | undefined) => void,
  ) {
    super(args, bytes, timeoutMs, signal, onDone);
    this.route = route;
    this.#redirector = redirector;
  }

  override settle(reply: RespValue): void {
    if (this.state !== "done" && isRedirect(reply) && this.#redirector.redirect(this, reply)) return;
    super.settle(reply);
  }

  override fail(err: Error): void {
    // Only failures of a node connection, while unsent: timeouts, aborts and bad arguments are final.
    // `route` is unset while the base constructor fails an already-aborted command.
    const unsent = this.state === "queued" && this.route !== undefined;
    if (unsent && (err instanceof ClosedError || err instanceof ConnectionError) && this.#redirector.reroute(this, err)) return;
    super.fail(err);
  }
}

/** Makes {@link ClusterCommand}s with the client's defaults; one {@link Deadlines} watches them. */
export class ClusterCommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;
  readonly #hooks: Hooks | undefined;
  readonly #redirector: Redirector;
  /** Set by a cluster client with a cache: sees every command before it is sent (see {@link CommandWatcher}). */
  watcher: CommandWatcher | undefined;

  constructor(commandTimeout: number, bytesByDefault: boolean, hooks: Hooks | undefined, redirector: Redirector) {
    this.deadlines = new Deadlines(commandTimeout);
    this.bytesByDefault = bytesByDefault;
    this.#hooks = hooks?.command ? hooks : undefined;
    this.#redirector = redirector;
  }

  /** A command for `args` (keys already prefixed: the route was read from them) routed by `route`, its deadline already running. */
  create(args: readonly Arg[], route: Route, options?: CommandOptions): ClusterCommand {
    const timeout = options?.timeout ?? (route.blocking === undefined ? this.deadlines.defaultTimeout : blockingDeadline(route.blocking));
    let observer = this.#hooks && observeCommand(this.#hooks, args);
    const settled = this.watcher?.watch(args);
    if (settled) observer = alsoCalling(observer, settled);
    const cmd = new ClusterCommand(args, route, this.#redirector, options?.bytes ?? this.bytesByDefault, timeout, options?.signal, observer);
    this.deadlines.track(cmd, timeout);
    return cmd;
  }
}
