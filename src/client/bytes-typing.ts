/**
 * What a surface's types say in bytes mode (`createClient({ decode: "bytes" })`,
 * `with({ bytes: true })`): every reply that is data — values, elements, members, fields, keys,
 * passed on as the server sent them — is a `Uint8Array` where string mode has a `string`; what the
 * parsers read as text (numbers, scores, cursors, stream IDs, names, `"OK"`, reports) stays text.
 *
 * Nothing here lists commands: each command spec says its bytes-mode reply itself (`Cmd<T, B>`,
 * see spec.ts). A `raw()` or `parsed()` spec cannot claim another mode's type than its
 * constructor's; a `data()` spec's bytes type is its annotation, and whether a `parsed()` parser
 * reads no data is checked by tests, not types (see spec.ts). Type-only module.
 * @module
 */
import type { CommandOptions } from "../conn/command.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { CommandApi, CommandMethods } from "./api.ts";
import type { Multi, MultiResults, Pipeline } from "./batch.ts";
import type { ScanOptions } from "./scan.ts";
import type { Cmd, Key } from "./spec.ts";
import type { ModeReply, ModeString, ReplyMode } from "./typing.ts";
import type { WatchOptions } from "./watch.ts";

/**
 * `R` with every `string` replaced by `Uint8Array` — in arrays, tuples and objects' values: the
 * bytes-mode type of a reply passed on as the server sent it. A `RespValue` stays as it is.
 *
 * @example
 * ```ts
 * type T = AsBytes<Array<string | null>>; // Array<Uint8Array | null>
 * ```
 */
export type AsBytes<R> = [RespValue] extends [R]
  ? R
  : R extends string
    ? Uint8Array
    : R extends Uint8Array | number | bigint | boolean | null | undefined
      ? R
      : { [K in keyof R]: AsBytes<R[K]> };

/** The members of a surface that depend on how it reads strings; `Replies` replaces them. */
type ModeMember =
  | keyof CommandMethods
  | "run"
  | "multi"
  | "pipeline"
  | "watch"
  | "isolated"
  | "with"
  | "scanIterator"
  | "hscanIterator"
  | "sscanIterator"
  | "zscanIterator"
  | "acquire"
  | "withConnection"
  | "nodes";

/** The mode-dependent members every surface has, in mode `M`; `S` is the surface. */
interface ModeMembers<S, M extends ReplyMode> {
  /** Send a described command; its reply as this surface's mode reads it. */
  run<T, B>(cmd: Cmd<T, B>, options?: CommandOptions): Promise<ModeReply<T, B, M>>;
  /** Start a `MULTI ... EXEC` transaction whose replies are read in this surface's mode. */
  multi(): Multi<[], M>;
  /** Start an explicit pipeline whose replies are read in this surface's mode. */
  pipeline(): Pipeline<[], M>;
  /** `watch()` (see `CommandApi.watch`), `tx` reading in this surface's mode. */
  watch<T extends unknown[]>(
    keys: Key | readonly Key[],
    fn: (tx: Replies<CommandApi, M>) => Multi<T, M> | Promise<Multi<T, M>>,
    options?: WatchOptions,
  ): Promise<MultiResults<T>>;
  /** `isolated()` (see `CommandApi.isolated`), the connection reading in this surface's mode. */
  isolated<T>(fn: (connection: Replies<CommandApi, M>) => Promise<T>): Promise<T>;
  /** A view with `options`; `bytes` changes the mode, as at run time. */
  with(options: CommandOptions & { bytes: true }): Replies<S, "bytes">;
  with(options: CommandOptions & { bytes: false }): S;
  with(options: CommandOptions & { bytes: boolean }): Replies<S, "either">;
  with(options: CommandOptions): Replies<S, M>;
  /** Keys as this surface reads them (`Uint8Array` in bytes mode). */
  scanIterator(options?: ScanOptions & { type?: string }): AsyncGenerator<ModeString<M>>;
  /** `[field, value]` pairs, both data. */
  hscanIterator(key: Key, options?: ScanOptions): AsyncGenerator<[ModeString<M>, ModeString<M>]>;
  sscanIterator(key: Key, options?: ScanOptions): AsyncGenerator<ModeString<M>>;
  /** `[member, score]`: the member is data, the score its text in either mode. */
  zscanIterator(key: Key, options?: ScanOptions): AsyncGenerator<[ModeString<M>, string]>;
}

/** `isolated(key, fn)` for a surface that has it (a cluster client). */
type KeyedIsolated<S, M extends ReplyMode> = S extends { isolated(key: Arg, fn: (connection: CommandApi) => Promise<unknown>): Promise<unknown> }
  ? { isolated<T>(key: Arg, fn: (connection: Replies<CommandApi, M>) => Promise<T>): Promise<T> }
  : unknown;

/** A pool's `acquire()` and `withConnection()`, lending leases that read in mode `M`. */
type LendingMembers<S, M extends ReplyMode> = S extends { acquire(options?: infer O): Promise<infer L> }
  ? {
      acquire(options?: O): Promise<Replies<L, M>>;
      withConnection<T>(fn: (lease: Replies<L, M>) => Promise<T> | T, options?: O): Promise<T>;
    }
  : unknown;

/** A cluster's `nodes()`, lending node clients that read in mode `M`. */
type NodeMembers<S, M extends ReplyMode> = S extends { nodes(role?: infer R): Promise<Array<infer N>> }
  ? { nodes(role?: R): Promise<Array<Replies<N, M>>> }
  : unknown;

/** A surface `S` as a surface of mode `M` types it: its commands, chains, iterators and lent connections. */
export type Replies<S, M extends ReplyMode> = Omit<S, ModeMember> &
  CommandMethods<M> &
  ModeMembers<S, M> &
  KeyedIsolated<S, M> &
  LendingMembers<S, M> &
  NodeMembers<S, M>;

/**
 * A surface `S` (a client, pool, cluster, lease or view) as bytes mode types it: its data replies
 * resolve to `Uint8Array`s, in its commands, `multi()`/`pipeline()` chains, scan iterators,
 * `isolated()`/`watch()` connections, a pool's leases and a cluster's node clients.
 * `createClient({ decode: "bytes" })`, `createPool`, `createCluster`, `wrapClient` and
 * `with({ bytes: true })` return this.
 *
 * @example
 * ```ts
 * const raw: BytesReplies<RedisClient> = redis.with({ bytes: true });
 * const value = await raw.get("k"); // Uint8Array | null
 * ```
 */
export type BytesReplies<S> = Replies<S, "bytes">;

/**
 * A surface whose mode is known only at run time (`with({ bytes: flag })`, `decode` given as a
 * `"string" | "bytes"` value): data replies are `string | Uint8Array`.
 *
 * @example
 * ```ts
 * const view: EitherReplies<RedisClient> = redis.with({ bytes: Math.random() > 0.5 });
 * const value = await view.get("k"); // string | Uint8Array | null
 * ```
 */
export type EitherReplies<S> = Replies<S, "either">;
