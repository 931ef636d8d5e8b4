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
import { retryDelay, type ResolvedReconnect } from "../conn/backoff.ts";
import type { Command } from "../conn/command.ts";
import type { Connection, ConnectionHooks, WireCommand } from "../conn/connection.ts";
import type { EncodedRun, RawCommand } from "../conn/raw-command.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { isPermanentFailure } from "../conn/permanent-failure.ts";
import { Queue } from "../conn/queue.ts";
import { guarded } from "../conn/hooks.ts";
import { encodeTogether } from "../conn/transaction.ts";
import { validateCommand } from "../resp/validate.ts";
import type { Locator, Role } from "../topology/locator.ts";

/** Lifecycle of a {@link SharedConnection}; `lazy` until the first command or `connect()` when created with `lazy`. */
export type SharedState = "lazy" | "connecting" | "ready" | "reconnecting" | "closing" | "closed";

/** What a shared connection reports to its owner. */
export interface SharedConnectionEvents {
  connect(): void;
  ready(conn: Connection): void;
  error(err: Error): void;
  /**
   * Commands go to a new connection from now on: the current one (connected to the wrong node,
   * or after an error reply `replaceOn` accepted) closes once its written commands are answered.
   */
  replaced?(why: Error): void;
  reconnecting(info: { attempt: number; delay: number; error: Error }): void;
  end(err: Error | undefined): void;
}

/** Settings of a {@link SharedConnection}. */
export interface SharedConnectionOptions {
  connection: ResolvedConnectionOptions;
  /** Where each connection goes, asked on every (re)connect; `role` says which node it is for. */
  locator: Locator;
  role: Role;
  reconnect: ResolvedReconnect;
  /** Bound of the offline queue. */
  maxPending: number;
  /** Push routing for the connection (pub/sub). */
  hooks?: Pick<ConnectionHooks, "onPush" | "isPush">;
  events: SharedConnectionEvents;
  /** Wait for the first command or {@link SharedConnection.ready} before connecting. */
  lazy?: boolean;
  /** Whether an error reply means the connection should be replaced (`reconnectOnError`); the locator's own reasons count too. */
  replaceOn?: (err: RedisError) => boolean;
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
  /** Connections replaced (see #replace) that still close, their replies still coming. */
  #retired = new Set<Connection>();
  #lastError: Error | undefined;
  /** Set while the last attempt failed in a way retrying cannot fix: commands reject with it instead of waiting. */
  #unreachable: Error | undefined;
  #ended: Promise<void>;
  #resolveEnded!: () => void;
  /** Callers of {@link ready}: settled by the next connection made, attempt failed, or the end. */
  #readyWaiters: Array<{ resolve(): void; reject(err: Error): void }> = [];
  /** Ends the backoff wait before the next attempt early (the master moved: try it now). */
  #wake: (() => void) | undefined;
  #stopFollowing: () => void;

  constructor(options: SharedConnectionOptions) {
    this.#options = options;
    this.address = options.locator.address;
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
    this.#start();
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
    // Connections replaced after a failover may still await replies: they finish under the same bound.
    await Promise.all([this.#conn, ...this.#retired].map((conn) => conn?.close(timeoutMs)));
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
    for (const conn of [this.#conn, ...this.#retired]) conn?.destroy(reason);
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
      return this.#sendHeld(conn);
    }
  }

  /** Write what waited for a connection, in order. */
  #sendHeld(conn: Connection): void {
    const now = Date.now();
    for (let cmd = this.#offline.shift(); cmd; cmd = this.#offline.shift()) {
      if (!cmd.raw && cmd.together) this.#writeHeldTransaction(conn, cmd.together);
      else if (!stillWaiting(cmd, now)) continue;
      else if (!cmd.raw) conn.write(cmd);
      else writeAlone(conn, cmd);
    }
  }

  /**
   * Wait the delay the reconnect policy gives for this setback; `false` when it gave up (the
   * client is closed then) or the client closed meanwhile.
   */
  async #waitToRetry(setbacks: number, err: Error, afterLoss: boolean): Promise<boolean> {
    const delay = retryDelay(this.#options.reconnect, setbacks, err, afterLoss);
    if (delay === false) {
      const attempts = afterLoss ? setbacks - 1 : setbacks;
      this.#giveUp(
        new ConnectionError(
          attempts > 0
            ? `gave up connecting to ${this.address} after ${attempts} attempts`
            : `connection to ${this.address} lost and reconnect is off`,
          { cause: err },
        ),
      );
      return false;
    }
    if (delay === 0 && afterLoss && setbacks === 1) return !this.#stopping; // a lost connection: at once
    const controller = (this.#connecting = new AbortController());
    this.#options.events.reconnecting({ attempt: setbacks, delay, error: err });
    // close() aborts the controller, ending the wait; so does #wake.
    await sleep(delay, controller.signal, (wake) => (this.#wake = wake));
    this.#wake = undefined;
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
    this.#wake?.();
  }

  /** An error reply the locator or the `replaceOn` policy takes as a sign of the wrong node: replace the connection. */
  #onErrorReply(conn: Connection | undefined, err: RedisError): void {
    if (conn === undefined || conn !== this.#conn || this.#stopping) return;
    const replaceOn = this.#options.replaceOn;
    if (!this.#options.locator.shouldReplace(err, this.#options.role) && (!replaceOn || guarded(() => replaceOn(err)) !== true)) return;
    this.#replace(conn, new ConnectionError(`connection to ${this.address} replaced after the reply ${err.code}`, { cause: err }));
  }

  /**
   * Stop writing to `conn` and connect anew; `conn` closes once its written commands have their
   * replies (at most `commandTimeout`), so none of them is lost or sent again.
   */
  #replace(conn: Connection, why: Error): void {
    this.#conn = undefined;
    this.#lastError = why;
    this.#retired.add(conn);
    void conn.close(this.#options.connection.commandTimeout || 5_000).finally(() => this.#retired.delete(conn));
    this.#options.events.replaced?.(why);
    this.state = "reconnecting";
    void this.#connectLoop();
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
    if (conn !== undefined && this.#retired.has(conn)) {
      // Replaced, then closed before everything written to it was flushed: those never left.
      for (const cmd of unwritten) this.#hold(cmd);
      if (this.#conn !== undefined && this.state === "ready") this.#sendHeld(this.#conn);
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
    // Never-written commands go back to the front, ahead of those queued since, keeping order.
    const requeue = new Queue<WireCommand>();
    for (const cmd of unwritten) requeue.push(cmd);
    for (let cmd = this.#offline.shift(); cmd; cmd = this.#offline.shift()) requeue.push(cmd);
    this.#offline = requeue;
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
    if (!isPermanentFailure(err) && !this.#options.locator.isNoneLeft(err)) {
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
    this.#stopFollowing();
    this.#settleReadyWaiters(err ?? new ClosedError(`not connected: the client to ${this.address} was closed`));
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

/** Wait `ms`, or less if `signal` aborts or the function handed to `expose` is called. */
function sleep(ms: number, signal: AbortSignal, expose?: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    expose?.(done);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
