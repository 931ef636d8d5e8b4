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
  "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME",
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

/** Roles by table entry, worked out once per command. */
const roles = new WeakMap<CommandInfo, Role>();

function roleOf(info: CommandInfo): Role {
  let role = roles.get(info);
  if (role === undefined) {
    role = classify(info);
    roles.set(info, role);
  }
  return role;
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
 * The name a cacheable read is cached under, or `undefined` when `args` is not one (not a known
 * read-only command, excluded, or an argument without one exact text spelling). `bytes`: the reply
 * is read as bytes (a different entry than the same command read as strings).
 *
 * @example
 * ```ts
 * cacheKey(["GET", "k"], lookupCommand(["GET", "k"]), false);  // a string naming GET k
 * cacheKey(["TTL", "k"], lookupCommand(["TTL", "k"]), false);  // undefined
 * ```
 */
export function cacheKey(args: readonly Arg[], info: CommandInfo | undefined, bytes: boolean): string | undefined {
  if (info === undefined || roleOf(info) !== "read") return undefined;
  // Arguments are length-prefixed so that no two commands share a name.
  let key = (bytes ? "b" : "s") + info.name;
  for (let i = info.name.includes("|") ? 2 : 1; i < args.length; i++) {
    const text = argKey(args[i]!);
    if (text === undefined) return undefined;
    key += "\u0000" + text.length + ":" + text;
  }
  return key;
}

/**
 * The keys of a cacheable read, as invalidations name them (see {@link argKey}).
 *
 * @example
 * ```ts
 * readKeys(["MGET", "a", "b"]); // ["a", "b"]
 * ```
 */
export function readKeys(args: readonly Arg[]): string[] {
  const out: string[] = [];
  for (const i of keyIndexes(args)) out.push(argKey(args[i]!)!); // cacheKey() checked every argument
  return out;
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
  const role = roleOf(info);
  if (role === "flush") return "all";
  if (role !== "write") return undefined;
  const out: string[] = [];
  for (const i of keyIndexes(args)) {
    // A key with no exact text spelling (bytes that are not UTF-8) cannot be a cached key.
    const key = argKey(args[i]!);
    if (key !== undefined) out.push(key);
  }
  return out;
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
  if (typeof arg === "string") return (arg as WellFormed).isWellFormed?.() === false ? (arg as WellFormed).toWellFormed!() : arg;
  if (typeof arg === "number") return arg === Infinity ? "+inf" : arg === -Infinity ? "-inf" : String(arg);
  if (typeof arg === "bigint") return arg.toString();
  try {
    return strictUtf8.decode(arg);
  } catch {
    return undefined;
  }
}
