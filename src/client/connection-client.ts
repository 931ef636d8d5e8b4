/**
 * The command API over one dedicated connection: what a pool lease, a blocking command's private
 * connection and `isolated()` hand to the caller. It never reconnects — state such as WATCH, MULTI
 * or SELECT dies with its socket, so EXEC after a lost connection fails instead of running unwatched.
 * @module
 */
import { ClosedError } from "../errors.ts";
import { commandName, refusal } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { Connection } from "../conn/connection.ts";
import type { CommandFactory } from "../conn/factory.ts";
import { prepareTransaction } from "../conn/transaction.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { CommandApi } from "./api.ts";
import type { Cmd } from "./spec.ts";

/** Commands on one connection that belongs to the caller for the time being. */
export class ConnectionClient extends CommandApi {
  #conn: Connection | undefined;
  #factory: CommandFactory;

  constructor(conn: Connection, factory: CommandFactory) {
    super();
    this.#conn = conn;
    this.#factory = factory;
  }

  /** The connection, while this client still holds it. */
  protected get connection(): Connection | undefined {
    return this.#conn;
  }

  /** Stop using the connection; later commands reject with `ClosedError`. Returns what was held. */
  protected detach(): Connection | undefined {
    const conn = this.#conn;
    this.#conn = undefined;
    return conn;
  }

  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    const conn = this.#conn;
    if (!conn) return Promise.reject(new ClosedError(`${commandName(args)} not sent: this connection was released`));
    const refused = refusal(args, "dedicated");
    if (refused) return Promise.reject(refused);
    const cmd = this.#factory.create(args, options);
    conn.write(cmd);
    return cmd.promise;
  }

  transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    const conn = this.#conn;
    if (!conn) return Promise.reject(new ClosedError("MULTI not sent: this connection was released"));
    try {
      const tx = prepareTransaction(commands, "dedicated", this.#factory, options);
      conn.writeEncoded(tx.commands, tx.bytes);
      return tx.result;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  protected override resolveKeyPrefix(): string {
    return this.#factory.keyPrefix;
  }

  /** Already isolated: runs `fn` on this same connection. */
  isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    return fn(this);
  }
}
