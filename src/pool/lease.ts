/**
 * A lease: one pool connection held exclusively by one caller until `release()`. It has the full
 * command API; it also watches the commands it sends so the pool knows, at release, whether the
 * connection can be reused as is, must be reset, or must be closed.
 * @module
 */
import { ConnectionClient } from "../client/connection-client.ts";
import type { Cmd } from "../client/spec.ts";
import { commandName } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { Connection } from "../conn/connection.ts";
import type { CommandFactory } from "../conn/factory.ts";
import { ClosedError, ConnectionError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { SessionState } from "./session.ts";

/**
 * An exclusive connection from a pool. Use it for blocking commands, `WATCH`/`MULTI`, or anything
 * that needs one connection; then release it (or let `await using` do so). A lease that leaves its
 * connection dirty (open MULTI, WATCH, another db, subscribed, replies outstanding) is fine to
 * release: the pool resets or closes that connection instead of handing it out again.
 *
 * @example
 * ```ts
 * await using lease = await pool.acquire();
 * await lease.send(["WATCH", "balance"]);
 * const balance = Number(await lease.get("balance"));
 * const result = await lease.multi().set("balance", String(balance - 10)).exec(); // null if it changed
 * ```
 */
export class Lease extends ConnectionClient {
  /** When the pool handed this lease out (`Date.now()` ms). */
  readonly acquiredAt: number = Date.now();
  readonly #session: SessionState;
  readonly #clientId: number;
  readonly #giveBack: (session: SessionState) => Promise<void>;
  readonly #closedBy: () => string | undefined;
  #released: Promise<void> | undefined;

  /**
   * @internal created by the pool; `giveBack` returns the connection to it, `closedBy` says why
   * the pool closed it (e.g. `pool.close()` timed out), if it did.
   */
  constructor(
    conn: Connection,
    factory: CommandFactory,
    giveBack: (session: SessionState) => Promise<void>,
    closedBy: () => string | undefined = () => undefined,
  ) {
    super(conn, factory);
    this.#session = new SessionState(conn.options.db);
    this.#clientId = conn.clientId;
    this.#giveBack = giveBack;
    this.#closedBy = closedBy;
  }

  /** The server's id for this connection (`CLIENT ID`), e.g. for `CLIENT KILL ID`. */
  get clientId(): number {
    return this.#clientId;
  }

  /** Whether `release()` was called. Commands on a released lease reject with `ClosedError`. */
  get released(): boolean {
    return this.#released !== undefined;
  }

  override send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    const lost = this.#lost(commandName(args));
    if (lost) return lost;
    if (this.connection) this.#session.observe(args);
    return super.send(args, options);
  }

  override transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    const lost = this.#lost("MULTI");
    if (lost) return lost;
    if (this.connection) {
      // A SELECT inside the transaction changes the db when EXEC runs; EXEC itself ends MULTI and WATCH.
      this.#session.observe(["MULTI"]);
      for (const cmd of commands) this.#session.observe(cmd.args);
      this.#session.observe(["EXEC"]);
    }
    return super.transaction(commands, options);
  }

  /**
   * Give the connection back. Resolves once the pool has taken it (after a reset, if the session
   * needed one). Calling it again is a no-op; commands sent afterwards reject with `ClosedError`.
   *
   * @example
   * ```ts
   * const lease = await pool.acquire();
   * try { await lease.send(["BLPOP", "jobs", 5]); } finally { await lease.release(); }
   * ```
   */
  release(): Promise<void> {
    if (!this.#released) {
      this.detach();
      this.#released = this.#giveBack(this.#session);
    }
    return this.#released;
  }

  /** `await using lease = await pool.acquire()` releases at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  /**
   * A lease whose socket died says so with a `ConnectionError`, as a multiplexer command would;
   * one the pool closed (at `close()`) with a `ClosedError` saying why.
   */
  #lost(name: string): Promise<never> | undefined {
    const conn = this.connection;
    if (!conn || conn.state !== "closed") return undefined;
    const reason = this.#closedBy();
    return Promise.reject(
      reason
        ? new ClosedError(`${name} not sent: the pool closed this lease's connection (${reason})`)
        : new ConnectionError(`${name} not sent: the lease's connection to ${conn.address} was lost`),
    );
  }
}
