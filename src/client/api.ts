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
import type { Cmd, Key } from "./spec.ts";
import type { PromiseMethod } from "./typing.ts";
import { watchTransaction, type WatchBody, type WatchOptions } from "./watch.ts";

export type { ReplyOf } from "./typing.ts";

/** One promise-returning method per typed command, with the overloads of its spec. */
export type CommandMethods = {
  [K in keyof CommandSpecs]: PromiseMethod<CommandSpecs[K]>;
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

  /** Send a described command and convert its reply. */
  run<T>(cmd: Cmd<T>, options?: CommandOptions): Promise<T> {
    const reply = this.send(cmd.args, cmd.bytes ? { ...options, bytes: true } : options);
    return (cmd.parse ? reply.then(cmd.parse) : reply) as Promise<T>;
  }

  /**
   * A view of this client whose commands all use `options` (a signal, a timeout, bytes replies).
   *
   * @example
   * ```ts
   * await redis.with({ signal: AbortSignal.timeout(100) }).get("k");
   * ```
   */
  with(options: CommandOptions): this {
    const view = Object.create(this) as this;
    const send = this.send.bind(this);
    const transaction = this.transaction.bind(this);
    view.send = (args, more) => send(args, more ? { ...options, ...more } : options);
    view.transaction = (cmds, more) => transaction(cmds, more ? { ...options, ...more } : options);
    // The surfaces keep their state in private fields, which only the object itself can read.
    view.isolated = this.isolated.bind(this);
    view.resolveKeyPrefix = this.resolveKeyPrefix.bind(this);
    return view;
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
    return withinPrefix(this.resolveKeyPrefix(), options.match, (match) => scanAll(this, ["SCAN"], { ...options, match }, extra, 1));
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
    return scanAll(this, ["HSCAN", key], options, [], 2);
  }

  /** Iterate a set's members with `SSCAN`. */
  sscanIterator(key: string | Uint8Array, options: ScanOptions = {}): AsyncGenerator<string> {
    return scanAll(this, ["SSCAN", key], options, [], 1);
  }

  /** Iterate a sorted set's `[member, score]` pairs with `ZSCAN`. */
  zscanIterator(key: string | Uint8Array, options: ScanOptions = {}): AsyncGenerator<[string, string]> {
    return scanAll(this, ["ZSCAN", key], options, [], 2);
  }
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
