/**
 * Lua scripts run by SHA (`EVALSHA`), falling back to `EVAL` — which also caches the script — when
 * the server does not know it yet (`NOSCRIPT`, e.g. after a restart or `SCRIPT FLUSH`).
 * @module
 */
import { RedisError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { CommandApi } from "./api.ts";
import type { AsBytes } from "./bytes-typing.ts";
import { raw, type Cmd } from "./spec.ts";

/**
 * A Lua script bound to a client; `T` is what the script returns (as the client decodes it).
 *
 * @example
 * ```ts
 * const incrTo = redis.script<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * await incrTo.run(["counter"], [5]); // 5
 * const [n] = (await redis.multi().add(incrTo.cmd(["counter"], [1])).exec())!; // 6
 * ```
 */
export class Script<T = RespValue> {
  readonly lua: string;
  #api: CommandApi;
  #sha: Promise<string> | undefined;

  constructor(api: CommandApi, lua: string) {
    if (typeof lua !== "string" || lua.length === 0) throw new TypeError("script: lua source must be a non-empty string");
    this.#api = api;
    this.lua = lua;
  }

  /** The script's SHA1, as Redis computes it. */
  sha(): Promise<string> {
    this.#sha ??= crypto.subtle.digest("SHA-1", new TextEncoder().encode(this.lua)).then((digest) =>
      Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(""),
    );
    return this.#sha;
  }

  /** Run with `keys` and `args`. */
  async run(keys: Arg[] = [], args: Arg[] = []): Promise<T> {
    const tail = [keys.length, ...keys, ...args];
    try {
      return (await this.#api.send(["EVALSHA", await this.sha(), ...tail])) as T;
    } catch (err) {
      if (!(err instanceof RedisError && err.code === "NOSCRIPT")) throw err;
      return (await this.#api.send(["EVAL", this.lua, ...tail])) as T;
    }
  }

  /**
   * The script as a command for `multi().add()` and `pipeline().add()`. It is an `EVAL` carrying
   * the source: inside `MULTI` nothing can fall back from `NOSCRIPT` (the transaction has run when
   * the error arrives), so the command must work whatever the server's script cache holds.
   */
  cmd(keys: Arg[] = [], args: Arg[] = []): Cmd<T, AsBytes<T>> {
    // raw(): the command's reply is read in the mode of the chain it is added to, not of the
    // surface that made the script, so in a bytes chain each string of `T` is a Uint8Array.
    return raw<T>(["EVAL", this.lua, keys.length, ...keys, ...args]);
  }
}
