/**
 * What a lease did to its connection's session, learned from the commands it sent. A connection
 * goes back to the pool only in the state a fresh one has: an open MULTI would swallow the next
 * borrower's commands into a transaction, a WATCH would make its EXEC fail for keys it never
 * watched, a SELECT would send its writes to another database (go-redis and redis-py reset or drop
 * such connections too). What each command does comes from the command table (commands/rules.ts);
 * tracking is conservative: a command that was refused still counts.
 * @module
 */
import { sessionEffect } from "../commands/lookup.ts";
import type { Arg } from "../resp/types.ts";
import { argText } from "../commands/text.ts";

/**
 * Session state of one leased connection.
 *
 * @example
 * ```ts
 * const s = new SessionState(0);
 * s.observe(["WATCH", "k"]); s.observe(["SELECT", 3]);
 * s.resetCommands(); // [["UNWATCH"], ["SELECT", 0]]
 * ```
 */
export class SessionState {
  /** The database a fresh connection of this pool is on. */
  readonly homeDb: number;
  /** Inside MULTI (EXEC/DISCARD not sent yet). */
  multi = false;
  /**
   * Keys were WATCHed at some point. Never cleared by what the lease sent: EXEC without MULTI,
   * for one, fails without clearing the watches, and telling such cases apart is not worth a
   * wrong guess — a lease that ever watched is UNWATCHed on release.
   */
  watched = false;
  /** The database SELECTed last. */
  db: number;
  /** Why the connection must be closed rather than reset, if it must. */
  taint: string | undefined;

  constructor(homeDb: number) {
    this.homeDb = homeDb;
    this.db = homeDb;
  }

  /** Record the effect of sending `args`. */
  observe(args: readonly Arg[]): void {
    const effect = sessionEffect(args);
    if (effect === undefined) return;
    switch (effect) {
      case "multi":
        this.multi = true;
        return;
      case "exec":
      case "discard":
        this.multi = false;
        return;
      case "watch":
        this.watched = true;
        return;
      case "unwatch":
        return; // still UNWATCHed on release: inside MULTI it was only queued
      case "select": {
        const db = Number(argText(args[1]));
        if (Number.isInteger(db) && db >= 0) this.db = db;
        else this.taint ??= "sent SELECT with an unreadable database";
        return;
      }
      default:
        this.taint ??= effect.taint;
    }
  }

  /** Nothing to undo. */
  get clean(): boolean {
    return this.taint === undefined && !this.multi && !this.watched && this.db === this.homeDb;
  }

  /**
   * Commands that bring the connection back to a fresh state, in order (each answers `OK`), or
   * `undefined` when it cannot be reset and must be closed.
   */
  resetCommands(): Arg[][] | undefined {
    if (this.taint !== undefined) return undefined;
    const out: Arg[][] = [];
    // DISCARD first: anything sent while MULTI is open would only be queued into the transaction.
    if (this.multi) out.push(["DISCARD"]);
    if (this.watched) out.push(["UNWATCH"]);
    if (this.db !== this.homeDb) out.push(["SELECT", this.homeDb]);
    return out;
  }
}
