/**
 * `COMMAND` subcommands: what the server says about its own commands (the source of this
 * library's command table, scripts/gen-commands.ts).
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { camelCase, fields, list, plain, text, toNumber } from "../replies.ts";
import { parsed, raw, type Cmd } from "../spec.ts";

/** A command as `COMMAND INFO` describes it. */
export interface CommandDescription {
  /** Lower-case; a subcommand is `container|sub`. */
  name: string;
  /** Exact argument count (name included), or `-n` for "at least n". */
  arity: number;
  flags: string[];
  firstKey: number;
  lastKey: number;
  step: number;
  aclCategories: string[];
  tips: string[];
  /** Key specifications, as plain objects (redis.io/docs/reference/key-specs). */
  keySpecs: unknown[];
  subcommands: CommandDescription[];
}

/** A command as `COMMAND DOCS` documents it; field names camel-cased, `arguments` as plain objects. */
export interface CommandDoc {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  docFlags?: string[];
  deprecatedSince?: string;
  replacedBy?: string;
  history?: Array<[version: string, change: string]>;
  arguments?: unknown[];
  subcommands?: Record<string, CommandDoc>;
}

/** Which commands `commandList` returns: those of a module, of an ACL category, or matching a pattern. */
export type CommandListFilter = { module: string } | { aclcat: string } | { pattern: string };

function toDescription(reply: RespValue): CommandDescription | null {
  if (reply === null) return null;
  const [name, arity, flags, firstKey, lastKey, step, categories, tips, keySpecs, subcommands] = list(reply);
  return {
    name: text(name),
    arity: toNumber(arity),
    flags: list(flags).map(text),
    firstKey: toNumber(firstKey),
    lastKey: toNumber(lastKey),
    step: toNumber(step),
    aclCategories: list(categories).map(text),
    tips: list(tips).map(text),
    keySpecs: list(keySpecs).map(plain),
    subcommands: list(subcommands).map((s) => toDescription(s)!),
  };
}

function toDoc(reply: RespValue): CommandDoc {
  const doc = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(fields(reply, (v) => v))) {
    const key = camelCase(name);
    if (key === "subcommands") doc[key] = fields(value, toDoc);
    else if (key === "history") doc[key] = list(value).map((h) => list(h).map(text));
    else if (key === "docFlags") doc[key] = list(value).map(text);
    else if (key === "arguments") doc[key] = list(value).map(plain);
    else doc[key] = text(value);
  }
  return doc as unknown as CommandDoc;
}

function listArgs(filter: CommandListFilter | undefined): Arg[] {
  if (filter === undefined) return ["COMMAND", "LIST"];
  if ("module" in filter) return ["COMMAND", "LIST", "FILTERBY", "MODULE", filter.module];
  if ("aclcat" in filter) return ["COMMAND", "LIST", "FILTERBY", "ACLCAT", filter.aclcat];
  return ["COMMAND", "LIST", "FILTERBY", "PATTERN", filter.pattern];
}

/** Introspection command table. */
export const introspectionCommands = {
  /** `COMMAND COUNT` → how many top-level commands the server has. */
  commandCount: (): Cmd<number> => raw(["COMMAND", "COUNT"]),
  /** `COMMAND LIST [FILTERBY MODULE|ACLCAT|PATTERN ...]` → command names, subcommands as `container|sub`. */
  commandList: (filter?: CommandListFilter): Cmd<string[]> => parsed(listArgs(filter), (r) => list(r).map(text)),
  /** `COMMAND INFO [name...]` → one description per name (`null` for unknown ones); every command without names. */
  commandInfo: (...names: string[]): Cmd<Array<CommandDescription | null>> =>
    parsed(["COMMAND", "INFO", ...names], (r) => list(r).map(toDescription)),
  /** `COMMAND DOCS [name...]` → documentation by command name; every command without names. */
  commandDocs: (...names: string[]): Cmd<Record<string, CommandDoc>> => parsed(["COMMAND", "DOCS", ...names], (r) => fields(r, toDoc)),
  /** `COMMAND GETKEYS command arg...` → the keys the server finds in a full command. */
  commandGetkeys: (command: readonly Arg[]): Cmd<string[]> => parsed(["COMMAND", "GETKEYS", ...command], (r) => list(r).map(text)),
  /** `COMMAND GETKEYSANDFLAGS command arg...` → each key with its access flags (`RW`, `access`, ...). */
  commandGetkeysandflags: (command: readonly Arg[]): Cmd<Array<{ key: string; flags: string[] }>> =>
    parsed(["COMMAND", "GETKEYSANDFLAGS", ...command], (r) =>
      list(r).map((entry) => {
        const [key, flags] = list(entry);
        return { key: text(key), flags: list(flags).map(text) };
      }),
    ),
};
