/**
 * Redis functions (Redis 7): libraries of Lua functions loaded once, kept across restarts and
 * replicated, called by name with `FCALL`/`FCALL_RO`.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { fields, list, text, textOrNull, toNumber, toOk } from "../replies.ts";
import { binary, parsed, raw, type Cmd, type Key } from "../spec.ts";

/** One function of a library. */
export interface FunctionInfo {
  name: string;
  description: string | null;
  /** `no-writes`, `allow-oom`, `allow-stale`, `no-cluster`, `allow-cross-slot-keys`. */
  flags: string[];
}

/** One library, as `FUNCTION LIST` describes it. */
export interface FunctionLibrary {
  libraryName: string;
  engine: string;
  functions: FunctionInfo[];
  /** The source, with `withCode`. */
  libraryCode?: string;
}

/** `FUNCTION STATS`: the function running now, and what each engine holds. */
export interface FunctionStats {
  runningScript: { name: string; command: string[]; durationMs: number } | null;
  engines: Record<string, { librariesCount: number; functionsCount: number }>;
}

/** What `FUNCTION RESTORE` does with libraries already loaded: refuse a clash (default), flush them all first, or replace clashing ones. */
export type FunctionRestorePolicy = "APPEND" | "FLUSH" | "REPLACE";

function toLibrary(reply: RespValue): FunctionLibrary {
  const f = fields(reply, (v) => v);
  const library: FunctionLibrary = {
    libraryName: text(f.library_name),
    engine: text(f.engine),
    functions: list(f.functions).map((fn) => {
      const g = fields(fn, (v) => v);
      return { name: text(g.name), description: textOrNull(g.description), flags: list(g.flags).map(text) };
    }),
  };
  if (f.library_code !== undefined) library.libraryCode = text(f.library_code);
  return library;
}

function toStats(reply: RespValue): FunctionStats {
  const f = fields(reply, (v) => v);
  const running = f.running_script === null || f.running_script === undefined ? null : fields(f.running_script, (v) => v);
  return {
    runningScript: running && { name: text(running.name), command: list(running.command).map(text), durationMs: toNumber(running.duration_ms) },
    engines: fields(f.engines, (engine) => {
      const e = fields(engine, (v) => v);
      return { librariesCount: toNumber(e.libraries_count), functionsCount: toNumber(e.functions_count) };
    }),
  };
}

function call(name: "FCALL" | "FCALL_RO", fn: string, keys: readonly Key[], args: readonly Arg[]): Arg[] {
  return [name, fn, keys.length, ...keys, ...args];
}

/** Function command table. */
export const functionCommands = {
  /** `FCALL function numkeys key... arg...` → whatever the function returns. */
  fcall: (fn: string, keys: readonly Key[] = [], args: readonly Arg[] = []): Cmd<RespValue> => raw(call("FCALL", fn, keys, args)),
  /** `FCALL_RO` — for functions flagged `no-writes`; may run on a replica. */
  fcallRo: (fn: string, keys: readonly Key[] = [], args: readonly Arg[] = []): Cmd<RespValue> => raw(call("FCALL_RO", fn, keys, args)),
  /**
   * `FUNCTION LOAD [REPLACE] code` → the library's name (from its `#!lua name=` line).
   *
   * @example
   * ```ts
   * await redis.functionLoad("#!lua name=lib\nredis.register_function('hi', function() return 'hi' end)", { replace: true });
   * await redis.fcall("hi"); // "hi"
   * ```
   */
  functionLoad: (code: string, options: { replace?: boolean } = {}): Cmd<string> =>
    parsed(options.replace ? ["FUNCTION", "LOAD", "REPLACE", code] : ["FUNCTION", "LOAD", code], text),
  /** `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]` → the libraries and their functions. */
  functionList: (options: { libraryName?: string; withCode?: boolean } = {}): Cmd<FunctionLibrary[]> => {
    const args: Arg[] = ["FUNCTION", "LIST"];
    if (options.libraryName !== undefined) args.push("LIBRARYNAME", options.libraryName);
    if (options.withCode) args.push("WITHCODE");
    return parsed(args, (r) => list(r).map(toLibrary));
  },
  /** `FUNCTION DELETE library`. */
  functionDelete: (library: string): Cmd<"OK"> => parsed(["FUNCTION", "DELETE", library], toOk),
  /** `FUNCTION FLUSH [ASYNC|SYNC]`: delete every library. */
  functionFlush: (mode?: "ASYNC" | "SYNC"): Cmd<"OK"> => parsed(mode ? ["FUNCTION", "FLUSH", mode] : ["FUNCTION", "FLUSH"], toOk),
  /** `FUNCTION KILL`: stop the running function, if it has not written. */
  functionKill: (): Cmd<"OK"> => parsed(["FUNCTION", "KILL"], toOk),
  /** `FUNCTION DUMP` → every library, serialized (for `functionRestore`). */
  functionDump: (): Cmd<Uint8Array> => binary(["FUNCTION", "DUMP"]),
  /** `FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]`. */
  functionRestore: (payload: Uint8Array, policy?: FunctionRestorePolicy): Cmd<"OK"> =>
    parsed(policy ? ["FUNCTION", "RESTORE", payload, policy] : ["FUNCTION", "RESTORE", payload], toOk),
  /** `FUNCTION STATS` → the running function (or `null`) and each engine's counts. */
  functionStats: (): Cmd<FunctionStats> => parsed(["FUNCTION", "STATS"], toStats),
};
