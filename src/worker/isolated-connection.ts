/**
 * What a worker client lends and shares with it: the connection of one `isolated()` call, and the
 * reply mode (`WrapOptions.decode`) both put on their calls.
 * @module
 */
import { CommandApi } from "../client/api.ts";
import type { Cmd } from "../client/spec.ts";
import { commandName } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import { ClosedError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { RemoteSession } from "./remote-session.ts";

/** The connection of one `isolated()` call, valid until `fn` settles. */
export class IsolatedConnection extends CommandApi {
  #session: RemoteSession | undefined;
  readonly #isolation: number;
  readonly #mode: CommandOptions | undefined;

  constructor(session: RemoteSession, isolation: number, mode: CommandOptions | undefined) {
    super();
    this.#session = session;
    this.#isolation = isolation;
    this.#mode = mode;
  }

  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    if (!this.#session) return Promise.reject(new ClosedError(`${commandName(args)} not sent: this isolated connection was released`));
    return this.#session.send(args, inMode(options, this.#mode), this.#isolation);
  }

  transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    if (!this.#session) return Promise.reject(new ClosedError("MULTI not sent: this isolated connection was released"));
    return this.#session.transaction(commands, inMode(options, this.#mode), this.#isolation);
  }

  /** Already isolated: runs `fn` on this same connection. */
  isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    return fn(this);
  }

  detach(): void {
    this.#session = undefined;
  }
}

/**
 * A call's options with the client's `decode` mode when the call names no `bytes` of its own: the
 * owner reads each reply in the mode its call says (else in its own).
 */
export function inMode(options: CommandOptions | undefined, mode: CommandOptions | undefined): CommandOptions | undefined {
  if (mode === undefined || options?.bytes !== undefined) return options;
  return options ? { ...options, bytes: mode.bytes } : mode;
}
