/**
 * `createPool()`: a bounded set of Redis connections. Callers lease one exclusively
 * (`acquire()`, `withConnection()`), or use the pool's own command API, which runs each command on
 * a connection nobody leased, pipelining onto busy ones. The options of its calls are in
 * options.ts, the `stats()` read-off in stats.ts, a blocking command's own connection in run-alone.ts.
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import { CommandApi } from "../client/api.ts";
import { Pipeline } from "../client/batch.ts";
import type { BytesReplies, EitherReplies } from "../client/bytes-typing.ts";
import type { Cmd } from "../client/spec.ts";
import { lookupCommand, needsOwnConnection, refusal } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { CommandWatcher } from "../conn/factory.ts";
import type { Hooks } from "../conn/hooks.ts";
import { Monitors, type Monitor } from "../conn/monitor.ts";
import { createLocator, type Locator } from "../topology/locator.ts";
import type { EventSink } from "./events.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { PoolEngine } from "./engine.ts";
import type { PoolEvents } from "./events.ts";
import { Lease } from "./lease.ts";
import type { Member } from "./members.ts";
import { resolvePoolOptions, type AcquireOptions, type PoolCloseOptions, type PoolOptions, type PoolWithin, type ResolvedPoolOptions } from "./options.ts";
import { runAlone } from "./run-alone.ts";
import { readStats, type PoolStats } from "./stats.ts";

export type { AcquireOptions, PoolCloseOptions } from "./options.ts";

/**
 * Let a watcher see every command the pool creates (see `CommandWatcher`): how a client's cache
 * hears of the writes on its dedicated connections. Internal: not exported by the package.
 */
export const watchCommands: unique symbol = Symbol("resplex.watchCommands");

/**
 * A connection pool with the full command API.
 *
 * @example
 * ```ts
 * const pool = createPool({ url: "redis://localhost:6379", max: 8 });
 * await pool.set("k", "v");                      // any free connection, pipelined
 * await pool.withConnection(async (lease) => {    // one connection for this block
 *   await lease.send(["WATCH", "k"]);
 *   return lease.multi().set("k", "w").exec();
 * });
 * await pool.close();
 * ```
 */
export class Pool extends CommandApi<PoolEvents> {
  readonly #engine: PoolEngine;
  readonly #monitors = new Monitors();
  /** Closed with the pool when the pool made it (not when it serves a client that owns it). */
  readonly #ownLocator: Locator | undefined;
  #closed: Promise<void> | undefined;

  /** @param within internal: the settings of the surface this pool serves (see {@link PoolWithin}) */
  constructor(options: PoolOptions | string = {}, within?: PoolWithin) {
    super();
    const resolved = resolvePoolOptions(options);
    if (within) resolved.connection = within.connection;
    this.#ownLocator = within ? undefined : createLocator(resolved.connection, resolved.topology);
    const sink: EventSink = {
      emit: (event, payload) => this.emit(event, payload),
      listens: (event) => this.listens(event),
    };
    this.#engine = new PoolEngine(resolved, sink, within?.locator ?? this.#ownLocator!, within?.role);
    this.#engine.kick(); // opens `min` connections
  }

  /** The options in force, defaults applied. */
  get options(): ResolvedPoolOptions {
    return this.#engine.options;
  }

  /** `false` once `close()` was called. */
  get isOpen(): boolean {
    return this.#engine.state === "open";
  }

  /**
   * Lease a connection for yourself. Waits (FIFO) when all `max` are in use, up to
   * `acquireTimeout` (then `PoolTimeoutError`, saying how many are in use and how many wait);
   * rejects at once with `LimitError` past `maxWaiters`, `AbortError` when `signal` aborts,
   * `ClosedError` after `close()`.
   *
   * @example
   * ```ts
   * await using lease = await pool.acquire({ signal: AbortSignal.timeout(1000) });
   * const job = await lease.send(["BLPOP", "jobs", 5]);
   * ```
   */
  async acquire(options: AcquireOptions = {}): Promise<Lease> {
    return this.#wrap(await this.#engine.acquire(options.signal));
  }

  /**
   * Run `fn` with a leased connection and release it afterwards, also when `fn` throws.
   *
   * @example
   * ```ts
   * const n = await pool.withConnection(async (lease) => {
   *   await lease.send(["SELECT", 2]); // the pool resets the db before anyone else gets it
   *   return lease.send(["DBSIZE"]);
   * });
   * ```
   */
  async withConnection<T>(fn: (lease: Lease) => Promise<T> | T, options?: AcquireOptions): Promise<T> {
    const lease = await this.acquire(options);
    try {
      return await fn(lease);
    } finally {
      await lease.release();
    }
  }

  /**
   * Run any command on a connection nobody leased. A blocking command (BLPOP, XREAD BLOCK, WAIT,
   * ...) takes a connection to itself for its duration, so it never delays other pool commands.
   *
   * @example
   * ```ts
   * await pool.send(["HSET", "h", "f", "v"]);
   * await pool.send(["BLPOP", "queue", 1]); // on a connection of its own
   * ```
   */
  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    const info = lookupCommand(args);
    // Connection state (SELECT, MULTI, ...) belongs on a lease: here the next command may take
    // another connection, and a pipelined one would inherit it.
    const refused = info?.rule && refusal(args, "pooled", info);
    if (refused) return Promise.reject(refused);
    const { factory, cache } = this.#engine;
    // Cached under the keys as Redis names them (prefixed) in its invalidations.
    const wire = factory.prefixed(args);
    const read = cache?.lookup(wire, info, options, options?.bytes ?? factory.bytesByDefault);
    if (read instanceof Promise) return read;
    const cmd = factory.createPrefixed(wire, options);
    if (needsOwnConnection(args, info)) return runAlone(this.#engine, cmd);
    if (read) cmd.listen(cache!.fill(read, cmd.promise));
    this.#engine.dispatch(cmd);
    return cmd.promise;
  }

  /**
   * The client-side cache (option `cache`): `clear()` and `stats()`; `undefined` without one.
   * Pool commands use it; a lease reads from Redis, and its writes drop cached entries.
   *
   * @example
   * ```ts
   * const pool = createPool({ url, cache: true });
   * pool.cache?.clear();
   * ```
   */
  get cache(): Cache | undefined {
    return this.#engine.cache;
  }

  /**
   * An explicit pipeline that runs on one connection, leased for it: its commands are written
   * together and in order, so a later command sees what an earlier one wrote.
   *
   * @example
   * ```ts
   * const [, value] = await pool.pipeline().set("k", "v").get("k").exec(); // "v", always
   * ```
   */
  override pipeline(): Pipeline {
    return this.#pipeline(undefined);
  }

  /** A pipeline on one lease, its commands sent with `options` (a view's). */
  #pipeline(options: CommandOptions | undefined): Pipeline {
    return new Pipeline((cmds) =>
      this.withConnection((lease) => {
        const on = options ? lease.with(options) : lease;
        return Promise.allSettled(cmds.map((cmd) => on.run(cmd)));
      })
    );
  }

  /** `MULTI ... EXEC` on a leased connection, released afterwards. */
  async transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    const lease = await this.acquire({ signal: options?.signal });
    try {
      return await lease.transaction(commands, options);
    } finally {
      await lease.release();
    }
  }

  /** A view (see {@link CommandApi.with}) also lends leases that carry its options, and waits for them under its signal. */
  protected override viewMembers(options: CommandOptions): Record<PropertyKey, unknown> {
    const underSignal = (given: AcquireOptions = {}): AcquireOptions =>
      options.signal && given.signal === undefined ? { ...given, signal: options.signal } : given;
    return {
      ...super.viewMembers(options),
      acquire: async (given?: AcquireOptions) => (await this.acquire(underSignal(given))).with(options),
      withConnection: <T>(fn: (lease: Lease) => Promise<T> | T, given?: AcquireOptions) =>
        this.withConnection((lease) => fn(lease.with(options)), underSignal(given)),
      pipeline: () => this.#pipeline(options),
    };
  }

  protected override resolveKeyPrefix(): string {
    return this.#engine.factory.keyPrefix;
  }

  /**
   * Watch every command the server runs (`MONITOR`), on a connection of its own, outside the pool
   * (it could run nothing else afterwards). Resolves once the server started sending them;
   * `return()` (or `break` in a `for await`) closes that connection, and so does `close()`.
   *
   * @example
   * ```ts
   * const monitor = await pool.monitor();
   * for await (const { args } of monitor) if (args[0] === "flushall") break;
   * ```
   */
  monitor(options: { signal?: AbortSignal } = {}): Promise<Monitor> {
    return this.#monitors.open(this.#engine.options.connection, options.signal);
  }

  /** Same as {@link Pool.withConnection}: `fn` gets a lease of its own. */
  isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    return this.withConnection(fn);
  }

  /**
   * Observe this pool from now on, next to the `hooks` it was created with: its commands (its leases' too), its connections and its waits. Returns a
   * function that removes them. `instrument()` of `resplex/otel` uses it.
   *
   * @example
   * ```ts
   * const remove = pool.addHooks({ command: ({ name }) => ({ durationMs }) => console.log(name, durationMs) });
   * // ... later
   * remove();
   * ```
   */
  addHooks(hooks: Hooks): () => void {
    return this.#engine.options.connection.hooks.add(hooks);
  }

  /**
   * The pool's state, read off its collections, with acquire-wait percentiles over the last 1024
   * acquires.
   *
   * @example
   * ```ts
   * const { total, idle, inUse, waiting } = pool.stats();
   * ```
   */
  stats(): PoolStats {
    return readStats(this.#engine);
  }

  /**
   * Close the pool: new acquires and commands reject with `ClosedError`, so do waiters; connects
   * in progress are aborted; idle connections close; leases get `timeout` ms to be released, then
   * their connections are destroyed. Resolves when no connection is left. Calling it again
   * returns the same promise.
   *
   * @example
   * ```ts
   * await pool.close({ timeout: 1000 });
   * ```
   */
  close(options: PoolCloseOptions = {}): Promise<void> {
    this.#closed ??= Promise.all([this.#engine.close(options.timeout ?? 5_000), this.#monitors.close()]).then(() => this.#ownLocator?.close());
    return this.#closed;
  }

  /** `await using pool = createPool(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Internal (see {@link watchCommands}). */
  [watchCommands](watcher: CommandWatcher): void {
    this.#engine.factory.watcher = watcher;
  }

  #wrap(member: Member): Lease {
    const engine = this.#engine;
    return new Lease(member.conn, engine.factory, (session) => engine.giveBack(member, session), () => member.retireReason);
  }
}

/**
 * Create a connection pool. Takes a URL or {@link PoolOptions} (every connection option too).
 *
 * @example
 * ```ts
 * import { createPool } from "resplex";
 * const pool = createPool({ url: "redis://localhost:6379", max: 16, min: 2 });
 * await pool.get("k");
 * ```
 */
export function createPool(options: PoolOptions & { decode: "bytes" }): BytesReplies<Pool>;
export function createPool(options: PoolOptions & { decode: "string" }): Pool;
export function createPool(options: PoolOptions & { decode: "string" | "bytes" }): EitherReplies<Pool>;
export function createPool(options?: PoolOptions | string): Pool;
export function createPool(options: PoolOptions | string = {}): Pool | BytesReplies<Pool> | EitherReplies<Pool> {
  return new Pool(options);
}
