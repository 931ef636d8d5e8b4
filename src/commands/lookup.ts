/**
 * The questions every entry point asks the command table, with the command's name and subcommand
 * given as strings or bytes, in any case: what is it, may it run here, does it block, where are
 * its keys, which arguments are secret. Guards, routing and redaction all come from here, so no
 * entry point can be walked around by spelling a command differently.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import type { RefusalScope, SessionEffect } from "./rules.ts";
import { COMMANDS, type CommandInfo, type KeySpec } from "./table.ts";
import { argText } from "./text.ts";

/**
 * The table's entry for `args` (a container's subcommand when one is named), or `undefined` for a
 * command the table does not know (a module's, a newer server's).
 *
 * @example
 * ```ts
 * lookupCommand(["client", "reply", "off"])?.name; // "CLIENT|REPLY"
 * lookupCommand([new TextEncoder().encode("GET"), "k"])?.name; // "GET"
 * ```
 */
export function lookupCommand(args: readonly Arg[]): CommandInfo | undefined {
  const first = args[0];
  let info = typeof first === "string" ? COMMANDS.get(first) : undefined;
  if (info === undefined) {
    info = COMMANDS.get(argText(first).toUpperCase());
    if (info === undefined) return undefined;
  }
  if (info.subcommands === undefined || args.length < 2) return info;
  return info.subcommands.get(argText(args[1]).toUpperCase()) ?? info;
}

/**
 * The command's name for messages and hooks: the table's name (`"CLIENT|REPLY"` reads
 * `"CLIENT REPLY"`), or the upper-cased first argument for a command the table does not know.
 * Never an argument beyond the subcommand: those may hold secrets.
 *
 * @example
 * ```ts
 * commandName(["config", "set", "requirepass", "pw"]); // "CONFIG SET"
 * ```
 */
export function commandName(args: readonly Arg[]): string {
  const info = lookupCommand(args);
  if (info) return info.name.includes("|") ? info.name.replace("|", " ") : info.name;
  const first = argText(args[0]).toUpperCase();
  return /^[A-Z0-9_.:-]{1,64}$/.test(first) ? first : "command";
}

/** Where a command is being sent: the multiplexer's shared connection, the pool's shared path, or a caller's own connection. */
export type Placement = "shared" | "pooled" | "dedicated";

const REFUSED_AT: Record<Placement, ReadonlySet<RefusalScope>> = {
  dedicated: new Set(["everywhere"]),
  shared: new Set(["everywhere", "shared"]),
  pooled: new Set(["everywhere", "shared", "pooled"]),
};

const WHERE: Record<Placement, string> = {
  dedicated: "on a request/response connection",
  shared: "on the shared connection",
  pooled: "on the pool's shared connections",
};

/**
 * Why `args` cannot be sent at `placement`, as a `TypeError` to reject with before anything is
 * written; `undefined` when it can.
 *
 * @example
 * ```ts
 * refusal(["SELECT", 1], "shared")?.message; // "SELECT cannot run on the shared connection: set the db option"
 * refusal(["SELECT", 1], "dedicated");       // undefined (a lease resets its db when released)
 * ```
 */
export function refusal(args: readonly Arg[], placement: Placement, info = lookupCommand(args)): TypeError | undefined {
  const rule = info?.rule;
  if (rule?.refuse === undefined) return undefined;
  const refuse = typeof rule.refuse === "function" ? rule.refuse(args) : rule.refuse;
  if (refuse === undefined || !REFUSED_AT[placement].has(refuse.scope)) return undefined;
  return new TypeError(`${commandName(args)} cannot run ${WHERE[placement]}: ${refuse.hint}`);
}

/**
 * How long `args` may block on the server, ms (0 = may block forever), or `undefined` when the
 * command does not block.
 *
 * @example
 * ```ts
 * blockingTimeout(["BLPOP", "q", 5]);                       // 5000
 * blockingTimeout(["XREAD", "BLOCK", 0, "STREAMS", "s", "$"]); // 0 (forever)
 * blockingTimeout(["XREAD", "STREAMS", "s", "0"]);          // undefined
 * ```
 */
export function blockingTimeout(args: readonly Arg[], info = lookupCommand(args)): number | undefined {
  return info?.rule?.blocking?.(args);
}

/**
 * Whether `args` must run on a connection of its own because it blocks it: a blocking command,
 * except those that mean "the writes of this connection" (WAIT, WAITAOF), which must run on the
 * connection that carried the caller's writes, their blocking covered by their deadline.
 */
export function needsOwnConnection(args: readonly Arg[], info = lookupCommand(args)): boolean {
  const rule = info?.rule;
  return rule?.blocking !== undefined && !rule.countsOwnWrites && rule.blocking(args) !== undefined;
}

/** Whether `args` only reads (the table's `readonly` flag): safe to send to a replica. */
export function isReadOnly(args: readonly Arg[]): boolean {
  return lookupCommand(args)?.flags.has("readonly") ?? false;
}

/** What `args` does to its connection's session, if anything (see rules.ts). */
export function sessionEffect(args: readonly Arg[]): SessionEffect | undefined {
  const session = lookupCommand(args)?.rule?.session;
  return typeof session === "function" ? session(args) : session;
}

/**
 * `args` with every secret argument (passwords of AUTH, HELLO, MIGRATE, CONFIG SET requirepass,
 * ACL SETUSER) replaced by `"(redacted)"`, whatever its type; `args` itself when there is none.
 *
 * @example
 * ```ts
 * redactArgs(["AUTH", "user", "pw"]); // ["AUTH", "(redacted)", "(redacted)"]
 * ```
 */
export function redactArgs(args: readonly Arg[]): readonly Arg[] {
  const secrets = lookupCommand(args)?.rule?.secrets?.(args);
  if (!secrets?.length) return args;
  const out = args.slice();
  for (const i of secrets) out[i] = "(redacted)";
  return out;
}

/**
 * Indexes in `args` of the command's key arguments, from the server's key specs (and rules.ts
 * where those are incomplete), in order, without repeats. Empty for keyless or unknown commands.
 *
 * @example
 * ```ts
 * keyIndexes(["MSET", "a", "1", "b", "2"]);                // [1, 3]
 * keyIndexes(["EVAL", "return 1", 2, "k1", "k2", "arg"]);  // [3, 4]
 * keyIndexes(["XREAD", "COUNT", 1, "STREAMS", "s1", "s2", "0", "0"]); // [4, 5]
 * ```
 */
export function keyIndexes(args: readonly Arg[], info = lookupCommand(args)): number[] {
  if (info === undefined) return [];
  if (info.rule?.keys) return info.rule.keys(args).filter((i) => i < args.length);
  const found: number[] = [];
  for (const spec of info.keySpecs) collectKeys(spec, args, found);
  if (info.keySpecs.length <= 1) return found;
  return [...new Set(found)].sort((a, b) => a - b);
}

function collectKeys([begin, find, a, b, c]: KeySpec, args: readonly Arg[], out: number[]): void {
  const start = beginIndex(begin, args);
  if (start === undefined || start >= args.length) return;
  if (find === "range") {
    // a: last key relative to start (negative: from the end); c: keys are the first 1/c of the rest.
    let last = a >= 0 ? start + a : args.length + a;
    if (a < 0 && c > 1) last = start + Math.floor((args.length - start) / c) - 1;
    for (let i = start; i <= last && i < args.length; i += Math.max(b, 1)) out.push(i);
  } else if (find === "keynum") {
    const count = Number(argText(args[start + a]));
    if (!Number.isInteger(count) || count <= 0) return;
    for (let k = 0, i = start + b; k < count && i < args.length; k++, i += Math.max(c, 1)) out.push(i);
  }
}

function beginIndex(begin: KeySpec[0], args: readonly Arg[]): number | undefined {
  if (typeof begin === "number") return begin;
  if (begin === null) return undefined;
  const [keyword, startFrom] = begin;
  if (startFrom >= 0) {
    for (let i = startFrom; i < args.length; i++) if (argText(args[i]).toUpperCase() === keyword) return i + 1;
  } else {
    for (let i = args.length + startFrom; i > 0; i--) if (argText(args[i]).toUpperCase() === keyword) return i + 1;
  }
  return undefined;
}
