/**
 * Lua scripts run by SHA (`EVALSHA`), falling back to `EVAL` — which also caches the script — when
 * the server does not know it yet (`NOSCRIPT`, e.g. after a restart or `SCRIPT FLUSH`).
 * @module
 */
import { RedisError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { CommandApi } from "./api.ts";

/**
 * A Lua script bound to a client.
 *
 * @example
 * ```ts
 * const incrTo = redis.script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * await incrTo.run(["counter"], [5]); // 5
 * ```
 */
export class Script {
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
  async run(keys: Arg[] = [], args: Arg[] = []): Promise<RespValue> {
    const tail = [keys.length, ...keys, ...args];
    try {
      return await this.#api.send(["EVALSHA", await this.sha(), ...tail]);
    } catch (err) {
      if (!(err instanceof RedisError && err.code === "NOSCRIPT")) throw err;
      return this.#api.send(["EVAL", this.lua, ...tail]);
    }
  }
}
