/**
 * What `COMMAND INFO` cannot say, written by hand per command: where a command may not run (and
 * what to use instead), where a blocking command's timeout is, which arguments are secrets, what
 * a command does to its connection's session, and keys the server's key specs leave "unknown".
 * table.ts joins these to the generated rows; tests check every name here is a real command and
 * every command flagged `blocking` has a timeout rule.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { argText } from "./text.ts";

/**
 * Where a command would break a connection:
 * - `"everywhere"`: on any request/response connection its replies stop matching its commands
 *   (a subscribe, MONITOR, `CLIENT REPLY OFF`), so it only runs through the API made for it;
 * - `"shared"`: it changes the connection's state (db, protocol, MULTI, WATCH, ...) for everyone
 *   who shares it, so it runs on a connection of the caller's own (a lease, `isolated()`);
 * - `"pooled"`: it means "this connection's writes" (WAIT, WAITAOF), which the pool's shared path cannot
 *   promise: the caller's writes may have gone over any of its connections.
 */
export type RefusalScope = "everywhere" | "shared" | "pooled";

/** A refusal: where it applies and what to use instead. */
export interface Refusal {
  readonly scope: RefusalScope;
  readonly hint: string;
}

/** What a command does to the session of the connection it runs on (tracked by pool leases). */
export type SessionEffect = "multi" | "exec" | "discard" | "watch" | "unwatch" | "select" | { taint: string };

/** The hand-written part of a command's table entry. */
export interface Rule {
  /** Why it may not run somewhere; a function when it depends on the arguments. */
  readonly refuse?: Refusal | ((args: readonly Arg[]) => Refusal | undefined);
  /** How long it may block, ms (0 = forever), or undefined when these arguments do not block. */
  readonly blocking?: (args: readonly Arg[]) => number | undefined;
  /** Indexes of arguments that are secrets (redacted from hooks and traces). */
  readonly secrets?: (args: readonly Arg[]) => number[];
  /** Its effect on the connection's session. */
  readonly session?: SessionEffect | ((args: readonly Arg[]) => SessionEffect | undefined);
  /** It answers for the writes of the connection it runs on (WAIT, WAITAOF): never moved to another one. */
  readonly countsOwnWrites?: true;
  /** Key indexes for commands whose key specs are incomplete. */
  readonly keys?: (args: readonly Arg[]) => number[];
}

const everywhere = (hint: string): Refusal => ({ scope: "everywhere", hint });
const shared = (hint: string): Refusal => ({ scope: "shared", hint });
const taint = (why: string): SessionEffect => ({ taint: why });

/** The last argument is a timeout in seconds (0 = forever). */
const lastSeconds = (args: readonly Arg[]) => seconds(args[args.length - 1]);
/**
 * `BLOCK <ms>` before `STREAMS`; no BLOCK, no blocking. Options are read as the server reads them,
 * skipping their values (`GROUP group consumer`, `COUNT n`), so a group or consumer named
 * `STREAMS` or `BLOCK` neither hides the option nor fakes it.
 */
const blockOption = (args: readonly Arg[]) => {
  for (let i = 1; i < args.length - 1; i++) {
    const word = argText(args[i]).toUpperCase();
    if (word === "STREAMS") return undefined;
    if (word === "BLOCK") return Math.max(0, Number(argText(args[i + 1])) || 0);
    if (word === "GROUP") i += 2;
    else if (word === "COUNT") i += 1;
  }
  return undefined;
};
/** WAIT/WAITAOF: the timeout is in ms at `index`. */
const msAt = (index: number) => (args: readonly Arg[]) => Math.max(0, Number(argText(args[index])) || 0);

/** WAIT/WAITAOF, whose timeout is at `timeoutAt`: see RULES. */
const waitForOwnWrites = (name: string, timeoutAt: number): Rule => {
  const timeout = msAt(timeoutAt);
  return {
    blocking: timeout,
    countsOwnWrites: true,
    refuse: (args) =>
      timeout(args) === 0
        ? shared(`${name} with timeout 0 would stall every caller: give a timeout, or use isolated()`)
        : { scope: "pooled", hint: `the pool's commands spread over its connections: send your writes and ${name} on one lease` },
  };
};

/** The index `offset` places after each occurrence of `keyword`, from argument `from` on. */
const afterKeyword = (keyword: string, offset: number, from = 1) => (args: readonly Arg[]) => {
  const out: number[] = [];
  for (let i = from; i + offset < args.length; i++) if (argText(args[i]).toUpperCase() === keyword) out.push(i + offset);
  return out;
};

/** CONFIG SET parameters whose values are passwords. */
const SECRET_CONFIG = new Set(["requirepass", "masterauth", "masteruser", "tls-key-file-pass", "tls-client-key-file-pass"]);

const subscribeHint = (api: string) => everywhere(`use ${api}()`);
const unsubscribeHint = (api: string) => everywhere(`use the function ${api}() returned`);

/** The rules, by the table's upper-case names. */
export const RULES: Readonly<Record<string, Rule>> = {
  SUBSCRIBE: { refuse: subscribeHint("subscribe") },
  PSUBSCRIBE: { refuse: subscribeHint("psubscribe") },
  SSUBSCRIBE: { refuse: subscribeHint("ssubscribe") },
  UNSUBSCRIBE: { refuse: unsubscribeHint("subscribe") },
  PUNSUBSCRIBE: { refuse: unsubscribeHint("psubscribe") },
  SUNSUBSCRIBE: { refuse: unsubscribeHint("ssubscribe") },
  MONITOR: { refuse: everywhere("its stream of lines answers no command") },
  SYNC: { refuse: everywhere("it turns the connection into a replication stream") },
  PSYNC: { refuse: everywhere("it turns the connection into a replication stream") },
  "CLIENT|REPLY": {
    // OFF and SKIP silence replies: every later reply would settle the wrong command.
    refuse: (args) =>
      argText(args[2]).toUpperCase() === "ON" ? shared("replies are always on here") : everywhere("replies would no longer match their commands"),
  },

  MULTI: { refuse: shared("use multi() or isolated()"), session: "multi" },
  EXEC: { refuse: shared("use multi() or isolated()"), session: "exec" },
  DISCARD: { refuse: shared("use isolated()"), session: "discard" },
  WATCH: { refuse: shared("use isolated() or a pool lease"), session: "watch" },
  UNWATCH: { refuse: shared("use isolated() or a pool lease"), session: "unwatch" },
  SELECT: { refuse: shared("set the db option"), session: "select" },
  HELLO: {
    refuse: shared("set the protocol option"),
    session: taint("sent HELLO"),
    secrets: afterKeyword("AUTH", 2), // HELLO 3 AUTH user password
  },
  AUTH: { refuse: shared("set the username and password options"), session: taint("re-authenticated"), secrets: (args) => args.map((_, i) => i).slice(1) },
  RESET: { refuse: shared("use isolated()"), session: taint("sent RESET") },
  QUIT: { refuse: shared("use close()"), session: taint("sent QUIT") },
  READONLY: { refuse: shared("use isolated()"), session: taint("changed READONLY mode") },
  READWRITE: { refuse: shared("use isolated()"), session: taint("changed READONLY mode") },
  "CLIENT|TRACKING": { refuse: shared("use isolated()"), session: taint("changed CLIENT TRACKING") },
  "CLIENT|CACHING": { refuse: shared("use isolated()"), session: taint("changed CLIENT CACHING") },
  "CLIENT|SETNAME": { refuse: shared("set the clientName option"), session: taint("renamed the connection (CLIENT SETNAME)") },
  "CLIENT|NO-EVICT": { refuse: shared("use isolated()"), session: taint("changed CLIENT NO-EVICT") },
  "CLIENT|NO-TOUCH": { refuse: shared("use isolated()"), session: taint("changed CLIENT NO-TOUCH") },

  // WAIT counts the replicas that acknowledged the writes of the connection it runs on (WAITAOF
  // the replicas and local AOF that fsynced them): it runs on the connection that carried the
  // caller's writes, never on a dedicated one.
  WAIT: waitForOwnWrites("WAIT", 2),
  WAITAOF: waitForOwnWrites("WAITAOF", 3),

  BLPOP: { blocking: lastSeconds },
  BRPOP: { blocking: lastSeconds },
  BRPOPLPUSH: { blocking: lastSeconds },
  BLMOVE: { blocking: lastSeconds },
  BZPOPMIN: { blocking: lastSeconds },
  BZPOPMAX: { blocking: lastSeconds },
  BLMPOP: { blocking: (args) => seconds(args[1]) },
  BZMPOP: { blocking: (args) => seconds(args[1]) },
  XREAD: { blocking: blockOption },
  XREADGROUP: { blocking: blockOption },

  // MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] [KEYS key ...]
  MIGRATE: { secrets: (args) => migrateOptions(args).secrets, keys: (args) => migrateOptions(args).keys },
  "CONFIG|SET": {
    secrets: (args) => {
      const out: number[] = [];
      for (let i = 2; i + 1 < args.length; i += 2) if (SECRET_CONFIG.has(argText(args[i]).toLowerCase())) out.push(i + 1);
      return out;
    },
  },
  "ACL|SETUSER": {
    // Rules `>pw` / `<pw` add or remove a password, `#hash` / `!hash` a password's SHA-256.
    secrets: (args) => args.map((_, i) => i).filter((i) => i >= 3 && /^[<>#!]/.test(argText(args[i]))),
  },
  // SORT ... STORE dest: the key spec for dest is "unknown" (it follows a keyword anywhere).
  SORT: { keys: sortKeys },
};

/**
 * MIGRATE's options read as the server reads them: from argument 6 on, AUTH and AUTH2 skip their
 * credentials, and KEYS makes every argument after it a key (the key argument is then "").
 */
function migrateOptions(args: readonly Arg[]): { keys: number[]; secrets: number[] } {
  const secrets: number[] = [];
  for (let i = 6; i < args.length; i++) {
    const word = argText(args[i]).toUpperCase();
    if (word === "KEYS") return { keys: args.map((_, k) => k).slice(i + 1), secrets: secrets.filter((k) => k < args.length) };
    if (word === "AUTH") secrets.push(++i);
    else if (word === "AUTH2") secrets.push((i += 2));
  }
  return { keys: [3], secrets: secrets.filter((i) => i < args.length) };
}

/** SORT's key, and its last STORE destination, skipping the arguments of LIMIT, BY and GET as the server does. */
function sortKeys(args: readonly Arg[]): number[] {
  let store: number | undefined;
  for (let i = 2; i < args.length; i++) {
    const word = argText(args[i]).toUpperCase();
    if (word === "LIMIT") i += 2;
    else if (word === "BY" || word === "GET") i += 1;
    else if (word === "STORE") store = ++i;
  }
  return store === undefined ? [1] : [1, store];
}

/** Seconds as a blocking timeout in ms (0 = forever; fractions round up). */
function seconds(arg: Arg | undefined): number {
  const s = Number(argText(arg));
  return Number.isFinite(s) && s > 0 ? Math.ceil(s * 1000) : 0;
}
