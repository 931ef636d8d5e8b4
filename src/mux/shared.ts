/**
 * A connection that heals itself: it connects, reconnects with jittered backoff when lost, and
 * holds commands issued meanwhile in a bounded offline queue.
 *
 * The rule that keeps data safe: a command already handed to a socket that died is rejected (it
 * may have run — ioredis and Lettuce replay such commands, so INCR can run twice); a command never
 * handed to the socket waits for the next connection. Every state change settles every queue:
 * close() during connect, during backoff or while ready leaves nothing pending (ioredis #2197,
 * node-redis #3398, Bun #32779 were each a transition that forgot a queue).
 *
 * Beside it: the offline queue and its bound (`offline-queue.ts`), the waits between attempts
 * (`retry-wait.ts`), the connections switched away from (`connection-switch.ts`), and what its
 * owners pass in and hear (`shared-options.ts`).
 * @module
 */
import { ClosedError, ConnectionError, type RedisError } from "../errors.ts";
import type { Command } from "../conn/command.ts";
import type { Connection, WireCommand } from "../conn/connection.ts";
import type { EncodedRun, RawCommand } from "../conn/raw-command.ts";
import { validateCommand } from "../resp/validate.ts";
import { callsForReplacement, RetiredConnections } from "./connection-switch.ts";
import { OfflineQueue, writeAlone } from "./offline-queue.ts";
import { RetryWait, unreachableError } from "./retry-wait.ts";
import type { SharedConnectionOptions, SharedState } from "./shared-options.ts";


/** One logical connection over a succession of sockets. */
export class SharedConnection {
  state: SharedState = "connecting";
  readonly address: string;
  #options: SharedConnectionOptions;
  #conn: Connection | undefined;
  readonly #offline: OfflineQueue;
  #connecting: AbortController | undefined;
  /** Connections replaced (see #replace) that still close, their replies still coming. */
  readonly #retired = new RetiredConnections();
  #lastError: Error | undefined;
  /** Set while the last attempt failed in a way retrying cannot fix: commands reject with it instead of waiting. */
  #unreachable: Error | undefined;
  #ended: Promise<void>;
  #resolveEnded!: () => void;
  /** Callers of {@link ready}: settled by the next connection made, attempt failed, or the end. */
  #readyWaiters: Array<{ resolve(): void; reject(err: Error): void }> = [];
  /** The waits between connect attempts; a master switch ends one early. */
  readonly #retry: RetryWait;
  #stopFollowing: () => void;

  constructor(options: SharedConnectionOptions) {
    this.#options = options;
    this.address = options.locator.address;
    this.#offline = new OfflineQueue(options.maxPending, this.address);
    this.#retry = new RetryWait(options.reconnect, this.address);
    this.#ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#stopFollowing = options.locator.onSwitch((change) => this.#followSwitch(change.to));
    if (options.lazy) this.state = "lazy";
    else void this.#connectLoop();
  }

  /**
   * Resolves once a connection is ready (at once if one is), starting to connect if the
   * connection is lazy; rejects with the error of the next attempt that fails, or when it closes.
   */
  ready(): Promise<void> {
    if (this.state === "ready") return Promise.resolve();
    if (this.#stopping) return Promise.reject(new ClosedError(`not connected: the client to ${this.address} is ${this.state}`));
    this.#start();
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /** A lazy connection starts connecting (on the first command or `ready()`). */
  #start(): void {
    if (this.state !== "lazy") return;
    this.state = "connecting";
    void this.#connectLoop();
  }

  #settleReadyWaiters(err?: Error): void {
    const waiters = this.#readyWaiters;
    if (waiters.length === 0) return;
    this.#readyWaiters = [];
    for (const waiter of waiters) if (err) waiter.reject(err); else waiter.resolve();
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
    return this.#offline.waiting;
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
    if (!this.#stopping && !this.#offline.makeRoomTogether(cmds)) return;
    for (const cmd of cmds) this.#hold(cmd);
  }

  /** Queue `cmd` for the next connection (see {@link OfflineQueue.hold}), unless the client stops or cannot reach the server. */
  #hold(cmd: WireCommand): void {
    if (this.#stopping) {
      return cmd.fail(new ClosedError(`${cmd.name} not sent: the client is ${this.state}`));
    }
    if (this.#unreachable) return cmd.fail(this.#unreachable);
    this.#start();
    this.#offline.hold(cmd);
  }

  /** Stop: queued commands reject, written ones get their replies (up to `timeoutMs`), then the socket closes. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.#stopping) return this.#ended;
    this.state = "closing";
    this.#connecting?.abort(new ClosedError("client closed while connecting"));
    this.#offline.failAll(new ClosedError(`the client was closed before the command could be sent to ${this.address}`));
    // Connections replaced after a failover may still await replies: they finish under the same bound.
    await Promise.all([this.#conn?.close(timeoutMs), this.#retired.close(timeoutMs)]);
    this.#finish(undefined);
    return this.#ended;
  }

  /** Stop now: everything pending rejects with `err` or a `ClosedError`. */
  destroy(err?: Error): void {
    if (this.state === "closed") return;
    this.state = "closing";
    const reason = err ?? new ClosedError(`client to ${this.address} destroyed`);
    this.#connecting?.abort(reason);
    this.#offline.failAll(reason);
    this.#conn?.destroy(reason);
    this.#retired.destroy(reason);
    this.#finish(err);
  }

  /**
   * Connect, and retry as the reconnect policy says until a connection is ready, the policy gives
   * up, or the client closes. `lost`: a working connection was just lost, for that reason.
   */
  async #connectLoop(lost?: Error): Promise<void> {
    const { events } = this.#options;
    let setbacks = 0;
    if (lost && !(await this.#waitToRetry(++setbacks, lost, true))) return;
    while (this.state === "connecting" || this.state === "reconnecting") {
      const controller = (this.#connecting = new AbortController());
      let conn: Connection | undefined;
      try {
        conn = await this.#options.locator.open(
          this.#options.role,
          {
            ...this.#options.hooks,
            onConnect: () => events.connect(),
            onClose: (err, unwritten) => this.#lost(conn, err, unwritten),
            onErrorReply: (err) => this.#onErrorReply(conn, err),
          },
          controller.signal,
        );
      } catch (err) {
        if (this.#stopping) return;
        this.#lastError = err as Error;
        events.error(err as Error);
        this.#judge(err as Error);
        this.#settleReadyWaiters(err as Error);
        if (!(await this.#waitToRetry(++setbacks, err as Error, lost !== undefined))) return;
        continue;
      }
      this.#connecting = undefined;
      if (this.#stopping) return conn.destroy();
      this.#conn = conn;
      this.#unreachable = undefined;
      this.state = "ready";
      events.ready(conn);
      this.#settleReadyWaiters();
      return this.#offline.sendTo(conn);
    }
  }

  /**
   * Wait the delay the reconnect policy gives for this setback; `false` when it gave up (the
   * client is closed then) or the client closed meanwhile.
   */
  async #waitToRetry(setbacks: number, err: Error, afterLoss: boolean): Promise<boolean> {
    const delay = this.#retry.delay(setbacks, err, afterLoss);
    if (delay instanceof Error) {
      this.#giveUp(delay);
      return false;
    }
    if (delay === 0 && afterLoss && setbacks === 1) return !this.#stopping; // a lost connection: at once
    const controller = (this.#connecting = new AbortController());
    this.#options.events.reconnecting({ attempt: setbacks, delay, error: err });
    // close() aborts the controller, ending the wait; so does a master switch (#followSwitch).
    await this.#retry.sleep(delay, controller.signal);
    return !this.#stopping;
  }

  /**
   * The master moved to `to`: a connection to the old one is replaced (once its written commands
   * have their replies), and a wait before the next attempt ends now.
   */
  #followSwitch(to: string): void {
    const conn = this.#conn;
    if (this.#stopping) return;
    if (conn && this.state === "ready" && this.#options.locator.isStale(conn, this.#options.role)) {
      this.#replace(conn, new ConnectionError(`connection to ${conn.address} replaced: the master moved to ${to}`));
    }
    this.#retry.wake();
  }

  /** An error reply the locator or the `replaceOn` policy takes as a sign of the wrong node: replace the connection. */
  #onErrorReply(conn: Connection | undefined, err: RedisError): void {
    if (conn === undefined || conn !== this.#conn || this.#stopping) return;
    if (!callsForReplacement(err, this.#options)) return;
    this.#replace(conn, new ConnectionError(`connection to ${this.address} replaced after the reply ${err.code}`, { cause: err }));
  }

  /**
   * Stop writing to `conn` and connect anew; `conn` closes once its written commands have their
   * replies (at most `commandTimeout`), so none of them is lost or sent again.
   */
  #replace(conn: Connection, why: Error): void {
    this.#conn = undefined;
    this.#lastError = why;
    this.#retired.retire(conn, this.#options.connection.commandTimeout || 5_000);
    this.#options.events.replaced?.(why);
    this.state = "reconnecting";
    void this.#connectLoop();
  }

  #lost(conn: Connection | undefined, err: Error | undefined, unwritten: WireCommand[]): void {
    if (conn !== undefined && this.#retired.has(conn)) {
      // Replaced, then closed before everything written to it was flushed: those never left.
      for (const cmd of unwritten) this.#hold(cmd);
      if (this.#conn !== undefined && this.state === "ready") this.#offline.sendTo(this.#conn);
      return;
    }
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
    this.#offline.putBack(unwritten); // never written: ahead of those queued since, keeping order
    this.state = "reconnecting";
    void this.#connectLoop(this.#lastError);
  }

  /**
   * After a failure retrying cannot fix (an untrusted certificate, rejected credentials, an unknown
   * host: see conn/permanent-failure.ts) what waits rejects now, and new commands do not wait,
   * instead of each one timing out. The loop keeps trying, so the client recovers once the cause
   * is fixed; a passing failure (refused, timed out) lets commands wait again.
   */
  #judge(err: Error): void {
    this.#unreachable = unreachableError(err, this.#options.locator, this.address);
    if (this.#unreachable) this.#offline.failAll(this.#unreachable);
  }

  #giveUp(err: Error): void {
    this.state = "closing";
    this.#offline.failAll(err);
    this.#finish(err);
  }

  #finish(err: Error | undefined): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.#stopFollowing();
    this.#settleReadyWaiters(err ?? new ClosedError(`not connected: the client to ${this.address} was closed`));
    this.#options.events.end(err);
    this.#resolveEnded();
  }
}
