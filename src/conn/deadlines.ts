/**
 * Command deadlines without a timer per command.
 *
 * Commands that use the client's default timeout are created in deadline order, so one timer armed
 * for the oldest unsettled one (or a second from now, whichever comes first) covers them all (a
 * `setTimeout` per command costs more than the command at 500k ops/s). Commands with their own
 * timeout get their own timer. Either way the deadline covers queueing, sending and the reply, and
 * timers stop when commands settle, so nothing keeps `close()` or the process waiting (ioredis PR
 * #2169 leaked such timers).
 * @module
 */
import { TimeoutError } from "../errors.ts";
import type { Command } from "./command.ts";
import { Queue } from "./queue.ts";

/**
 * The sweep runs at least this often while commands are tracked, so that settled ones (and their
 * replies) are let go within a second after a burst, not only when the oldest one's deadline comes.
 */
const SWEEP_MS = 1_000;

/** Tracks deadlines of commands created with one default timeout. */
export class Deadlines {
  readonly defaultTimeout: number;
  /** Why commands still wait to be sent (the last connection error), for the message of one that expires so. */
  readonly #whyNotSent: (() => Error | undefined) | undefined;
  #tracked = new Queue<Command>();
  // An armed timer may outlive the command it was armed for; when it fires it re-arms for the
  // oldest outstanding command, or stops when there is none. That avoids a clear/set per command.
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param defaultTimeout the client's `commandTimeout`, ms (0 = none)
   * @param whyNotSent why queued commands are not sent yet, if the owner knows
   */
  constructor(defaultTimeout: number, whyNotSent?: () => Error | undefined) {
    this.defaultTimeout = defaultTimeout;
    this.#whyNotSent = whyNotSent;
  }

  /** Start watching `cmd`, created with `timeoutMs` (the default, a custom value, or 0). */
  track(cmd: Command, timeoutMs: number): void {
    if (cmd.deadline === 0 || cmd.state === "done") return;
    if (timeoutMs !== this.defaultTimeout) {
      cmd.armTimer(this.#expire);
      return;
    }
    // Replies arrive in order, so settled commands gather at the head: dropping them here keeps
    // the queue as short as the number of commands actually outstanding.
    this.#dropSettled();
    this.#tracked.push(cmd);
    if (this.#timer === undefined) this.#arm(cmd.deadline);
  }

  /** Commands tracked, settled ones not yet let go included. */
  get size(): number {
    return this.#tracked.length;
  }

  /** Stop the timer (on close). Tracked commands are settled by their owner. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#tracked.drain();
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#sweep(), Math.min(SWEEP_MS, Math.max(0, at - Date.now())));
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (let cmd = this.#tracked.peek(); cmd; cmd = this.#tracked.peek()) {
      if (cmd.state !== "done" && cmd.deadline > now) {
        this.#arm(cmd.deadline);
        return;
      }
      this.#tracked.shift();
      if (cmd.state !== "done") this.#expire(cmd);
    }
  }

  #dropSettled(): void {
    while (this.#tracked.peek()?.state === "done") this.#tracked.shift();
  }

  readonly #expire = (cmd: Command): void => {
    if (cmd.state !== "queued") return cmd.fail(new TimeoutError(`${cmd.name} timed out waiting for its reply`));
    const why = this.#whyNotSent?.();
    cmd.fail(new TimeoutError(`${cmd.name} timed out before it could be sent${why ? `: ${why.message}` : ""}`, why && { cause: why }));
  };
}
