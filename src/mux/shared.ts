/**
 * A connection that heals itself: it connects, reconnects with jittered backoff when lost, and
 * holds commands issued meanwhile in a bounded offline queue.
 *
 * The rule that keeps data safe: a command already handed to a socket that died is rejected (it
 * may have run — ioredis and Lettuce replay such commands, so INCR can run twice); a command never
 * handed to the socket waits for the next connection. Every state change settles every queue:
 * close() during connect, during backoff or while ready leaves nothing pending (ioredis #2197,
 * node-redis #3398, Bun #32779 were each a transition that forgot a queue).
 * @module
 */
import { ClosedError, ConnectionError, LimitError, RedisError, TimeoutError } from "../errors.ts";
import { backoffDelay, type ResolvedReconnect } from "../conn/backoff.ts";
import type { Command } from "../conn/command.ts";
import type { Connection, ConnectionHooks, WireCommand } from "../conn/connection.ts";
import type { EncodedRun, RawCommand } from "../conn/raw-command.ts";
import { openConnection } from "../conn/open.ts";
import { describeAddress, type ResolvedConnectionOptions } from "../conn/options.ts";
import { isPermanentFailure } from "../conn/permanent-failure.ts";
import { Queue } from "../conn/queue.ts";
import { encodeTogether } from "../conn/transaction.ts";
import { validateCommand } from "../resp/validate.ts";

/** Lifecycle of a {@link SharedConnection}. */
export type SharedState = "connecting" | "ready" | "reconnecting" | "closing" | "closed";

/** What a shared connection reports to its owner. */
export interface SharedConnectionEvents {
  connect(): void;
  ready(conn: Connection): void;
  error(err: Error): void;
  reconnecting(info: { attempt: number; delay: number; error: Error }): void;
  end(err: Error | undefined): void;
}

/** Settings of a {@link SharedConnection}. */
export interface SharedConnectionOptions {
  connection: ResolvedConnectionOptions;
  reconnect: ResolvedReconnect;
  /** Bound of the offline queue. */
  maxPending: number;
  /** Push routing for the connection (pub/sub). */
  hooks?: Pick<ConnectionHooks, "onPush" | "isPush">;
  events: SharedConnectionEvents;
}

/** One logical connection over a succession of sockets. */
export class SharedConnection {
  state: SharedState = "connecting";
  readonly address: string;
  #options: SharedConnectionOptions;
  #conn: Connection | undefined;
  #offline = new Queue<WireCommand>();
  /** Commands held since the offline queue was last searched through for settled ones (see #dropSettled). */
  #heldSinceSweep = Infinity;
  #connecting: AbortController | undefined;
  #lastError: Error | undefined;
  /** Set while the last attempt failed in a way retrying cannot fix: commands reject with it instead of waiting. */
  #unreachable: Error | undefined;
  #ended: Promise<void>;
  #resolveEnded!: () => void;

  constructor(options: SharedConnectionOptions) {
    this.#options = options;
    this.address = describeAddress(options.connection);
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    void this.#connectLoop();
  }

  /** Closing or closed: read through a getter so checks after an `await` see the current state. */
  get #stopping(): boolean {
    return this.state === "closing" || this.state === "closed";
  }

  /** The live connection when ready. */
  get connection(): Connection | undefined {
    return this.state === "ready" ? this.#conn : undefined;
  }

  /** Commands waiting for a connection. */
  get pending(): number {
    this.#dropSettledHead(Date.now());
    return this.#offline.length;
  }

  /** Why the last connection attempt or connection failed, for messages. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Send `cmd` now when ready, or queue it (bounded by `maxPending`) until a connection is. */
  write(cmd: Command): void {
    const conn = this.#conn;
    if (conn !== undefined && this.state === "ready") return conn.write(cmd);
    try {
      validateCommand(cmd.args); // bad arguments reject now, not when a connection finally comes
    } catch (err) {
      return cmd.fail(err as Error);
    }
    this.#hold(cmd);
  }

  /**
   * Send a run of commands encoded elsewhere (a worker's, see `worker/raw.ts`) now when ready: in
   * one piece when the connection has room for all of them, else one by one, so that as many go
   * as `maxInFlight` allows. Otherwise queue them, each as `write` would.
   */
  writeRun(run: EncodedRun, cmds: RawCommand[]): void {
    const { commandTimeout } = this.#options.connection;
    if (commandTimeout > 0) run.deadline = Date.now() + commandTimeout; // for commands that end up held back
    const conn = this.connection;
    if (conn && conn.room >= cmds.length) return conn.writeEncoded(cmds, run.bytes);
    for (const cmd of cmds) {
      if (conn) writeAlone(conn, cmd);
      else this.#hold(cmd);
    }
  }

  /**
   * Send the commands of a transaction, encoded together as `bytes`, now when ready, else queue
   * them as one piece: they wait, and are written, together or not at all.
   */
  writeTogether(cmds: readonly Command[], bytes: Uint8Array): void {
    const conn = this.#conn;
    if (conn !== undefined && this.state === "ready") return conn.writeEncoded(cmds, bytes);
    if (!this.#stopping && this.#offline.length + cmds.length > this.#options.maxPending) {
      this.#heldSinceSweep += cmds.length;
      this.#dropSettled(cmds.length);
    }
    if (!this.#stopping && this.#offline.length + cmds.length > this.#options.maxPending) {
      const error = new LimitError("maxPending", `MULTI refused: ${this.#offline.length} commands already wait for a connection to ${this.address} (maxPending ${this.#options.maxPending})`);
      for (const cmd of cmds) cmd.fail(error);
      return;
    }
    for (const cmd of cmds) this.#hold(cmd);
  }

  /** Queue `cmd` for the next connection, bounded by `maxPending`; commands that settled while queued do not count. */
  #hold(cmd: WireCommand): void {
    if (this.#stopping) {
      return cmd.fail(new ClosedError(`${cmd.name} not sent: the client is ${this.state}`));
    }
    if (this.#unreachable) return cmd.fail(this.#unreachable);
    this.#heldSinceSweep++;
    if (this.#offline.length >= this.#options.maxPending) this.#dropSettled();
    if (this.#offline.length >= this.#options.maxPending) {
      return cmd.fail(
        new LimitError("maxPending", `${cmd.name} refused: ${this.#options.maxPending} commands already wait for a connection to ${this.address} (maxPending)`),
      );
    }
    this.#offline.push(cmd);
  }

  /**
   * Let go of queued commands that timed out or were aborted while they waited. With the default
   * timeout they expire in the order they were queued, so the head is checked every time; commands
   * with timeouts or signals of their own settle anywhere, so the whole queue is searched too, but
   * only once a quarter of its length has been held since the last search: at the bound, a queue of
   * 100,000 live commands must not cost a pass per refused command. `need`: the places wanted (a
   * transaction's commands wait together).
   */
  #dropSettled(need = 1): void {
    const now = Date.now();
    this.#dropSettledHead(now);
    if (this.#offline.length + need <= this.#options.maxPending || 4 * this.#heldSinceSweep < this.#offline.length) return;
    this.#heldSinceSweep = 0;
    this.#offline.prune((cmd) => stillWaiting(cmd, now));
  }

  #dropSettledHead(now: number): void {
    for (let cmd = this.#offline.peek(); cmd && !stillWaiting(cmd, now); cmd = this.#offline.peek()) this.#offline.shift();
  }

  /** Stop: queued commands reject, written ones get their replies (up to `timeoutMs`), then the socket closes. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#stopping) return this.#ended;
    this.state = "closing";
    this.#connecting?.abort(new ClosedError("client closed while connecting"));
    this.#failQueued(new ClosedError(`the client was closed before the command could be sent to ${this.address}`));
    await this.#conn?.close(timeoutMs);
    this.#finish(undefined);
    return this.#ended;
  }

  /** Stop now: everything pending rejects with `err` or a `ClosedError`. */
  destroy(err?: Error): void {
    if (this.state === "closed") return;
    this.state = "closing";
    const reason = err ?? new ClosedError(`client to ${this.address} destroyed`);
    this.#connecting?.abort(reason);
    this.#failQueued(reason);
    this.#conn?.destroy(reason);
    this.#finish(err);
  }

  async #connectLoop(): Promise<void> {
    const { reconnect, events } = this.#options;
    for (let attempt = 1; this.state === "connecting" || this.state === "reconnecting"; attempt++) {
      const controller = (this.#connecting = new AbortController());
      let conn: Connection | undefined;
      try {
        conn = await openConnection(
          this.#options.connection,
          {
            ...this.#options.hooks,
            onConnect: () => events.connect(),
            onClose: (err, unwritten) => this.#lost(conn, err, unwritten),
          },
          controller.signal,
        );
      } catch (err) {
        if (this.#stopping) return;
        this.#lastError = err as Error;
        events.error(err as Error);
        if (attempt >= reconnect.maxAttempts) { // the first connect is tried even with maxAttempts 0
          return this.#giveUp(new ConnectionError(`gave up connecting to ${this.address} after ${attempt} attempts`, { cause: err }));
        }
        this.#failFastIfPermanent(err as Error);
        const delay = backoffDelay(reconnect, attempt);
        events.reconnecting({ attempt, delay, error: err as Error });
        await sleep(delay, controller.signal); // close() aborts the controller, ending the wait
        continue;
      }
      this.#connecting = undefined;
      if (this.#stopping) return conn.destroy();
      this.#conn = conn;
      this.#unreachable = undefined;
      this.state = "ready";
      events.ready(conn);
      const now = Date.now();
      for (let cmd = this.#offline.shift(); cmd; cmd = this.#offline.shift()) {
        if (!cmd.raw && cmd.together) this.#writeHeldTransaction(conn, cmd.together);
        else if (!stillWaiting(cmd, now)) continue;
        else if (!cmd.raw) conn.write(cmd);
        else writeAlone(conn, cmd);
      }
      return;
    }
  }

  /**
   * Write a transaction that waited for this connection as one piece — unless part of it settled
   * meanwhile (timed out, aborted): then none of it is written, or a MULTI without its EXEC
   * would swallow every other caller's commands.
   */
  #writeHeldTransaction(conn: Connection, group: readonly Command[]): void {
    while ((this.#offline.peek() as Command | undefined)?.together === group) this.#offline.shift();
    const settled = group.find((cmd) => cmd.state === "done");
    if (settled) {
      const error = new TimeoutError(`MULTI not sent: part of the transaction (${settled.name}) timed out or was aborted while it waited for a connection`);
      for (const cmd of group) cmd.fail(error);
      return;
    }
    conn.writeEncoded(group, encodeTogether(group));
  }

  #lost(conn: Connection | undefined, err: Error | undefined, unwritten: WireCommand[]): void {
    if (conn === undefined || conn !== this.#conn) {
      // Lost during its own handshake: openConnection reports that failure; these never left.
      for (const cmd of unwritten) cmd.fail(new ConnectionError(`${cmd.name} not sent: connection to ${this.address} failed`, { cause: err }));
      return;
    }
    this.#conn = undefined;
    if (this.#stopping) {
      for (const cmd of unwritten) cmd.fail(new ClosedError(`${cmd.name} not sent: the client is closed`));
      return;
    }
    this.#lastError = err ?? new ConnectionError(`connection to ${this.address} closed by the server`);
    this.#options.events.error(this.#lastError);
    // Never-written commands go back to the front, ahead of those queued since, keeping order.
    const requeue = new Queue<WireCommand>();
    for (const cmd of unwritten) requeue.push(cmd);
    for (let cmd = this.#offline.shift(); cmd; cmd = this.#offline.shift()) requeue.push(cmd);
    this.#offline = requeue;
    if (this.#options.reconnect.maxAttempts === 0) {
      return this.#giveUp(new ConnectionError(`connection to ${this.address} lost and reconnect is off`, { cause: err }));
    }
    this.state = "reconnecting";
    void this.#connectLoop();
  }

  /**
   * After a failure retrying cannot fix (an untrusted certificate, rejected credentials, an unknown
   * host: see conn/permanent-failure.ts) what waits rejects now, and new commands do not wait,
   * instead of each one timing out. The loop keeps trying, so the client recovers once the cause
   * is fixed; a passing failure (refused, timed out) lets commands wait again.
   */
  #failFastIfPermanent(err: Error): void {
    if (!isPermanentFailure(err)) {
      this.#unreachable = undefined;
      return;
    }
    const why = err instanceof RedisError ? `${this.address} refused the connection: ${err.message}` : err.message;
    this.#unreachable = new ConnectionError(`command not sent: ${why}`, { cause: err });
    this.#failQueued(this.#unreachable);
  }

  #giveUp(err: Error): void {
    this.state = "closing";
    this.#failQueued(err);
    this.#finish(err);
  }

  #failQueued(err: Error): void {
    for (let cmd = this.#offline.shift(); cmd; cmd = this.#offline.shift()) cmd.fail(err);
  }

  #finish(err: Error | undefined): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#options.events.end(err);
    this.#resolveEnded();
  }
}

/**
 * Whether a queued command still waits to be sent: not settled (timed out, aborted) meanwhile. A
 * worker's command keeps no timer here: one past its deadline is failed now (its caller has given up).
 */
function stillWaiting(cmd: WireCommand, now: number): boolean {
  if (cmd.state === "done") return false;
  if (!cmd.raw || cmd.run.deadline === 0 || cmd.run.deadline > now) return true;
  cmd.fail(new TimeoutError(`${cmd.name} timed out before it could be sent`));
  return false;
}

/** Write one command of a run on its own (the run did not fit, or waited for this connection). */
function writeAlone(conn: Connection, cmd: RawCommand): void {
  try {
    conn.writeEncoded([cmd], cmd.encoded());
  } catch (err) {
    cmd.fail(err as Error);
  }
}

/** Wait `ms`, or less if `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
