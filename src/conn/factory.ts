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
import { type CommandObserver, type Hooks, observeCommand } from "./hooks.ts";

/**
 * Sees every command a factory creates, before it is written: the client-side cache, which drops
 * the entries of the keys a write may change. What it returns is called once the command settled.
 *
 * @example
 * ```ts
 * factory.watcher = { watch: (args) => (args[0] === "SET" ? () => console.log("SET settled") : undefined) };
 * ```
 */
export interface CommandWatcher {
  watch(args: readonly Arg[]): (() => void) | undefined;
}

/** Makes {@link Command}s whose deadlines one {@link Deadlines} watches. */
export class CommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;
  readonly #hooks: Hooks | undefined;
  /** Set by a client or pool with a cache (see {@link CommandWatcher}). */
  watcher: CommandWatcher | undefined;

  /** @param whyNotSent why queued commands are not sent yet (the last connection error), for timeout messages */
  constructor(commandTimeout: number, bytesByDefault: boolean, hooks?: Hooks, whyNotSent?: () => Error | undefined) {
    this.deadlines = new Deadlines(commandTimeout, whyNotSent);
    this.bytesByDefault = bytesByDefault;
    this.#hooks = hooks?.command ? hooks : undefined;
  }

  /** A command for `args`, its deadline already running. */
  create(args: readonly Arg[], options?: CommandOptions): Command {
    return this.#make(args, options, this.watcher?.watch(args));
  }

  /**
   * The commands of a transaction (`MULTI` first, `EXEC` last). A write inside it changes its keys
   * when `EXEC` runs, not when it is `QUEUED`: the watcher hears of each as it is created, and
   * what it returned for them is called once `EXEC` settled.
   */
  createTogether(argLists: readonly (readonly Arg[])[], options?: CommandOptions): Command[] {
    const settles: (() => void)[] = [];
    for (const args of argLists) {
      const settled = this.watcher?.watch(args);
      if (settled) settles.push(settled);
    }
    const all = settles.length === 0 ? undefined : () => settles.forEach((settled) => settled());
    return argLists.map((args, i) => this.#make(args, options, i === argLists.length - 1 ? all : undefined));
  }

  #make(args: readonly Arg[], options: CommandOptions | undefined, settled: (() => void) | undefined): Command {
    const timeout = options?.timeout ?? this.#timeoutFor(args);
    let observer = this.#hooks && observeCommand(this.#hooks, args);
    if (settled) observer = alsoCalling(observer, settled);
    const cmd = new Command(args, options?.bytes ?? this.bytesByDefault, timeout, options?.signal, observer);
    this.deadlines.track(cmd, timeout);
    return cmd;
  }

  #timeoutFor(args: readonly Arg[]): number {
    const blocking = blockingTimeout(args);
    return blocking === undefined ? this.deadlines.defaultTimeout : blockingDeadline(blocking);
  }
}

/** `observer`, then `settled`. */
function alsoCalling(observer: CommandObserver | undefined, settled: () => void): CommandObserver {
  if (!observer) return settled;
  return (error) => {
    observer(error);
    settled();
  };
}
