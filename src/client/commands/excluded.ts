/**
 * The commands of Redis that have no typed method, each with the reason. Every other command and
 * container subcommand of the server has one, named by the rule: lower camel case, a container's
 * subcommand joined to it (`CONFIG GET` → `configGet`, `CLIENT NO-EVICT` → `clientNoEvict`,
 * `BITFIELD_RO` → `bitfieldRo`). tests/integration/command-coverage.test.ts holds the server's
 * `COMMAND LIST` to this. Anything here can still be sent with `send([...])` where the command
 * table allows it.
 * @module
 */

const subscribe = "the client's subscribe()/psubscribe()/ssubscribe() own the subscriber connection and its replies";
const transaction = "multi() writes MULTI ... EXEC as one piece; on a lease or in isolated(), send() them";
const watch = "watch(keys, fn) runs the optimistic transaction on a connection of its own; on a lease or in isolated(), send() them";
const replication = "replication internals: they turn the connection into a replication stream";
const help = "text for a person at a terminal; nothing a program acts on";

/**
 * Commands and subcommands (the command table's names, `CONTAINER|SUB`) without a typed method,
 * and why.
 *
 * @example
 * ```ts
 * EXCLUDED_COMMANDS["SELECT"]; // "the db option selects the database on every connection ..."
 * ```
 */
export const EXCLUDED_COMMANDS: Readonly<Record<string, string>> = {
  SUBSCRIBE: subscribe,
  PSUBSCRIBE: subscribe,
  SSUBSCRIBE: subscribe,
  UNSUBSCRIBE: subscribe,
  PUNSUBSCRIBE: subscribe,
  SUNSUBSCRIBE: subscribe,
  MULTI: transaction,
  EXEC: transaction,
  DISCARD: transaction,
  WATCH: watch,
  UNWATCH: watch,
  SELECT: "the db option selects the database on every connection; a SELECT on a shared connection would move every caller",
  HELLO: "the protocol, username and password options run HELLO in the handshake of every connection",
  AUTH: "the username and password options authenticate every connection, including after a reconnect",
  QUIT: "close() ends the client; QUIT would end a connection other callers share",
  RESET: "it resets a connection's state (db, auth, protocol) under every caller that shares it; send() it on a lease",
  SYNC: replication,
  PSYNC: replication,
  REPLCONF: "replication internals: sent by replicas to their master",
  ASKING: "cluster redirection internals: a cluster client sends it before following an ASK redirect",
  "RESTORE-ASKING": "cluster migration internals: MIGRATE sends it to the target node",
  "CLIENT|ID":
    "a lease already knows its connection's ID (lease.clientId, a property of that name); on the multiplexer or the pool's shared path the answer names whichever connection ran it",
  "CLIENT|REPLY": "OFF and SKIP silence replies, so every later reply would settle the wrong command",
  "SCRIPT|DEBUG": "it turns the connection's next EVAL into an interactive debugging session (redis-cli --ldb)",
  DEBUG: "Redis's internal test and crash hooks: subcommands and replies vary between builds",
  PFDEBUG: "HyperLogLog's internal test hook",
  PFSELFTEST: "HyperLogLog's internal self test",
  "ACL|HELP": help,
  "CLIENT|HELP": help,
  "CLUSTER|HELP": help,
  "COMMAND|HELP": help,
  "CONFIG|HELP": help,
  "FUNCTION|HELP": help,
  "LATENCY|HELP": help,
  "MEMORY|HELP": help,
  "MODULE|HELP": help,
  "OBJECT|HELP": help,
  "PUBSUB|HELP": help,
  "SCRIPT|HELP": help,
  "SLOWLOG|HELP": help,
  "XGROUP|HELP": help,
  "XINFO|HELP": help,
};

/**
 * Commands whose method is not a command of the shared table but a method of the surfaces that can
 * run them, named by the same rule, with where it lives and why.
 *
 * @example
 * ```ts
 * Object.keys(SURFACE_METHOD_COMMANDS); // ["MONITOR"]: redis.monitor(), pool.monitor()
 * ```
 */
export const SURFACE_METHOD_COMMANDS: Readonly<Record<string, string>> = {
  MONITOR: "monitor() of the client and the pool: its stream of lines answers no command, so it runs on a connection of its own, closed when the iteration ends",
};

/**
 * A command's typed method name by the naming rule: lower camel case, a container's subcommand
 * joined, `-` and `_` dropped with the next letter upper-cased.
 *
 * @example
 * ```ts
 * methodName("CLIENT|NO-EVICT"); // "clientNoEvict"
 * methodName("GEORADIUS_RO");    // "georadiusRo"
 * ```
 */
export function methodName(command: string): string {
  return command
    .toLowerCase()
    .split(/[|_-]/)
    .map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join("");
}
