/**
 * Creates commands with the owner's defaults: decode mode, timeout, and — for blocking commands —
 * a deadline of their own server timeout plus a grace period.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { blockingDeadline, blockingTimeout } from "./blocking.ts";
import { Command, type CommandOptions } from "./command.ts";
import { Deadlines } from "./deadlines.ts";
import type { HookSet } from "./hook-set.ts";
import type { CommandObserver } from "./hooks.ts";

/** Makes {@link Command}s whose deadlines one {@link Deadlines} watches. */
export class CommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;
  /** Consulted at each command: hooks may be added after creation. */
  readonly #hooks: HookSet | undefined;

  constructor(commandTimeout: number, bytesByDefault: boolean, hooks?: HookSet) {
    this.deadlines = new Deadlines(commandTimeout);
    this.bytesByDefault = bytesByDefault;
    this.#hooks = hooks;
  }

  /**
   * A command for `args`, its deadline already running. `observed: false` leaves it to the caller
   * to report it (a transaction is reported once, see {@link CommandFactory.observe}).
   */
  create(args: readonly Arg[], options?: CommandOptions, observed = true): Command {
    const timeout = options?.timeout ?? this.#timeoutFor(args);
    const observer = observed ? this.observe(args) : undefined;
    const cmd = new Command(args, options?.bytes ?? this.bytesByDefault, timeout, options?.signal, observer);
    this.deadlines.track(cmd, timeout);
    return cmd;
  }

  /** Tell the command hook, if any, that `args` starts; returns what to call when it settles. */
  observe(args: readonly Arg[], batchSize?: number): CommandObserver | undefined {
    return this.#hooks?.observe(args, batchSize);
  }

  #timeoutFor(args: readonly Arg[]): number {
    const blocking = blockingTimeout(args);
    return blocking === undefined ? this.deadlines.defaultTimeout : blockingDeadline(blocking);
  }
}
