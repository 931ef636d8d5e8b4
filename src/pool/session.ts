/**
 * What a lease did to its connection's session, learned from the commands it sent. A connection
 * goes back to the pool only in the state a fresh one has: an open MULTI would swallow the next
 * borrower's commands into a transaction, a WATCH would make its EXEC fail for keys it never
 * watched, a SELECT would send its writes to another database (go-redis and redis-py reset or drop
 * such connections too). Tracking is conservative: a command that was refused still counts.
 * @module
 */
import type { Arg } from "../resp/types.ts";

/** Commands after which a connection cannot be put back by a few resets: it is closed instead. */
const TAINTING: Record<string, string> = {
  SUBSCRIBE: "subscribed",
  PSUBSCRIBE: "subscribed",
  SSUBSCRIBE: "subscribed",
  MONITOR: "in MONITOR mode",
  // HELLO/AUTH/RESET can change the protocol, the user, the name, and the db; RESET also drops auth.
  HELLO: "sent HELLO",
  AUTH: "re-authenticated",
  RESET: "sent RESET",
  QUIT: "sent QUIT",
  READONLY: "changed READONLY mode",
  READWRITE: "changed READONLY mode",
};

/** CLIENT subcommands that change how this connection behaves for whoever uses it next. */
const TAINTING_CLIENT: Record<string, string> = {
  REPLY: "changed CLIENT REPLY (replies would go missing)",
  TRACKING: "changed CLIENT TRACKING",
  CACHING: "changed CLIENT CACHING",
  SETNAME: "renamed the connection (CLIENT SETNAME)",
  "NO-EVICT": "changed CLIENT NO-EVICT",
  "NO-TOUCH": "changed CLIENT NO-TOUCH",
};

const SESSION_NAMES = new Set(["MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH", "SELECT", "CLIENT", ...Object.keys(TAINTING)]);

function word(arg: Arg | undefined): string {
  if (typeof arg === "string") return arg.toUpperCase();
  if (arg instanceof Uint8Array) return new TextDecoder().decode(arg).toUpperCase();
  return String(arg);
}

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
  /** Keys are WATCHed (not cleared by EXEC, DISCARD or UNWATCH yet). */
  watching = false;
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
    const first = args[0];
    let name = typeof first === "string" ? first : word(first);
    if (!SESSION_NAMES.has(name)) {
      name = name.toUpperCase();
      if (!SESSION_NAMES.has(name)) return;
    }
    switch (name) {
      case "MULTI":
        this.multi = true;
        return;
      case "EXEC":
      case "DISCARD":
        // Both end the transaction and forget every WATCH, whatever their outcome.
        this.multi = false;
        this.watching = false;
        return;
      case "WATCH":
        this.watching = true;
        return;
      case "UNWATCH":
        // Inside MULTI it is only queued; EXEC/DISCARD clear the watches anyway.
        if (!this.multi) this.watching = false;
        return;
      case "SELECT": {
        const db = Number(typeof args[1] === "number" ? args[1] : word(args[1]));
        if (Number.isInteger(db) && db >= 0) this.db = db;
        else this.taint ??= "sent SELECT with an unreadable database";
        return;
      }
      case "CLIENT": {
        const reason = TAINTING_CLIENT[word(args[1])];
        if (reason) this.taint ??= reason;
        return;
      }
      default:
        this.taint ??= TAINTING[name];
    }
  }

  /** Nothing to undo. */
  get clean(): boolean {
    return this.taint === undefined && !this.multi && !this.watching && this.db === this.homeDb;
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
    else if (this.watching) out.push(["UNWATCH"]);
    if (this.db !== this.homeDb) out.push(["SELECT", this.homeDb]);
    return out;
  }
}
