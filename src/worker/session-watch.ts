/**
 * The one timer of a worker session. While connecting it repeats the connect request (see
 * `connect-retry.ts`) and gives up after `connectTimeout`; while calls are pending it expires
 * their deadlines and takes an owner silent for its heartbeat timeout for gone — which also
 * covers calls without a deadline (BLPOP 0, waiting for a lease). One timer for all calls, not one
 * per call, so a call costs no timer.
 *
 * A worker's event loop may be busy for long stretches (that is what workers are for); meanwhile
 * the owner's replies and pings wait in the port, and a timer may run before they are read. So
 * the watch judges nothing on the timer that finds a call or the owner overdue: it yields a task,
 * letting what waits in the port be read, and judges on the next.
 * @module
 */
import type { PendingCalls } from "./calls.ts";
import type { ConnectRetry } from "./connect-retry.ts";

/** While calls are pending, deadlines and the owner's liveness are checked this often. */
const WATCH_MS = 250;

/**
 * What the watch asks of the session it watches.
 *
 * @example
 * ```ts
 * const watched: WatchedSession = {
 *   calls, requests,
 *   ended: () => state === "closed",
 *   connecting: () => port === undefined,
 *   heartbeatTimeout: () => info!.heartbeatTimeout,
 *   lost: (reason) => end(new ConnectionError(reason), reason),
 * };
 * ```
 */
export interface WatchedSession {
  /** The calls whose deadlines the watch keeps. */
  readonly calls: PendingCalls;
  /** The connect requests, repeated while connecting. */
  readonly requests: ConnectRetry;
  /** Whether the session ended: nothing is left to watch. */
  ended(): boolean;
  /** Whether the owner has not answered the connect request yet. */
  connecting(): boolean;
  /** How long the owner, once it answered, may stay silent, ms. */
  heartbeatTimeout(): number;
  /** The owner is taken for gone (`reason` says why): end the session. */
  lost(reason: string): void;
}

/**
 * The watch timer of one session.
 *
 * @example
 * ```ts
 * const watch = new SessionWatch(watched, 10_000);
 * watch.arm(requests.due);  // while connecting
 * watch.ensure();           // a request was queued
 * watch.heard();            // a message came from the owner
 * ```
 */
export class SessionWatch {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (`Date.now()` ms). */
  #at = 0;
  /** The timer now armed is the one after a task yielded: it judges what is overdue. */
  #yielded = false;
  /** When the owner was last heard from; while connecting, when the session started. */
  #lastHeard = Date.now();
  readonly #session: WatchedSession;
  readonly #connectTimeout: number;

  /** `connectTimeout`: how long to wait for the owner to answer the connect request, ms. */
  constructor(session: WatchedSession, connectTimeout: number) {
    this.#session = session;
    this.#connectTimeout = connectTimeout;
  }

  /** The owner was heard from just now. */
  heard(): void {
    this.#lastHeard = Date.now();
  }

  /** A request was queued: its deadline, and the owner's liveness, are watched from now on. */
  ensure(): void {
    if (this.#timer !== undefined) return;
    this.#lastHeard = Date.now(); // nothing was expected from the owner until now
    this.arm(this.#lastHeard + WATCH_MS);
  }

  /** A call's deadline is `timeout` ms away (0: none): bring the timer forward should it fire later. */
  deadlineIn(timeout: number): void {
    if (timeout > 0 && timeout < WATCH_MS) {
      const deadline = Date.now() + timeout;
      if (deadline < this.#at) this.arm(deadline);
    }
  }

  /** (Re)arm the timer for `at`. */
  arm(at: number): void {
    clearTimeout(this.#timer);
    this.#at = at;
    this.#timer = setTimeout(() => this.#check(), Math.max(0, at - Date.now()));
  }

  /** The session ended: no more checks. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * While connecting or calls are pending: repeat the connect request, expire deadlines, and
   * take an owner silent for the heartbeat timeout (or not answering within the connect timeout)
   * for gone.
   */
  #check(): void {
    this.#timer = undefined;
    const yielded = this.#yielded;
    this.#yielded = false;
    const session = this.#session;
    if (session.ended()) return;
    const connecting = session.connecting();
    const calls = session.calls;
    if (!connecting && calls.size === 0) return;
    const now = Date.now();
    const limit = connecting ? this.#connectTimeout : session.heartbeatTimeout();
    const next = calls.nextDeadline();
    const overdue = (next !== 0 && next <= now) || now - this.#lastHeard >= limit;
    if (overdue && !yielded) {
      // Replies and pings that came while this thread was busy may wait in the port behind this
      // timer: let them be read first.
      this.#yielded = true;
      this.arm(now);
      return;
    }
    const earliest = overdue ? calls.expire(now) : next;
    if (!connecting && calls.size === 0) return;
    if (now - this.#lastHeard >= limit) {
      session.lost(connecting ? `no owner answered on this endpoint within ${limit} ms` : `the owner thread did not answer for ${limit} ms`);
      return;
    }
    const requests = session.requests;
    if (connecting && now >= requests.due) requests.send();
    this.arm(Math.min(now + WATCH_MS, this.#lastHeard + limit, earliest || Infinity, connecting ? requests.due : Infinity));
  }
}
