/**
 * Connection lifecycles in the pool: opening (with jittered backoff after failures, so a down
 * server is not hammered; see connect-backoff.ts), closing (gracefully, or at once when a
 * connection is not fit for reuse), checking (health-check PING, reset after a lease), losses, and
 * closing the whole pool (see shutdown.ts). Routing — who gets which connection — is in engine.ts.
 * @module
 */
import type { Command } from "../conn/command.ts";
import type { WireCommand } from "../conn/connection.ts";
import { CommandFactory } from "../conn/factory.ts";
import { ClientCache } from "../cache/cache.ts";
import { guarded } from "../conn/hooks.ts";
import { ClosedError, ConnectionError, type RedisError } from "../errors.ts";
import type { Arg } from "../resp/types.ts";
import type { Locator, MasterSwitch, Role } from "../topology/locator.ts";
import { ConnectBackoff } from "./connect-backoff.ts";
import type { EventSink } from "./events.ts";
import type { Maintenance } from "./maintenance.ts";
import { Member, Members } from "./members.ts";
import type { ResolvedPoolOptions } from "./options.ts";
import { PoolShutdown } from "./shutdown.ts";
import type { Waiters } from "./waiters.ts";

/** Graceful closes outside `pool.close()` wait this long for outstanding replies. */
const RETIRE_TIMEOUT_MS = 5_000;

/**
 * Opening, checking and closing pool connections; subclassed by the router (engine.ts).
 *
 * @example
 * ```ts
 * engine.grow(0, 1);        // open one more connection if under max and not backing off
 * await engine.close(1000); // what pool.close({ timeout: 1000 }) does
 * ```
 */
export abstract class Lifecycle {
  readonly options: ResolvedPoolOptions;
  readonly members = new Members();
  readonly factory: CommandFactory;
  readonly events: EventSink;
  /** Where connections go, asked for every one opened; `role` says which node they are for. */
  readonly locator: Locator;
  readonly role: Role;
  /** Master switches followed (Sentinel failovers). */
  failovers = 0;
  #stopFollowing: () => void;
  abstract readonly waiters: Waiters<Member>;
  maintenance!: Maintenance;
  /** `open` → serving; `closing` → `close()` running; `closed`. */
  state: "open" | "closing" | "closed" = "open";
  created = 0;
  destroyed = 0;
  /** The client-side cache (option `cache`): told what Redis invalidates, and when a tracking connection is lost. */
  readonly cache: ClientCache | undefined;
  /** The last connect failure since the last success (the `cause` of pool timeouts). */
  lastConnectError: Error | undefined;
  readonly #backoff: ConnectBackoff;
  #closeTimeout = RETIRE_TIMEOUT_MS;
  readonly #shutdown = new PoolShutdown(this);

  constructor(options: ResolvedPoolOptions, events: EventSink, locator: Locator, role: Role) {
    this.options = options;
    this.events = events;
    this.locator = locator;
    this.role = role;
    this.#backoff = new ConnectBackoff(options.reconnect, () => this.kick());
    this.#stopFollowing = locator.onSwitch((change) => this.#followSwitch(change));
    this.factory = new CommandFactory(options.connection);
    this.cache = options.cache && new ClientCache(options.cache, options.connection.hooks);
    // Writes through any entry point (pool commands, leases, transactions) drop their keys' entries.
    this.factory.watcher = this.cache;
  }

  /** Serve waiters and open what is wanted (engine.ts). */
  abstract kick(): void;
  /** Run a pool command on a shared connection (engine.ts). */
  abstract dispatch(cmd: Command): void;

  /**
   * Open connections: one per leasing waiter and one for all waiting pool commands, minus those
   * already on their way, and at least up to `min` — never past `max`, never while backing off.
   */
  grow(exclusive: number, shared: number): void {
    if (this.state !== "open" || this.#backoff.blocked) return;
    const m = this.members;
    let want = exclusive + (shared > 0 ? 1 : 0) - m.connecting.size - m.checking.size;
    want = Math.min(Math.max(want, this.options.min - m.total), this.options.max - m.total);
    for (let i = 0; i < want; i++) this.#open();
  }

  /** A caller is waiting: if backoff left nothing scheduled, give it an attempt when the delay has passed. */
  callerWantsConnection(): void {
    this.#backoff.callerWaits();
  }

  /** Put `member` in `idle`, now. */
  toIdle(member: Member): void {
    member.idleSince = Date.now();
    member.verified = false;
    member.last = undefined;
    this.members.move(member, "idle");
  }

  /**
   * Busy connections whose replies are all in are idle in all but name: pool commands do not
   * report each reply (that would cost a promise reaction per command), so they are reclassified
   * here, lazily. Returns whether any moved.
   */
  settleDrained(): boolean {
    let moved = false;
    for (const set of [this.members.busy, this.members.draining]) {
      for (const x of [...set]) {
        if (x.conn.inFlight === 0) {
          this.toIdle(x);
          moved = true;
        }
      }
    }
    return moved;
  }

  /**
   * `member` must serve nobody again: closed now if nobody holds it (gracefully, its replies
   * still arrive), else when its lease comes back or its check ends.
   */
  letGo(member: Member, reason: string): void {
    member.letGo ??= reason;
    if (member.state === "idle" || member.state === "busy" || member.state === "draining") void this.retire(member, reason);
  }

  /** Whether `member` is to be closed rather than used: let go, or its node no longer has its role. */
  unfit(member: Member): string | undefined {
    if (member.letGo) return member.letGo;
    return this.locator.isStale(member.conn, this.role) ? "its node is no longer the master" : undefined;
  }

  /** Close gracefully (outstanding replies may arrive first); resolves once closed. */
  retire(member: Member, reason: string): Promise<void> {
    member.retireReason = reason;
    this.members.move(member, "closing");
    member.conn.close(this.#closeTimeout).catch(() => {});
    return member.conn.closed.then(() => {});
  }

  /** Close at once: the connection is not fit for anyone. */
  destroy(member: Member, reason: string): Promise<void> {
    member.retireReason = reason;
    member.conn.destroy(new ClosedError(`connection closed by the pool: ${reason}`));
    return Promise.resolve();
  }

  /**
   * Send `commands` (each must succeed) before the connection is idle again: `PING` for a health
   * check, `DISCARD`/`UNWATCH`/`SELECT` to reset a lease's session. On any failure it is destroyed
   * and `kick()` replaces it.
   */
  verify(member: Member, commands: Arg[][], what: string): Promise<void> {
    this.members.move(member, "checking");
    const timeout = this.options.healthCheck?.timeout ?? 2_000;
    const cmds = commands.map((args) => this.factory.create(args, { timeout }));
    for (const cmd of cmds) member.conn.write(cmd);
    return Promise.all(cmds.map((cmd) => cmd.promise)).then(
      () => {
        if (member.state !== "checking") return;
        if (member.conn.inFlight > 0) return this.destroy(member, `${what}: replies outstanding`);
        const unfit = this.unfit(member);
        if (unfit) return this.retire(member, unfit);
        this.toIdle(member);
        member.verified = true;
        this.kick();
      },
      (err: Error) => {
        if (member.state === "checking") return this.destroy(member, `${what} failed: ${err.message}`);
      },
    );
  }

  /**
   * Stop: no more connections open or follow the master; then close them all (see shutdown.ts).
   * Resolves when no connection remains.
   */
  close(timeout: number): Promise<void> {
    const closing = this.#shutdown.closing;
    if (closing) return closing;
    this.state = "closing";
    this.#closeTimeout = timeout;
    this.#stopFollowing();
    this.maintenance.stop();
    this.#backoff.stop();
    return this.#shutdown.start(timeout);
  }

  #open(): void {
    const member = new Member();
    this.members.add(member);
    const cache = this.cache;
    const hooks = {
      onClose: (err: Error | undefined, unwritten: WireCommand[]) => this.#lost(member, err, unwritten),
      onErrorReply: (err: RedisError) => this.#errorReply(member, err),
      ...(cache && { onPush: cache.onPush.bind(cache), callersServed: () => cache.hits }),
    };
    this.locator.open(this.role, hooks, member.abort.signal)
      .then((conn) => this.#opened(member, conn), (err) => this.#openFailed(member, err));
  }

  #opened(member: Member, conn: NonNullable<Member["conn"]>): void {
    member.conn = conn;
    const moved = this.locator.isStale(conn, this.role); // the master moved while it connected
    if (member.state !== "connecting" || this.state !== "open" || conn.state !== "ready" || moved) {
      if (member.state === "connecting") this.members.move(member, "gone");
      conn.destroy(new ClosedError(moved ? "the master moved while connecting" : "the pool was closed while connecting"));
      if (this.state === "open") this.kick();
      else this.#shutdown.check();
      return;
    }
    this.#backoff.succeeded();
    this.lastConnectError = undefined;
    const now = Date.now();
    member.createdAt = now;
    // Each connection draws its lifetime in [90%, 100%] of maxLifetime: a pool filled at once
    // does not reconnect all at once (go-redis and HikariCP jitter the same way).
    const life = this.options.maxLifetime;
    member.expiresAt = life > 0 ? now + life * (0.9 + 0.1 * Math.random()) : Infinity;
    this.created++;
    this.toIdle(member);
    if (this.events.listens("create")) this.events.emit("create", { clientId: conn.clientId });
    this.maintenance.ensure();
    this.kick();
  }

  #openFailed(member: Member, err: unknown): void {
    if (member.state !== "connecting") return; // close() stopped counting it already
    this.members.move(member, "gone");
    if (this.state !== "open") return this.#shutdown.check();
    const error = err instanceof Error ? err : new ConnectionError(String(err));
    this.lastConnectError = error;
    // When the policy stops the pool's own retries, a caller asking still gets an attempt after a backoff.
    const retry = this.#backoff.failed(error);
    this.events.emit("error", error);
    if (this.members.total === 0 && this.waiters.size > 0) {
      // Nothing open and nothing coming: no waiter can be served before the server is back, so
      // they learn why now instead of at acquireTimeout (go-redis returns the dial error too).
      this.waiters.failAll(new ConnectionError(`no pool connection to ${this.locator.address}: ${error.message}`, { cause: error }));
    }
    const wanted = this.waiters.size > 0 || this.members.total < this.options.min;
    if (wanted && retry !== false) this.#backoff.retryIn(retry);
    this.kick();
  }

  /** An error reply the locator or `reconnectOnError` takes as a sign of the wrong node: that connection goes. */
  #errorReply(member: Member, err: RedisError): void {
    if (member.state === "connecting") return; // the handshake's own replies: its failure is reported as such
    const policy = this.options.reconnectOnError;
    if (this.locator.shouldReplace(err, this.role) || (policy && guarded(() => policy(err)) === true)) {
      this.letGo(member, `replaced after the reply ${err.code}`);
    }
  }

  /**
   * The master moved: connections to the old one close (idle ones now, busy ones once their
   * replies are in, leased ones when released), and a backoff after failed connects ends now.
   */
  #followSwitch(change: MasterSwitch): void {
    if (this.state !== "open") return;
    this.failovers++;
    const m = this.members;
    for (const x of [...m.idle, ...m.busy, ...m.draining, ...m.leased, ...m.checking]) {
      if (this.locator.isStale(x.conn, this.role)) this.letGo(x, `the master moved to ${change.to}`);
    }
    this.#backoff.reset();
    this.events.emit("failover", change);
    this.kick();
  }

  /** The connection closed (any reason): forget it, requeue what it never sent, refill. */
  #lost(member: Member, err: Error | undefined, unwritten: WireCommand[]): void {
    const was = member.state;
    if (was === "connecting" || was === "gone") {
      // #openFailed reports a failed handshake; nothing of a caller was queued on it.
      for (const cmd of unwritten) cmd.fail(new ConnectionError(`${cmd.name} not sent: connection closed`, { cause: err }));
      return;
    }
    this.members.move(member, "gone");
    this.destroyed++;
    // The keys it read are tracked no more; which cached replies came through it is not known.
    this.cache?.flush();
    const reason = member.retireReason ?? (err ? `connection lost: ${err.message}` : "connection closed by the server");
    if (this.events.listens("destroy")) this.events.emit("destroy", { clientId: member.clientId, reason });
    for (const cmd of unwritten) {
      // Never handed to the socket, so it cannot have run: a pool command may go to another
      // connection. (Only a shared client's connection carries raw commands; none come here.)
      if ((was === "busy" || was === "draining") && this.state === "open" && !cmd.raw) this.dispatch(cmd);
      else cmd.fail(new ConnectionError(`${cmd.name} not sent: connection to ${member.conn.address} closed`, { cause: err }));
    }
    if (this.state === "open") this.kick();
    else this.#shutdown.check();
  }
}
