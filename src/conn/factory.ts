/**
 * Creates commands with the owner's defaults: decode mode, timeout, and — for blocking commands —
 * a deadline of their own server timeout plus a grace period.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { blockingDeadline, blockingTimeout } from "./blocking.ts";
import { Command, type CommandOptions } from "./command.ts";
import { Deadlines } from "./deadlines.ts";

/** Makes {@link Command}s whose deadlines one {@link Deadlines} watches. */
export class CommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;

  constructor(commandTimeout: number, bytesByDefault: boolean) {
    this.deadlines = new Deadlines(commandTimeout);
    this.bytesByDefault = bytesByDefault;
  }

  /** A command for `args`, its deadline already running. */
  create(args: readonly Arg[], options?: CommandOptions): Command {
    const timeout = options?.timeout ?? this.#timeoutFor(args);
    const cmd = new Command(args, options?.bytes ?? this.bytesByDefault, timeout, options?.signal);
    this.deadlines.track(cmd, timeout);
    return cmd;
  }

  #timeoutFor(args: readonly Arg[]): number {
    const blocking = blockingTimeout(args);
    return blocking === undefined ? this.deadlines.defaultTimeout : blockingDeadline(blocking);
  }
}
