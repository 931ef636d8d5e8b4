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

/** Makes {@link Command}s whose deadlines one {@link Deadlines} watches. */
export class CommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;
  /** Put in front of every key argument (the `keyPrefix` option); `""` for none. */
  readonly keyPrefix: string;
  /** Consulted at each command: hooks may be added after creation. */
  readonly #hooks: HookSet | undefined;

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

  /**
   * A command for `args` (its keys prefixed), its deadline already running. `observed: false`
   * leaves it to the caller to report it (a transaction is reported once, see
   * {@link CommandFactory.observe}).
   */
  create(given: readonly Arg[], options?: CommandOptions, observed = true): Command {
    const args = this.keyPrefix ? prefixKeys(given, this.keyPrefix) : given;
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
