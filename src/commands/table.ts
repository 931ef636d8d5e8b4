/**
 * The command table: every command and container subcommand of Redis with its arity, flags, group
 * and key specifications (generated into table.gen.ts from a real server's `COMMAND INFO`/`DOCS`;
 * table.later.ts adds the commands of newer servers), joined with the hand-written rules of
 * rules.ts. Built once per module load, read-only after.
 * @module
 */
import { COMMAND_ROWS } from "./table.gen.ts";
import { LATER_ROWS } from "./table.later.ts";
import { RULES, type Rule } from "./rules.ts";

/**
 * Where a command's keys are, as `COMMAND INFO` key specs say (redis.io/docs/reference/key-specs):
 * `[begin, find, a, b, c]`. `begin` is an argument index, or `[keyword, startFrom]` (search for
 * the keyword from `startFrom`, from the end when negative), or `null` when unknown. `find` is
 * `"range"` (a = last key relative to begin, -1 = the last argument; b = step; c = limit: keys are
 * the first 1/c of the remaining arguments) or `"keynum"` (a = index of the key count relative to
 * begin, b = first key relative to begin, c = step).
 */
export type KeySpec = readonly [
  begin: number | readonly [keyword: string, startFrom: number] | null,
  find: "range" | "keynum" | "unknown",
  a: number,
  b: number,
  c: number,
];

/** A generated row: `[name, arity, flags (space-separated), group, key specs]`. */
export type CommandRow = readonly [name: string, arity: number, flags: string, group: string, keySpecs: readonly KeySpec[]];

/**
 * What the table knows of one command or container subcommand.
 *
 * @example
 * ```ts
 * const get = lookupCommand(["GET", "k"])!;
 * get.name;                  // "GET"
 * get.flags.has("readonly"); // true
 * ```
 */
export interface CommandInfo {
  /** Upper-case name; a container's subcommand is `"CONTAINER|SUB"`, e.g. `"CLIENT|REPLY"`. */
  readonly name: string;
  /** Redis arity: the exact argument count (name included), or `-n` for "at least n". */
  readonly arity: number;
  /** Flags from `COMMAND INFO`: `write`, `readonly`, `blocking`, `pubsub`, `admin`, `noscript`, ... */
  readonly flags: ReadonlySet<string>;
  /** The command's group from `COMMAND DOCS`: `string`, `connection`, `pubsub`, ... */
  readonly group: string;
  readonly keySpecs: readonly KeySpec[];
  /** Subcommands by upper-case name, for containers (`CLIENT`, `CONFIG`, `XINFO`, ...). */
  readonly subcommands: ReadonlyMap<string, CommandInfo> | undefined;
  /** Rules COMMAND cannot express (rules.ts), if any. */
  readonly rule: Rule | undefined;
}

function build(): Map<string, CommandInfo> {
  const all = new Map<string, CommandInfo & { subcommands: Map<string, CommandInfo> | undefined }>();
  for (const [name, arity, flags, group, keySpecs] of [...COMMAND_ROWS, ...LATER_ROWS.map(([, row]) => row)]) {
    if (all.has(name)) continue; // a later row the generated table has caught up with
    const info = { name, arity, flags: new Set(flags ? flags.split(" ") : []), group, keySpecs, subcommands: undefined, rule: RULES[name] };
    all.set(name, info);
    const bar = name.indexOf("|");
    if (bar > 0) {
      const container = all.get(name.slice(0, bar))!; // rows are sorted: "CLIENT" precedes "CLIENT|ID"
      (container.subcommands ??= new Map()).set(name.slice(bar + 1), info);
    }
  }
  const top = new Map<string, CommandInfo>();
  for (const [name, info] of all) {
    if (name.includes("|")) continue;
    top.set(name, info);
    top.set(name.toLowerCase(), info); // the two spellings callers use, found without toUpperCase
  }
  return top;
}

/** Top-level commands by upper- and lower-case name. */
export const COMMANDS: ReadonlyMap<string, CommandInfo> = build();
