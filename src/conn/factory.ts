/**
 * Creates commands with the owner's defaults: decode mode, timeout, the `keyPrefix` on every key,
 * and — for blocking commands — a deadline of their own server timeout plus a grace period. Every
 * command of every surface is created here, so nothing reaches Redis without its prefix.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { blockingTimeout } from "../commands/lookup.ts";
import { prefixKeys } from "../commands/prefix.ts";
import { blockingDeadline } from "./blocking.ts";
import { Command, type CommandOptions } from "./command.ts";
import { Deadlines } from "./deadlines.ts";
import type { HookSet } from "./hook-set.ts";
import type { CommandObserver } from "./hooks.ts";
import type { ResolvedConnectionOptions } from "./options.ts";

/** The connection options a {@link CommandFactory} takes its defaults from. */
export type FactoryDefaults = Pick<ResolvedConnectionOptions, "commandTimeout" | "decode" | "hooks" | "keyPrefix">;

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
  /** Put in front of every key argument (the `keyPrefix` option); `""` for none. */
  readonly keyPrefix: string;
  /** Consulted at each command: hooks may be added after creation. */
  readonly #hooks: HookSet | undefined;
  /** Set by a client or pool with a cache (see {@link CommandWatcher}). */
  watcher: CommandWatcher | undefined;

  /**
   * @param connection the connection options whose defaults commands take
   * @param whyNotSent why queued commands are not sent yet (the last connection error), for timeout messages
   */
  constructor(connection: FactoryDefaults, whyNotSent?: () => Error | undefined) {
    this.deadlines = new Deadlines(connection.commandTimeout, whyNotSent);
    this.bytesByDefault = connection.decode === "bytes";
    this.keyPrefix = connection.keyPrefix ?? "";
    this.#hooks = connection.hooks;
  }

  /** `args` as Redis sees them: with the `keyPrefix` on every key (`args` itself without one). */
  prefixed(args: readonly Arg[]): readonly Arg[] {
    return this.keyPrefix ? prefixKeys(args, this.keyPrefix) : args;
  }

  /**
   * A command for `args` (its keys prefixed), its deadline already running. `observed: false`
   * leaves it to the caller to report it (a transaction is reported once, see
   * {@link CommandFactory.observe}).
   */
  create(given: readonly Arg[], options?: CommandOptions, observed = true): Command {
    return this.createPrefixed(this.prefixed(given), options, observed);
  }

  /** {@link CommandFactory.create} for `args` already through `prefixed()` (a cache looked them up). */
  createPrefixed(args: readonly Arg[], options?: CommandOptions, observed = true): Command {
    return this.#make(args, options, observed, this.watcher?.watch(args));
  }

  /**
   * The commands of a transaction (`MULTI` first, `EXEC` last), unobserved (the transaction is
   * reported once). A write inside it changes its keys when `EXEC` runs, not when it is `QUEUED`:
   * the watcher hears of each as it is created, and what it returned for them is called once
   * `EXEC` settled.
   */
  createTogether(given: readonly (readonly Arg[])[], options?: CommandOptions): Command[] {
    const argLists = this.keyPrefix ? given.map((args) => this.prefixed(args)) : given;
    const settles: (() => void)[] = [];
    for (const args of argLists) {
      const settled = this.watcher?.watch(args);
      if (settled) settles.push(settled);
    }
    const all = settles.length === 0 ? undefined : () => settles.forEach((settled) => settled());
    return argLists.map((args, i) => this.#make(args, options, false, i === argLists.length - 1 ? all : undefined));
  }

  #make(args: readonly Arg[], options: CommandOptions | undefined, observed: boolean, settled: (() => void) | undefined): Command {
    const timeout = options?.timeout ?? this.#timeoutFor(args);
    let observer = observed ? this.observe(args) : undefined;
    if (settled) observer = alsoCalling(observer, settled);
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

/**
 * `observer`, then `settled`: a command's hook observer and what its watcher wants called when it settled.
 *
 * @example
 * ```ts
 * const onDone = alsoCalling(hooks.observe(args), watcher.watch(args)!);
 * ```
 */
export function alsoCalling(observer: CommandObserver | undefined, settled: () => void): CommandObserver {
  if (!observer) return settled;
  return (error) => {
    observer(error);
    settled();
  };
}
