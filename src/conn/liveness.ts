/**
 * Noticing a peer that stopped answering without closing: a server host that vanished (no FIN, no
 * RST), a frozen server or a stalled proxy. Its socket never errors, so without this the
 * connection stays "ready" forever while every command on it times out one by one.
 *
 * Two signs, checked by one timer that runs only while replies are awaited:
 * - the oldest awaited reply is overdue (its command's deadline passed) and nothing at all has
 *   arrived for `livenessTimeout` ms since it fell due;
 * - the `maxConsecutiveTimeouts` oldest awaited replies are all overdue: that many commands in a
 *   row timed out with no reply in between.
 *
 * Only overdue replies count, never mere silence: a `BLPOP q 10` legitimately keeps its connection
 * silent for 10 s, and its deadline (server timeout plus grace) says so. No PING is sent while
 * replies are awaited: its reply would queue behind the overdue one, so it could prove nothing the
 * silence does not. A connection that only listens (the subscriber) awaits nothing, so its owner
 * gives it something to await with {@link startHeartbeat}.
 * @module
 */
import { ConnectionError } from "../errors.ts";
import { Command } from "./command.ts";
import type { Connection, WireCommand } from "./connection.ts";
import type { ResolvedConnectionOptions } from "./options.ts";

/** The checks run at least this often, and at most every quarter of `livenessTimeout`. */
const MAX_TICK_MS = 1_000;
const MIN_TICK_MS = 25;

/** What a {@link LivenessWatch} watches: the replies a connection awaits, and how to end it. */
export interface Watched {
  readonly address: string;
  /** The `index`-th command still awaiting its reply, oldest first. */
  awaiting(index: number): WireCommand | undefined;
  /** Called once the peer is presumed dead. */
  dead(error: ConnectionError): void;
}

/** When `cmd`'s reply is overdue (`Date.now()` ms), or 0 for never. */
function dueOf(cmd: WireCommand): number {
  return cmd.raw ? cmd.run.deadline : cmd.deadline;
}

/**
 * The liveness check of one connection. The connection sets `heard` on every chunk it receives
 * and calls `watch()` when a command starts awaiting a reply with none awaited before.
 *
 * @example
 * ```ts
 * const watch = LivenessWatch.for(options, { address, awaiting: (i) => queue.at(i), dead: (err) => conn.destroy(err) });
 * watch?.watch(); // a reply is awaited now
 * ```
 */
export class LivenessWatch {
  /** Set by the connection whenever bytes arrive; the next tick takes it as a sign of life. */
  heard = false;
  readonly #timeout: number;
  readonly #maxTimeouts: number;
  readonly #tickMs: number;
  readonly #watched: Watched;
  #lastHeard = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A watch for a connection with `options`, or undefined when both checks are off. */
  static for(options: Pick<ResolvedConnectionOptions, "livenessTimeout" | "maxConsecutiveTimeouts">, watched: Watched): LivenessWatch | undefined {
    const { livenessTimeout, maxConsecutiveTimeouts } = options;
    return livenessTimeout > 0 || maxConsecutiveTimeouts > 0 ? new LivenessWatch(livenessTimeout, maxConsecutiveTimeouts, watched) : undefined;
  }

  private constructor(timeout: number, maxTimeouts: number, watched: Watched) {
    this.#timeout = timeout;
    this.#maxTimeouts = maxTimeouts;
    this.#tickMs = timeout > 0 ? Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, timeout / 4)) : MAX_TICK_MS;
    this.#watched = watched;
  }

  /** A reply is awaited: run the checks until none is. */
  watch(): void {
    if (this.#timer !== undefined) return;
    this.heard = false;
    this.#lastHeard = Date.now();
    this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
  }

  /** Stop checking (the connection closed). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    const now = Date.now();
    if (this.heard) {
      this.heard = false;
      this.#lastHeard = now;
    }
    const oldest = this.#watched.awaiting(0);
    if (!oldest) return; // nothing awaited: the next command restarts the watch
    const error = this.#overdueInARow(now) ?? this.#silentSinceDue(oldest, now);
    if (error) return this.#watched.dead(error);
    this.#timer = setTimeout(() => this.#tick(), this.#tickMs);
  }

  #overdueInARow(now: number): ConnectionError | undefined {
    if (this.#maxTimeouts === 0) return undefined;
    for (let i = 0; i < this.#maxTimeouts; i++) {
      const cmd = this.#watched.awaiting(i);
      const due = cmd && dueOf(cmd);
      if (!due || due > now) return undefined;
    }
    return new ConnectionError(
      `${this.#maxTimeouts} commands in a row timed out on ${this.#watched.address} without a reply: the connection is presumed dead (maxConsecutiveTimeouts)`,
    );
  }

  #silentSinceDue(oldest: WireCommand, now: number): ConnectionError | undefined {
    const due = dueOf(oldest);
    if (this.#timeout === 0 || due === 0 || due > now) return undefined;
    const silent = now - Math.max(this.#lastHeard, due);
    if (silent < this.#timeout) return undefined;
    return new ConnectionError(
      `no reply from ${this.#watched.address} for ${now - this.#lastHeard} ms, ${now - due} ms after the reply to ${oldest.name} was due: the connection is presumed dead (livenessTimeout)`,
    );
  }
}

/**
 * Keep a connection that awaits no replies of its own (a subscriber's, or one whose reads a
 * client-side cache answers) checkable: whenever it
 * awaits nothing, every `livenessTimeout` ms, send a PING due within `livenessTimeout`. A frozen
 * peer leaves it overdue, and the connection's {@link LivenessWatch} closes it. Stops by itself when
 * the connection closes. Only for connections where a PING may be sent at any moment (not inside
 * a MULTI); PING is allowed in subscribed mode.
 *
 * @example
 * ```ts
 * const conn = await openConnection(options);
 * startHeartbeat(conn);
 * ```
 */
export function startHeartbeat(conn: Connection): void {
  const every = conn.options.livenessTimeout;
  if (every <= 0) return;
  const timer = setInterval(() => {
    if (conn.state !== "ready" || conn.inFlight > 0) return;
    const ping = new Command(["PING"], false, every);
    ping.promise.catch(() => {}); // it fails only with its connection, which reports that itself
    conn.write(ping);
  }, every);
  void conn.closed.then(() => clearInterval(timer));
}
