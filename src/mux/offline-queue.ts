/**
 * The bounded offline queue of a shared connection: the commands issued while it has no
 * connection, held until the next one is ready and then written in order — a transaction's
 * commands as one piece, or not at all. Apart from `shared.ts`, which decides when commands wait
 * and when they go, because what the queue keeps is its own rule: at most `maxPending` commands,
 * those that settled while they waited (timed out, aborted) let go and not counted, and never
 * half a transaction on the wire. Nothing here runs while the connection is ready.
 * @module
 */
import { LimitError, TimeoutError } from "../errors.ts";
import type { Command } from "../conn/command.ts";
import type { Connection, WireCommand } from "../conn/connection.ts";
import type { RawCommand } from "../conn/raw-command.ts";
import { Queue } from "../conn/queue.ts";
import { encodeTogether } from "../conn/transaction.ts";

/**
 * The commands waiting for a connection to `address`, at most `maxPending` of them.
 *
 * @example
 * ```ts
 * const offline = new OfflineQueue(10_000, "localhost:6379");
 * offline.hold(cmd);        // fails cmd with LimitError when 10,000 already wait
 * offline.sendTo(conn);     // once connected: everything still waiting, in order
 * ```
 */
export class OfflineQueue {
  #queue = new Queue<WireCommand>();
  /** Commands held since the queue was last searched through for settled ones (see #dropSettled). */
  #heldSinceSweep = Infinity;
  readonly #maxPending: number;
  readonly #address: string;

  constructor(maxPending: number, address: string) {
    this.#maxPending = maxPending;
    this.#address = address;
  }

  /** Commands still waiting (those settled at the head let go first). */
  get waiting(): number {
    this.#dropSettledHead(Date.now());
    return this.#queue.length;
  }

  /** Queue `cmd` for the next connection, bounded by `maxPending`; commands that settled while queued do not count. */
  hold(cmd: WireCommand): void {
    this.#heldSinceSweep++;
    if (this.#queue.length >= this.#maxPending) this.#dropSettled();
    if (this.#queue.length >= this.#maxPending) {
      return cmd.fail(
        new LimitError("maxPending", `${cmd.name} refused: ${this.#maxPending} commands already wait for a connection to ${this.#address} (maxPending)`),
      );
    }
    this.#queue.push(cmd);
  }

  /**
   * Make room for the commands of a transaction, which wait together or not at all: `false`, each
   * of them failed with a `LimitError`, when even without the settled ones they would pass
   * `maxPending`. The caller then holds them one by one.
   */
  makeRoomTogether(cmds: readonly Command[]): boolean {
    if (this.#queue.length + cmds.length > this.#maxPending) {
      this.#heldSinceSweep += cmds.length;
      this.#dropSettled(cmds.length);
    }
    if (this.#queue.length + cmds.length <= this.#maxPending) return true;
    const error = new LimitError("maxPending", `MULTI refused: ${this.#queue.length} commands already wait for a connection to ${this.#address} (maxPending ${this.#maxPending})`);
    for (const cmd of cmds) cmd.fail(error);
    return false;
  }

  /** Write what waited for a connection, in order. */
  sendTo(conn: Connection): void {
    const now = Date.now();
    for (let cmd = this.#queue.shift(); cmd; cmd = this.#queue.shift()) {
      if (!cmd.raw && cmd.together) this.#writeHeldTransaction(conn, cmd.together);
      else if (!stillWaiting(cmd, now)) continue;
      else if (!cmd.raw) conn.write(cmd);
      else writeAlone(conn, cmd);
    }
  }

  /** Commands a lost connection never wrote go back to the front, ahead of those queued since, keeping order. */
  putBack(unwritten: WireCommand[]): void {
    const requeue = new Queue<WireCommand>();
    for (const cmd of unwritten) requeue.push(cmd);
    for (let cmd = this.#queue.shift(); cmd; cmd = this.#queue.shift()) requeue.push(cmd);
    this.#queue = requeue;
  }

  /** Reject everything that waits with `err`. */
  failAll(err: Error): void {
    for (let cmd = this.#queue.shift(); cmd; cmd = this.#queue.shift()) cmd.fail(err);
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
    if (this.#queue.length + need <= this.#maxPending || 4 * this.#heldSinceSweep < this.#queue.length) return;
    this.#heldSinceSweep = 0;
    this.#queue.prune((cmd) => stillWaiting(cmd, now));
  }

  #dropSettledHead(now: number): void {
    for (let cmd = this.#queue.peek(); cmd && !stillWaiting(cmd, now); cmd = this.#queue.peek()) this.#queue.shift();
  }

  /**
   * Write a transaction that waited for this connection as one piece — unless part of it settled
   * meanwhile (timed out, aborted): then none of it is written, or a MULTI without its EXEC
   * would swallow every other caller's commands.
   */
  #writeHeldTransaction(conn: Connection, group: readonly Command[]): void {
    while ((this.#queue.peek() as Command | undefined)?.together === group) this.#queue.shift();
    const settled = group.find((cmd) => cmd.state === "done");
    if (settled) {
      const error = new TimeoutError(`MULTI not sent: part of the transaction (${settled.name}) timed out or was aborted while it waited for a connection`);
      for (const cmd of group) cmd.fail(error);
      return;
    }
    conn.writeEncoded(group, encodeTogether(group));
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

/**
 * Write one command of a run on its own (the run did not fit, or waited for this connection).
 *
 * @example
 * ```ts
 * for (const cmd of cmds) writeAlone(conn, cmd); // a failure to encode fails that command only
 * ```
 */
export function writeAlone(conn: Connection, cmd: RawCommand): void {
  try {
    conn.writeEncoded([cmd], cmd.encoded());
  } catch (err) {
    cmd.fail(err as Error);
  }
}
