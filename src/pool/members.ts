/**
 * The pool's connections as named collections (postgres.js keeps its connections in named queues
 * the same way): each connection is in exactly one, `move()` is the only way between them, and
 * `stats()` reads their sizes. Capacity counts every collection — a connection being opened or
 * closed is still a connection the server sees.
 * @module
 */
import type { Command } from "../conn/command.ts";
import type { Connection } from "../conn/connection.ts";

/**
 * Where a connection is:
 * - `connecting`: socket and handshake under way
 * - `idle`: open, nothing in flight, free for anyone
 * - `busy`: running pool commands (pipelined), not leased
 * - `draining`: was busy; gets no new pool commands so it can go to a caller who needs it exclusively
 * - `leased`: held by one caller
 * - `checking`: health-check PING, or a reset after a lease, under way
 * - `closing`: being closed; `gone` once closed
 *
 * @example
 * ```ts
 * const where: MemberState = "idle";
 * ```
 */
export type MemberState = "connecting" | "idle" | "busy" | "draining" | "leased" | "checking" | "closing" | "gone";

/**
 * One pool connection and what the pool knows about it.
 *
 * @example
 * ```ts
 * const member = new Member();   // state "connecting" until its connection is open
 * member.state;                  // "connecting"
 * ```
 */
export class Member {
  state: MemberState = "connecting";
  /** Set once the connection is open (undefined while `connecting`). */
  conn!: Connection;
  /** Aborts the connect while `connecting`. */
  readonly abort = new AbortController();
  /** `Date.now()` when it opened. */
  createdAt = 0;
  /** `Date.now()` after which it is retired (Infinity when `maxLifetime` is off). */
  expiresAt = Infinity;
  /** `Date.now()` when it last became idle. */
  idleSince = 0;
  /** Passed a health check since it became idle (so it is not checked again before use). */
  verified = false;
  /** The last pool command written to it: once that settles, its replies have (normally) all arrived. */
  last: Command | undefined;
  /** A `last.promise` watch is armed (while draining). */
  watched = false;
  /** When it was leased, the stack that leased it (only with `leakTimeout`), and whether a leak was reported. */
  leasedAt = 0;
  leaseStack: string | undefined;
  leakReported = false;
  /** Why the pool closed it, for the `"destroy"` event. */
  retireReason: string | undefined;
  /**
   * Set when it must not serve anyone again (the master moved, or an error reply said it goes to
   * the wrong node): it closes as soon as it is idle, or when its lease is released.
   */
  letGo: string | undefined;

  /** The server's client id, or 0 before the handshake. */
  get clientId(): number {
    return this.conn?.clientId ?? 0;
  }
}

/**
 * The collections. `idle` is a stack: the most recently used connection is reused first, so
 * surplus connections stay idle long enough to be evicted (go-redis's default order); the
 * longest-idle one is at index 0.
 *
 * @example
 * ```ts
 * const members = new Members();
 * const m = new Member(); members.add(m);        // connecting
 * members.move(m, "idle"); members.total;         // 1
 * ```
 */
export class Members {
  readonly connecting = new Set<Member>();
  readonly idle: Member[] = [];
  readonly busy = new Set<Member>();
  readonly draining = new Set<Member>();
  readonly leased = new Set<Member>();
  readonly checking = new Set<Member>();
  readonly closing = new Set<Member>();

  /** Every connection the pool holds, whatever its state. */
  get total(): number {
    return this.connecting.size + this.idle.length + this.busy.size + this.draining.size +
      this.leased.size + this.checking.size + this.closing.size;
  }

  /** Connections open and not leased (pool commands can run on them). */
  get shared(): number {
    return this.idle.length + this.busy.size + this.draining.size;
  }

  /** Track a new member (in `connecting`). */
  add(member: Member): void {
    member.state = "connecting";
    this.connecting.add(member);
  }

  /** Move `member` to `to`; `gone` forgets it. */
  move(member: Member, to: MemberState): void {
    this.#take(member);
    member.state = to;
    if (to === "idle") this.idle.push(member);
    else if (to !== "gone") this.#set(to).add(member);
  }

  /** Pop the most recently idled member. */
  popIdle(): Member | undefined {
    const member = this.idle.pop();
    if (member) member.state = "gone"; // the caller moves it on at once
    return member;
  }

  /** The busy member with the fewest commands awaiting replies. */
  leastLoaded(): Member | undefined {
    let best: Member | undefined;
    for (const m of this.busy) if (!best || m.conn.inFlight < best.conn.inFlight) best = m;
    return best;
  }

  #take(member: Member): void {
    switch (member.state) {
      case "idle": {
        const i = this.idle.indexOf(member);
        if (i >= 0) this.idle.splice(i, 1);
        return;
      }
      case "gone":
        return;
      default:
        this.#set(member.state).delete(member);
    }
  }

  #set(state: Exclude<MemberState, "idle" | "gone">): Set<Member> {
    switch (state) {
      case "connecting": return this.connecting;
      case "busy": return this.busy;
      case "draining": return this.draining;
      case "leased": return this.leased;
      case "checking": return this.checking;
      case "closing": return this.closing;
    }
  }
}
