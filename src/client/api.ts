/**
 * The command API every client surface shares: the multiplexer client, the pool, a pool lease and
 * a worker client all extend {@link CommandApi} and only implement how a command and a transaction
 * reach Redis.
 * @module
 */
import type { CommandOptions } from "../conn/command.ts";
import { Emitter, type EventMap } from "../events.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { Multi, Pipeline, type MultiResults } from "./batch.ts";
import { commandSpecs, type CommandSpecs } from "./commands/index.ts";
import { scanAll, type ScanOptions } from "./scan.ts";
import { withinPrefix } from "./scan-prefix.ts";
import { Script } from "./script.ts";
import { overView } from "./view-options.ts";
import type { BytesReplies, EitherReplies } from "./bytes-typing.ts";
import type { Cmd, Key } from "./spec.ts";
import type { PromiseMethod, ReplyMode } from "./typing.ts";
import { watchTransaction, type WatchBody, type WatchOptions } from "./watch.ts";

export type { ReplyOf } from "./typing.ts";

/** One promise-returning method per typed command, with the overloads of its spec, replies read in mode `M`. */
export type CommandMethods<M extends ReplyMode = "string"> = {
  [K in keyof CommandSpecs]: PromiseMethod<CommandSpecs[K], M>;
};

/**
 * Base of every client surface. Subclasses implement `send`, `transaction` and `isolated`;
 * `E` names the events the surface emits (`on`/`off` come from {@link Emitter}).
 *
 * @example
 * ```ts
 * await redis.set("greeting", "hello");
 * const value = await redis.get("greeting"); // "hello"
 * const [n] = (await redis.multi().incr("hits").expire("hits", 60).exec())!;
 * ```
 */
export abstract class CommandApi<E extends EventMap = EventMap> extends Emitter<E> {
  /**
   * Send any command. Arguments are `string | number | bigint | Uint8Array`; an invalid one rejects
   * with `TypeError` before anything is written.
   */
  abstract send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue>;

  /**
   * Run `commands` as `MULTI ... EXEC`, written contiguously on one connection. Resolves to one
   * entry per command (its parsed reply, or the `RedisError` it failed with), or `null` when a
   * `WATCH`ed key changed.
   */
  abstract transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null>;

  /** Run `fn` with a connection of its own (for WATCH/MULTI, or anything stateful), released afterwards. */
  abstract isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T>;

  /**
   * Send a described command (a `raw()` one, a typed command's spec) and convert its reply: `T`, as
   * a string surface reads it; a bytes surface's type is the command's bytes-mode reply (see
   * `BytesReplies`).
   */
  run<T, B>(cmd: Cmd<T, B>, options?: CommandOptions): Promise<T> {
    const reply = this.send(cmd.args, cmd.bytes ? { ...options, bytes: true } : options);
    return (cmd.parse ? reply.then(cmd.parse) : reply) as Promise<T>;
  }

  /**
   * A view of this surface whose commands all use `options` (a signal, a timeout, bytes replies):
   * typed commands, `send`, `multi()`/`transaction`, `pipeline()`, scripts, the scan iterators, the
   * connection `isolated()` lends (and, on a pool, the leases `acquire()` and `withConnection()`
   * lend). Every other member (`stats()`, `close()`, `on()`, a lease's `release()`, ...) is the
   * surface's own. Options given to one call override the view's; a view of a view merges both.
   *
   * @example
   * ```ts
   * await redis.with({ signal: AbortSignal.timeout(100) }).get("k");
   * const [value] = (await redis.with({ bytes: true }).multi().get("k").exec())!; // a Uint8Array
   * const bytes = await redis.with({ bytes: true }).get("k"); // typed Uint8Array | null (see BytesReplies)
   * ```
   */
  with(options: CommandOptions & { bytes: true }): BytesReplies<this>;
  with(options: CommandOptions & { bytes: false }): this;
  with(options: CommandOptions & { bytes: boolean }): EitherReplies<this>;
  with(options: CommandOptions): this;
  with(options: CommandOptions): this | BytesReplies<this> | EitherReplies<this> {
    const target = this;
    const replaced = this.viewMembers(options);
    const bound = new Map<PropertyKey, { from: unknown; to: unknown }>();
    // A Proxy, not Object.create(this): the surface's methods read private fields, which only the
    // surface itself has, so they must run on it; only CommandApi's own methods, which reach Redis
    // through `this.send` and `this.transaction`, run on the view.
    return new Proxy(target, {
      get(surface, prop, view) {
        if (Object.hasOwn(replaced, prop)) return replaced[prop];
        const value: unknown = Reflect.get(surface, prop, surface);
        if (typeof value !== "function") return value;
        const cached = bound.get(prop);
        if (cached?.from === value) return cached.to;
        const to = value.bind(routesThroughSend(prop, value) ? view : surface);
        bound.set(prop, { from: value, to });
        return to;
      },
    });
  }

  /**
   * The members a view made by {@link CommandApi.with} replaces, each applying `options` to what it
   * sends. A surface that lends connections adds the methods that lend them (see `Pool`).
   */
  protected viewMembers(options: CommandOptions): Record<PropertyKey, unknown> {
    const merged = (more?: CommandOptions) => overView(options, more);
    return {
      send: (args: readonly Arg[], more?: CommandOptions) => this.send(args, merged(more)),
      transaction: (commands: readonly Cmd<unknown>[], more?: CommandOptions) => this.transaction(commands, merged(more)),
      isolated: <T>(fn: (connection: CommandApi) => Promise<T>) => this.isolated((connection) => fn(connection.with(options))),
      with: (more: CommandOptions) => this.with(merged(more)),
    };
  }

  /** Start a `MULTI ... EXEC` transaction; commands chain, `exec()` sends them contiguously. */
  multi(): Multi {
    return new Multi((cmds) => this.transaction(cmds), this);
  }

  /**
   * An optimistic transaction: `WATCH keys` on a connection of its own, run `fn` — which reads
   * through `tx` and returns `tx.multi()...` — and `EXEC`. When a watched key changed before `EXEC`,
   * run `fn` again, at most `retries` times (default 3), then reject with `WatchError`.
   *
   * @example
   * ```ts
   * const [, balance] = await redis.watch("balance", async (tx) => {
   *   const current = Number(await tx.get("balance"));
   *   return tx.multi().set("balance", current - 10).get("balance");
   * });
   * ```
   */
  watch<T extends unknown[]>(keys: Key | readonly Key[], fn: WatchBody<T>, options?: WatchOptions): Promise<MultiResults<T>> {
    return watchTransaction(this, keys, fn, options);
  }

  /** Start an explicit pipeline; `exec()` resolves to one entry per command (reply or error). */
  pipeline(): Pipeline {
    return new Pipeline((cmds) => Promise.allSettled(cmds.map((cmd) => this.run(cmd))));
  }

  /**
   * A Lua script run with `EVALSHA`, loaded with `EVAL` when the server answers `NOSCRIPT`; `T` is
   * what it returns. `script.cmd(keys, args)` puts it in a `multi()` or `pipeline()`.
   */
  script<T = RespValue>(lua: string): Script<T> {
    return new Script<T>(this, lua);
  }

  /**
   * Iterate the keyspace with `SCAN` (each key once per full iteration, as Redis guarantees). With
   * a `keyPrefix`, only keys under it, yielded without it.
   */
  scanIterator(options: ScanOptions & { type?: string } = {}): AsyncGenerator<string> {
    const extra: Arg[] = options.type ? ["TYPE", options.type] : [];
    return withinPrefix(this.resolveKeyPrefix(), options.match, (match) => scanAll(this, ["SCAN"], { ...options, match }, extra, "single"));
  }

  /**
   * The `keyPrefix` this surface's commands get (`""` for none), for what the command table cannot
   * prefix (`scanIterator`'s pattern). A promise where it is not known yet (a worker client learns
   * it from its owner).
   */
  protected resolveKeyPrefix(): string | Promise<string> {
    return "";
  }

  /** Iterate a hash's `[field, value]` pairs with `HSCAN`. */
  hscanIterator(key: string | Uint8Array, options: ScanOptions = {}): AsyncGenerator<[string, string]> {
    return scanAll(this, ["HSCAN", key], options, [], "pair");
  }

  /** Iterate a set's members with `SSCAN`. */
  sscanIterator(key: string | Uint8Array, options: ScanOptions = {}): AsyncGenerator<string> {
    return scanAll(this, ["SSCAN", key], options, [], "single");
  }

  /** Iterate a sorted set's `[member, score]` pairs with `ZSCAN` (the score as Redis writes it, text in either mode). */
  zscanIterator(key: string | Uint8Array, options: ScanOptions = {}): AsyncGenerator<[string, string]> {
    return scanAll(this, ["ZSCAN", key], options, [], "scored");
  }
}

/** Whether `method` is CommandApi's own `prop` (not a surface's override): it reaches Redis only through `this.send`/`this.transaction`. */
function routesThroughSend(prop: PropertyKey, method: unknown): boolean {
  return Object.hasOwn(CommandApi.prototype, prop) && (CommandApi.prototype as unknown as Record<PropertyKey, unknown>)[prop] === method;
}

// Declaration merging gives the class one typed method per command; the loop below defines them.
// deno-lint-ignore no-empty-interface
export interface CommandApi<E extends EventMap = EventMap> extends CommandMethods {}

for (const [name, spec] of Object.entries(commandSpecs)) {
  const make = spec as (...args: unknown[]) => Cmd<unknown>;
  Object.defineProperty(CommandApi.prototype, name, {
    value: function (this: CommandApi, ...args: unknown[]): Promise<unknown> {
      let cmd: Cmd<unknown>;
      try {
        cmd = make(...args);
      } catch (err) {
        return Promise.reject(err); // bad arguments reject before anything is written
      }
      return this.run(cmd);
    },
    writable: true,
    configurable: true,
  });
}
