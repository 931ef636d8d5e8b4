/**
 * Lua scripting commands (see also `client.script(lua)`, which handles NOSCRIPT for you).
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { text, toOk } from "../replies.ts";
import { parsed, raw, type Cmd, type Key } from "../spec.ts";

/** Scripting command table. */
export const scriptingCommands = {
  /** `EVAL script numkeys key... arg...` → whatever the script returns. */
  eval: (script: string, keys: Key[] = [], args: Arg[] = []): Cmd<RespValue> => raw(["EVAL", script, keys.length, ...keys, ...args]),
  /** `EVALSHA sha1 numkeys key... arg...` → whatever the script returns. */
  evalsha: (sha1: string, keys: Key[] = [], args: Arg[] = []): Cmd<RespValue> => raw(["EVALSHA", sha1, keys.length, ...keys, ...args]),
  /** `SCRIPT LOAD script` → its SHA1. */
  scriptLoad: (script: string): Cmd<string> => parsed(["SCRIPT", "LOAD", script], text),
  /** `SCRIPT EXISTS sha1...` → one boolean per script. */
  scriptExists: (...sha1s: string[]): Cmd<boolean[]> => parsed(["SCRIPT", "EXISTS", ...sha1s], (r) => (r as unknown[]).map((x) => x === 1 || x === true)),
  /** `SCRIPT FLUSH`. */
  scriptFlush: (): Cmd<"OK"> => parsed(["SCRIPT", "FLUSH"], toOk),
  /** `EVAL_RO script numkeys key... arg...`: a script that only reads (may run on a replica). */
  evalRo: (script: string, keys: Key[] = [], args: Arg[] = []): Cmd<RespValue> => raw(["EVAL_RO", script, keys.length, ...keys, ...args]),
  /** `EVALSHA_RO sha1 numkeys key... arg...`: a cached script that only reads. */
  evalshaRo: (sha1: string, keys: Key[] = [], args: Arg[] = []): Cmd<RespValue> => raw(["EVALSHA_RO", sha1, keys.length, ...keys, ...args]),
  /** `SCRIPT KILL`: stop the running script, if it has not written. */
  scriptKill: (): Cmd<"OK"> => parsed(["SCRIPT", "KILL"], toOk),
};
