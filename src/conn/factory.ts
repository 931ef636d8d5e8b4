/**
 * Creates commands with the owner's defaults: decode mode, timeout, and — for blocking commands —
 * a deadline of their own server timeout plus a grace period.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { blockingTimeout } from "../commands/lookup.ts";
import { blockingDeadline } from "./blocking.ts";
import { Command, type CommandOptions } from "./command.ts";
import { Deadlines } from "./deadlines.ts";
import { type Hooks, observeCommand } from "./hooks.ts";

/** Makes {@link Command}s whose deadlines one {@link Deadlines} watches. */
export class CommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;
  readonly #hooks: Hooks | undefined;

  /** @param whyNotSent why queued commands are not sent yet (the last connection error), for timeout messages */
  constructor(commandTimeout: number, bytesByDefault: boolean, hooks?: Hooks, whyNotSent?: () => Error | undefined) {
    this.deadlines = new Deadlines(commandTimeout, whyNotSent);
    this.bytesByDefault = bytesByDefault;
    this.#hooks = hooks?.command ? hooks : undefined;
  }

  /** A command for `args`, its deadline already running. */
  create(args: readonly Arg[], options?: CommandOptions): Command {
    const timeout = options?.timeout ?? this.#timeoutFor(args);
    const observer = this.#hooks && observeCommand(this.#hooks, args);
    const cmd = new Command(args, options?.bytes ?? this.bytesByDefault, timeout, options?.signal, observer);
    this.deadlines.track(cmd, timeout);
    return cmd;
  }

  #timeoutFor(args: readonly Arg[]): number {
    const blocking = blockingTimeout(args);
    return blocking === undefined ? this.deadlines.defaultTimeout : blockingDeadline(blocking);
  }
}
