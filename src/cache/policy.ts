/**
 * Which commands the client-side cache may answer, and under which names: the command table says
 * what only reads and where its keys are; an explicit list excludes the read-only commands whose
 * reply changes without a write Redis would invalidate (time, randomness, cursors, keys the
 * command reads without declaring them). A reply is cached under the whole command (name and
 * every argument, and whether it was read as bytes) and invalidated by any of its keys: `MGET a b`
 * is one entry, dropped when `a` or `b` changes.
 *
 * Keys are compared as text: Redis sends invalidated keys as strings (bytes in `decode: "bytes"`),
 * so a command is cached only when each of its arguments has one exact UTF-8 spelling (a byte
 * argument that is not valid UTF-8 is never cached).
 * @module
 */
import { keyIndexes } from "../commands/lookup.ts";
import type { CommandInfo } from "../commands/table.ts";
import type { Arg } from "../resp/types.ts";

/**
 * Read-only commands that are never cached, by the table's names, and why.
 *
 * @example
 * ```ts
 * NOT_CACHEABLE.has("TTL"); // true: the answer changes as time passes, with no write
 * ```
 */
export const NOT_CACHEABLE: ReadonlySet<string> = new Set([
  // Time: the reply changes as time passes, and no write invalidates it.
  "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME",
  "OBJECT|IDLETIME", "OBJECT|FREQ", "OBJECT|ENCODING", "OBJECT|REFCOUNT", "MEMORY|USAGE",
  "XINFO|CONSUMERS", "XINFO|GROUPS", "XINFO|STREAM", "XPENDING",
  // Randomness: each call may answer differently.
  "SRANDMEMBER", "HRANDFIELD", "ZRANDMEMBER",
  // Cursors: a page of an iteration, not a value.
  "HSCAN", "SSCAN", "ZSCAN",
  // Keys read without being declared (SORT_RO's BY/GET patterns, scripts): their changes would not invalidate.
  "SORT_RO", "EVAL_RO", "EVALSHA_RO", "FCALL_RO",
  // Run for their effect (TOUCH updates access times) or may block (XREAD BLOCK, "$").
  "TOUCH", "XREAD",
]);

/** What the cache does with a command: answer it, drop entries of the keys it writes, or nothing. */
type Role = "read" | "write" | "flush" | "none";

/** What the cache knows of a command, worked out once per table entry. */
interface Plan {
  readonly role: Role;
  /** The start of its cache names, as strings and as bytes: built once, so a lookup concatenates nothing. */
  readonly scopes: { readonly text: string; readonly bytes: string };
  /** Where its arguments start (after a container's subcommand). */
  readonly firstArg: number;
  /** Where its one key is, when it has exactly one at a fixed place (GET, HSET, ...): no key spec to walk. */
  readonly keyAt: number | undefined;
}

const plans = new Map<CommandInfo, Plan>();

function planOf(info: CommandInfo): Plan {
  let plan = plans.get(info);
  if (plan === undefined) {
    plan = {
      role: classify(info),
      scopes: { text: "s" + info.name, bytes: "b" + info.name },
      firstArg: info.name.includes("|") ? 2 : 1,
      keyAt: singleKeyAt(info),
    };
    plans.set(info, plan);
  }
  return plan;
}

function singleKeyAt(info: CommandInfo): number | undefined {
  if (info.keySpecs.length !== 1 || info.rule?.keys) return undefined;
  const [begin, find, lastKey] = info.keySpecs[0]!;
  return typeof begin === "number" && find === "range" && lastKey === 0 ? begin : undefined;
}

function classify(info: CommandInfo): Role {
  const { flags, keySpecs } = info;
  if (flags.has("readonly")) {
    const keysKnown = keySpecs.length > 0 && keySpecs.every(([begin, find]) => begin !== null && find !== "unknown");
    return keysKnown && !flags.has("blocking") && info.rule === undefined && !NOT_CACHEABLE.has(info.name) ? "read" : "none";
  }
  if (keySpecs.length > 0 || info.rule?.keys) return "write";
  // Keyless writes change what any key holds (FLUSHALL, FLUSHDB, SWAPDB, FUNCTION LOAD ...).
  return flags.has("write") ? "flush" : "none";
}

/**
 * Where a cacheable read is cached is two names: a scope — whether the reply is read as `bytes`,
 * the command, and every argument but the last — and, within it, the last argument's text
 * ({@link argKey}); two, so that the common one-argument read (`GET k`) is found without building
 * a string. This is the scope, or `undefined` when `args` is not a cacheable read: not a known
 * read-only command, excluded, or with an argument that has no one exact text spelling.
 *
 * @example
 * ```ts
 * cacheScope(["GET", "k"], lookupCommand(["GET", "k"]), false);         // "sGET" (then "k" within it)
 * cacheScope(["HGET", "h", "f"], lookupCommand(["HGET"]), false);       // "sHGET\u00001:h" (then "f")
 * cacheScope(["TTL", "k"], lookupCommand(["TTL", "k"]), false);         // undefined
 * ```
 */
export function cacheScope(args: readonly Arg[], info: CommandInfo | undefined, bytes: boolean): string | undefined {
  if (info === undefined) return undefined;
  const plan = planOf(info);
  if (plan.role !== "read" || args.length <= plan.firstArg) return undefined;
  let scope = bytes ? plan.scopes.bytes : plan.scopes.text;
  // Arguments are length-prefixed so that no two commands share a name.
  for (let i = plan.firstArg; i < args.length - 1; i++) {
    const text = argKey(args[i]!);
    if (text === undefined) return undefined;
    scope += "\u0000" + text.length + ":" + text;
  }
  return scope;
}

/**
 * The keys of a cacheable read, as invalidations name them (see {@link argKey}).
 *
 * @example
 * ```ts
 * readKeys(["MGET", "a", "b"], lookupCommand(["MGET"])!); // ["a", "b"]
 * ```
 */
export function readKeys(args: readonly Arg[], info: CommandInfo): string[] {
  return keysOf(args, info) as string[]; // the lookup checked every argument: none is undefined
}

/**
 * What running `args` does to cached replies: the keys it may change, `"all"` for a keyless write
 * (FLUSHALL, SWAPDB, ...) that may change any, or `undefined` for a command that changes none the
 * table knows of (reads; commands of modules, whose keys it cannot see).
 *
 * @example
 * ```ts
 * writtenKeys(["SET", "k", "v"], lookupCommand(["SET"]));   // ["k"]
 * writtenKeys(["FLUSHDB"], lookupCommand(["FLUSHDB"]));      // "all"
 * ```
 */
export function writtenKeys(args: readonly Arg[], info: CommandInfo | undefined): string[] | "all" | undefined {
  if (info === undefined) return undefined;
  const role = planOf(info).role;
  if (role === "flush") return "all";
  if (role !== "write") return undefined;
  // A key with no exact text spelling (bytes that are not UTF-8) cannot be a cached key.
  return keysOf(args, info).filter((key): key is string => key !== undefined);
}

function keysOf(args: readonly Arg[], info: CommandInfo): (string | undefined)[] {
  const at = planOf(info).keyAt;
  if (at !== undefined) return at < args.length ? [argKey(args[at]!)] : [];
  return keyIndexes(args, info).map((i) => argKey(args[i]!));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

type WellFormed = { isWellFormed?(): boolean; toWellFormed?(): string };

/**
 * An argument as the text Redis sees (and sends back in invalidations), or `undefined` when bytes
 * are not valid UTF-8. A string with a lone surrogate is what `TextEncoder` sends: U+FFFD in its
 * place. Numbers are written as the encoder writes them.
 *
 * @example
 * ```ts
 * argKey(new TextEncoder().encode("user:1")); // "user:1"
 * argKey(Infinity);                           // "+inf"
 * argKey(new Uint8Array([0xff]));             // undefined
 * ```
 */
export function argKey(arg: Arg): string | undefined {
  if (typeof arg === "string") {
    // Keys are often built by concatenation (`user:${id}`), which engines keep as a tree of
    // pieces; reading a character flattens it once, here, so the cache's map lookups and string
    // comparisons that follow read one flat string (measured: about a quarter of a hit's cost).
    arg.charCodeAt(0);
    return (arg as WellFormed).isWellFormed?.() === false ? (arg as WellFormed).toWellFormed!() : arg;
  }
  if (typeof arg === "number") return arg === Infinity ? "+inf" : arg === -Infinity ? "-inf" : String(arg);
  if (typeof arg === "bigint") return arg.toString();
  try {
    return strictUtf8.decode(arg);
  } catch {
    return undefined;
  }
}
