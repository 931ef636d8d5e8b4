/**
 * What a surface's types say in bytes mode (`createClient({ decode: "bytes" })`,
 * `with({ bytes: true })`): the commands whose replies are data — values, elements, members,
 * fields, keys, passed on as the server sent them — return `Uint8Array` where they returned
 * `string`. Other commands keep their types: what their parsers read as text (numbers, scores,
 * cursors, IDs, `"OK"`) stays text in bytes mode too. Type-only module.
 *
 * The list is the data commands people use most; a command not on it that returns data still gets
 * bytes at run time while its type says `string`: add it here.
 * @module
 */
import type { CommandSpecs } from "./commands/index.ts";
import type { Signatures } from "./typing.ts";

/**
 * The typed commands whose replies' strings all arrive as bytes in bytes mode: raw replies and
 * those whose parser passes the strings on as they came (`hgetall`'s values; its field names are
 * read as text).
 */
export type DataCommand =
  | "get" | "getdel" | "getex" | "getset" | "getrange" | "substr" | "mget"
  | "hget" | "hmget" | "hkeys" | "hvals" | "hrandfield" | "hgetall"
  | "lpop" | "rpop" | "lindex" | "lrange" | "lmove" | "blmove" | "rpoplpush" | "brpoplpush"
  | "smembers" | "spop" | "srandmember" | "sinter" | "sunion" | "sdiff"
  | "zrange" | "keys" | "randomkey" | "echo";

/**
 * `R` with `string` replaced by `Uint8Array`, in arrays and as a record's values.
 *
 * @example
 * ```ts
 * type T = AsBytes<Array<string | null>>; // Array<Uint8Array | null>
 * ```
 */
export type AsBytes<R> = R extends string
  ? Uint8Array
  : R extends readonly (infer U)[]
    ? AsBytes<U>[]
    : R extends Uint8Array | number | bigint | boolean | null | undefined
      ? R
      : { [K in keyof R]: AsBytes<R[K]> };

/** A data command's method in bytes mode (one signature per overload, as in string mode). */
type BytesMethod<F> = Signatures<F> extends [[infer A extends unknown[], infer R]] ? (...args: A) => Promise<AsBytes<R>> : never;

/**
 * A surface `S` (a client, pool, lease or view) as bytes mode types it: its data commands resolve
 * to `Uint8Array`s. `createClient({ decode: "bytes" })` and `with({ bytes: true })` return this.
 *
 * @example
 * ```ts
 * const raw: BytesReplies<RedisClient> = redis.with({ bytes: true });
 * const value = await raw.get("k"); // Uint8Array | null
 * ```
 */
export type BytesReplies<S> = Omit<S, DataCommand> & { [K in DataCommand]: BytesMethod<CommandSpecs[K]> };
