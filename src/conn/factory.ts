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
import { type Hooks, observeCommand } from "./hooks.ts";
import type { ResolvedConnectionOptions } from "./options.ts";

/** The connection options a {@link CommandFactory} takes its defaults from. */
export type FactoryDefaults = Pick<ResolvedConnectionOptions, "commandTimeout" | "decode" | "hooks"> & { keyPrefix?: string };

/** Makes {@link Command}s whose deadlines one {@link Deadlines} watches. */
export class CommandFactory {
  readonly deadlines: Deadlines;
  readonly bytesByDefault: boolean;
  /** Put in front of every key argument (the `keyPrefix` option); `""` for none. */
  readonly keyPrefix: string;
  readonly #hooks: Hooks | undefined;

  /**
   * @param connection the connection options whose defaults commands take
   * @param whyNotSent why queued commands are not sent yet (the last connection error), for timeout messages
   */
  constructor(connection: FactoryDefaults, whyNotSent?: () => Error | undefined) {
    this.deadlines = new Deadlines(connection.commandTimeout, whyNotSent);
    this.bytesByDefault = connection.decode === "bytes";
    this.keyPrefix = connection.keyPrefix ?? "";
    this.#hooks = connection.hooks?.command ? connection.hooks : undefined;
  }

  /** A command for `args` (its keys prefixed), its deadline already running. */
  create(given: readonly Arg[], options?: CommandOptions): Command {
    const args = this.keyPrefix ? prefixKeys(given, this.keyPrefix) : given;
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
