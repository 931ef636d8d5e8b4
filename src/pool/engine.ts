/**
 * The pool's state machine: which connection serves whom. Connections move between the named
 * collections of {@link Members}; every transition ends in `kick()`, which serves waiters in FIFO
 * order and opens connections for what is still wanted — so no state change can strand a queue
 * (node-redis #3398: close() hung when a scale-up connect failed; ioredis PR #2197).
 * The public surface is `Pool` (pool.ts); leases, sessions and timers live in their own files.
 * @module
 */
import type { Command } from "../conn/command.ts";
import { guarded } from "../conn/hooks.ts";
import { AbortError, ClosedError, LimitError, PoolTimeoutError } from "../errors.ts";
import type { EventSink } from "./events.ts";
import { Lifecycle } from "./lifecycle.ts";
import { Maintenance } from "./maintenance.ts";
import type { Member } from "./members.ts";
import type { ResolvedPoolOptions } from "./options.ts";
import type { SessionState } from "./session.ts";
import type { Locator, Role } from "../topology/locator.ts";
import { WaitSamples } from "./stats.ts";
import { Waiter, Waiters } from "./waiters.ts";

/**
 * Routing of pool commands and leases over the pool's connections. `Pool` wraps it.
 *
 * @example
 * ```ts
 * const engine = new PoolEngine(resolvePoolOptions({ max: 4 }), sink, locator);
 * const member = await engine.acquire();   // exclusive
 * await engine.giveBack(member);
 * engine.dispatch(engine.factory.create(["PING"])); // shared, pipelined
 * ```
 */
export class PoolEngine extends Lifecycle {
  readonly waiters: Waiters<Member>;
  readonly waits = new WaitSamples();
  acquireTimeouts = 0;
  #kicking = false;
  #kickAgain = false;

  constructor(options: ResolvedPoolOptions, events: EventSink, locator: Locator, role: Role = "master") {
    super(options, events, locator, role);
    const hooks = options.connection.hooks; // read at each wait: hooks may be added later
    this.waiters = new Waiters(
      options.acquireTimeout,
      (w) => this.waiters.fail(w, this.#timeoutError(w)),
      (w, error) => {
        const poolWait = hooks.poolWait;
        if (!poolWait) return;
        const waitedMs = performance.now() - w.since;
        const kind = w.exclusive ? "lease" : "command";
        guarded(() => poolWait(error ? { kind, waitedMs, outcome: "failed", error } : { kind, waitedMs, outcome: "acquired" }));
      },
    );
    this.maintenance = new Maintenance(this);
  }

  /**
   * A connection for one caller alone, moved to `leased`. Served at once when one is free (or
   * drained), else queued behind earlier waiters until one is released, opened or drained.
   */
  acquire(signal?: AbortSignal, what = "acquire()"): Promise<Member> {
    if (this.state !== "open") return Promise.reject(new ClosedError(`${what} refused: the pool is closed`));
    if (signal?.aborted) return Promise.reject(new AbortError(`${what} aborted`, { cause: signal.reason }));
    // Captured now, while the caller's frames are on the stack, and only when leaks are reported.
    const stack = this.options.leakTimeout > 0 ? new Error("lease acquired here").stack ?? "" : undefined;
    if (this.waiters.size === 0) {
      const member = this.#takeExclusive();
      if (member) {
        this.#lease(member, 0, stack);
        return Promise.resolve(member);
      }
    }
    const full = this.#full(what);
    if (full) return Promise.reject(full);
    return new Promise<Member>((resolve, reject) => {
      const waiter = new Waiter<Member>(true, this.options.acquireTimeout, (m) => {
        this.#lease(m, performance.now() - waiter.since, stack);
        resolve(m);
      }, reject);
      this.waiters.push(waiter, signal, what);
      this.callerWantsConnection();
      this.kick();
    });
  }

  /**
   * Run a non-blocking pool command on a connection nobody leased: an idle one, else the busy one
   * with the fewest replies outstanding (pipelining, as postgres.js does). Waits like an acquirer
   * only when no such connection exists.
   */
  dispatch(cmd: Command): void {
    if (cmd.state === "done") return;
    if (this.state !== "open") {
      cmd.fail(new ClosedError(`${cmd.name} not sent: the pool is closed`));
      return;
    }
    if (this.waiters.sharedCount === 0) {
      const member = this.#pickShared();
      if (member) {
        this.#writeShared(member, cmd);
        return;
      }
    }
    const full = this.#full(cmd.name);
    if (full) {
      cmd.fail(full);
      return;
    }
    const waiter = new Waiter<Member>(false, this.options.acquireTimeout, (m) => this.#writeShared(m, cmd), (err) => cmd.fail(err));
    this.waiters.push(waiter);
    // A command that times out or is aborted while queued leaves the queue with it.
    cmd.promise.catch((err: Error) => this.waiters.fail(waiter, err));
    this.callerWantsConnection();
    this.kick();
  }

  /**
   * Take back a leased connection: reuse it, reset it (MULTI/WATCH/SELECT undone), or close it when
   * it is broken, tainted, has replies outstanding, or outlived `maxLifetime`.
   */
  giveBack(member: Member, session?: SessionState): Promise<void> {
    if (this.events.listens("release")) this.events.emit("release", { clientId: member.clientId, heldFor: Date.now() - member.leasedAt });
    if (member.state !== "leased") return Promise.resolve(); // its connection was lost and is already counted
    member.leaseStack = undefined;
    const outstanding = member.conn.inFlight;
    // Replies still coming (an aborted BLPOP, a timed-out command) would answer the next borrower's commands.
    if (outstanding > 0) return this.destroy(member, `released with ${outstanding} replies outstanding`);
    if (this.state !== "open") return this.retire(member, "pool closed");
    const unfit = this.unfit(member);
    if (unfit) return this.retire(member, unfit);
    const reset = session ? session.resetCommands() : [];
    if (!reset) return this.destroy(member, `released after the lease ${session!.taint}`);
    if (member.expiresAt <= Date.now()) return this.retire(member, "reached maxLifetime");
    if (reset.length === 0) {
      this.toIdle(member);
      this.kick();
      return Promise.resolve();
    }
    return this.verify(member, reset, "reset after lease");
  }

  /** Serve waiters, then open connections for what is still wanted. Re-entrant calls fold into one loop. */
  kick(): void {
    if (this.#kicking) {
      this.#kickAgain = true;
      return;
    }
    this.#kicking = true;
    try {
      do {
        this.#kickAgain = false;
        this.#serve();
        this.grow(this.waiters.exclusiveCount, this.waiters.sharedCount);
        this.#reserveDraining();
      } while (this.#kickAgain && this.state === "open");
    } finally {
      this.#kicking = false;
    }
  }

  /** The bound on waiters, when reached. */
  #full(what: string): LimitError | undefined {
    if (this.waiters.size < this.options.maxWaiters) return undefined;
    return new LimitError("maxWaiters", `${what} refused: ${this.waiters.size} callers already wait for a pool connection (maxWaiters ${this.options.maxWaiters})`);
  }

  #serve(): void {
    // FIFO among those who need the same thing: a leasing waiter that cannot be served blocks the
    // leasing waiters behind it, but not pool commands that can pipeline onto a busy connection.
    let exclusiveOk = true;
    let sharedOk = true;
    for (const waiter of this.waiters) {
      if (waiter.exclusive ? !exclusiveOk : !sharedOk) continue;
      const member = waiter.exclusive ? this.#takeExclusive() : this.#pickShared();
      if (member) {
        if (!this.waiters.grant(waiter, member) && member.state !== "busy") this.toIdle(member);
      } else if (waiter.exclusive) exclusiveOk = false;
      else sharedOk = false;
      if (!exclusiveOk && !sharedOk) return;
    }
  }

  /** A connection nobody else uses: idle, or busy with every reply in. */
  #takeExclusive(): Member | undefined {
    const idle = this.#takeIdle();
    if (idle) return idle;
    const now = Date.now();
    for (const set of [this.members.draining, this.members.busy]) {
      for (const m of set) if (m.conn.inFlight === 0 && m.expiresAt > now) return m;
    }
    return undefined;
  }

  /** The freshest idle connection fit to use; stale ones go to a health check, expired ones are retired. */
  #takeIdle(): Member | undefined {
    const hc = this.options.healthCheck;
    let now = 0;
    for (let m = this.members.popIdle(); m; m = this.members.popIdle()) {
      now ||= Date.now();
      const unfit = this.unfit(m);
      if (unfit) void this.retire(m, unfit);
      else if (m.expiresAt <= now) void this.retire(m, "reached maxLifetime");
      else if (hc && !m.verified && now - m.idleSince >= hc.idleTime) void this.verify(m, [["PING"]], "health check");
      else return m;
    }
    return undefined;
  }

  #pickShared(): Member | undefined {
    const idle = this.#takeIdle();
    if (idle) {
      this.members.move(idle, "busy");
      return idle;
    }
    const best = this.members.leastLoaded();
    // Every shared connection has replies outstanding: start one more (one at a time) while under max.
    if (best && best.conn.inFlight > 0 && this.members.connecting.size === 0) this.grow(0, 1);
    return best;
  }

  #writeShared(member: Member, cmd: Command): void {
    if (member.state !== "busy") this.members.move(member, "busy");
    member.conn.write(cmd);
    if (cmd.state !== "done") member.last = cmd;
  }

  #lease(member: Member, waited: number, stack: string | undefined): void {
    this.members.move(member, "leased");
    member.leasedAt = Date.now();
    member.leaseStack = stack;
    member.leakReported = false;
    member.last = undefined;
    this.waits.add(waited);
    if (this.events.listens("acquire")) this.events.emit("acquire", { clientId: member.clientId, waited });
  }

  /**
   * At `max`, a leasing waiter would wait for a lease to come back while pool commands keep every
   * busy connection busy forever. So for each such waiter not covered by a connection on its way,
   * one busy connection stops taking pool commands; it goes to the waiter once its replies are in.
   */
  #reserveDraining(): void {
    const m = this.members;
    let need = this.waiters.exclusiveCount - m.connecting.size - m.checking.size - m.draining.size;
    // The waiters it was reserved for left (served elsewhere, aborted, timed out): take pool commands again.
    for (const draining of m.draining) {
      if (need >= 0) break;
      m.move(draining, "busy");
      need++;
    }
    while (need-- > 0) {
      const busy = m.leastLoaded();
      if (!busy) return;
      m.move(busy, "draining");
      this.#watchDrain(busy);
    }
  }

  #watchDrain(member: Member): void {
    const last = member.last;
    if (member.watched || !last || last.state === "done") {
      // No command to wait for (or it gave up before its reply came): the maintenance sweep looks again.
      if (member.conn.inFlight === 0) this.#kickAgain = true;
      this.maintenance.ensure();
      return;
    }
    member.watched = true;
    const settled = () => {
      member.watched = false;
      if (member.state !== "draining") return;
      if (member.conn.inFlight > 0) return this.#watchDrain(member);
      this.toIdle(member);
      this.kick();
    };
    last.promise.then(settled, settled);
  }

  #timeoutError(waiter: Waiter<Member>): PoolTimeoutError {
    this.acquireTimeouts++;
    const m = this.members;
    const inUse = m.leased.size + m.busy.size + m.draining.size;
    const what = waiter.exclusive ? "acquire()" : "a pool command";
    return new PoolTimeoutError(
      `${what} timed out after ${this.options.acquireTimeout} ms waiting for a connection to ` +
        `${this.locator.address}: ${inUse} of max ${this.options.max} connections in use ` +
        `(${m.leased.size} leased, ${m.busy.size + m.draining.size} running pool commands), ` +
        `${m.connecting.size} connecting, ${this.waiters.size} waiters queued (this one included)`,
      { cause: this.lastConnectError },
    );
  }
}
