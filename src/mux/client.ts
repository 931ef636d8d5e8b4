/**
 * The multiplexer: every caller shares one connection, and commands issued in the same tick leave
 * together (auto-pipelining; see conn/connection.ts). What would stall or corrupt a shared
 * connection goes elsewhere: blocking commands and `isolated()` to dedicated connections, pub/sub
 * to a subscriber connection.
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import { CommandApi } from "../client/api.ts";
import type { BytesReplies, EitherReplies } from "../client/bytes-typing.ts";
import type { Cmd } from "../client/spec.ts";
import { commandName, isReadOnly, lookupCommand, needsOwnConnection, refusal } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { EncodedRun, RawCommand } from "../conn/raw-command.ts";
import { CommandFactory } from "../conn/factory.ts";
import type { Hooks } from "../conn/hooks.ts";
import { Monitors, type Monitor } from "../conn/monitor.ts";
import { prepareTransaction } from "../conn/transaction.ts";
import { ClosedError } from "../errors.ts";
import { Pool, watchCommands } from "../pool/pool.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { createLocator, type Locator } from "../topology/locator.ts";
import { MuxCaching } from "./client-cache.ts";
import type { ClientEvents, ClientStats } from "./client-events.ts";
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from "./options.ts";
import { SharedConnection } from "./shared.ts";
import { Subscriber, type MessageListener, type SubscriptionKind } from "./subscriber.ts";

export type { ClientEvents, ClientStats } from "./client-events.ts";

/**
 * The method through which a worker owner writes its workers' encoded commands on the shared
 * connection (see `worker/raw.ts`). Internal: not exported by the package.
 */
export const writeRun: unique symbol = Symbol("resplex.writeRun");

/**
 * A Redis client that multiplexes every caller over one connection.
 *
 * @example
 * ```ts
 * const redis = createClient("redis://localhost:6379");
 * await redis.set("k", "v");
 * const [a, b] = await Promise.all([redis.get("k"), redis.incr("n")]); // one write, one round trip
 * await redis.close();
 * ```
 */
export class RedisClient extends CommandApi<ClientEvents> {
  readonly options: ResolvedClientOptions;
  #factory: CommandFactory;
  #locator: Locator;
  #shared: SharedConnection;
  /** With `readFrom` "replica" or "prefer-replica": the connection read-only commands go to. */
  #replica: SharedConnection | undefined;
  #subscriber: Subscriber | undefined;
  #dedicated: Pool | undefined;
  #monitors = new Monitors();
  /** The cache (option `cache`) and what feeds it. */
  readonly #caching: MuxCaching | undefined;
  #closing = false;

  constructor(options: string | ClientOptions = {}) {
    super();
    this.options = resolveClientOptions(options);
    const { connection } = this.options;
    this.#factory = new CommandFactory(connection, () => this.#shared.lastError);
    const caching = this.options.cache && new MuxCaching(this.options.cache, connection, this.options.reconnect, this.#factory, (err) => this.emit("error", err));
    this.#caching = caching;
    const opened = caching ? caching.connection : connection;
    this.#locator = createLocator(opened, this.options.topology);
    this.#locator.onSwitch((change) => this.emit("failover", change));
    this.#shared = new SharedConnection({
      connection: opened,
      locator: this.#locator,
      role: "master",
      reconnect: this.options.reconnect,
      maxPending: this.options.maxPending,
      lazy: this.options.lazyConnect,
      replaceOn: this.options.reconnectOnError,
      hooks: caching?.hooks,
      events: {
        connect: () => this.emit("connect", undefined),
        ready: (conn) => {
          caching?.connected(conn);
          this.emit("ready", undefined);
        },
        error: (err) => {
          caching?.lost();
          this.emit("error", err);
        },
        replaced: () => caching?.replaced(),
        reconnecting: (info) => this.emit("reconnecting", info),
        end: (error) => this.emit("end", { error }),
      },
    });
    if (this.options.topology.readFrom !== "master") {
      this.#replica = new SharedConnection({
        connection,
        locator: this.#locator,
        role: "replica",
        reconnect: this.options.reconnect,
        maxPending: this.options.maxPending,
        lazy: this.options.lazyConnect,
        replaceOn: this.options.reconnectOnError,
        events: { connect() {}, ready() {}, error: (err) => this.emit("error", err), reconnecting() {}, end() {} },
      });
    }
  }

  /**
   * Resolves once the client is connected and ready (at once if it is); with `lazyConnect` it
   * starts connecting. Rejects with the reason when the attempt fails — connection refused
   * (`ConnectionError`, its `cause` the system error), rejected credentials (the server's
   * `RedisError`, e.g. `WRONGPASS`), an untrusted certificate — or with `ClosedError` once the
   * client is closed. The client keeps retrying as `reconnect` says; call it again to wait for
   * the next attempt.
   *
   * @example
   * ```ts
   * const redis = createClient({ url: "redis://localhost:6379", lazyConnect: true });
   * try {
   *   await redis.connect();
   * } catch (err) {
   *   console.error("Redis is not reachable:", err);
   * }
   * ```
   */
  connect(): Promise<void> {
    if (this.#closing) return Promise.reject(new ClosedError("connect() refused: the client is closed"));
    return this.#shared.ready();
  }

  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    if (this.#closing) return Promise.reject(new ClosedError(`${commandName(args)} not sent: the client is closed`));
    const info = lookupCommand(args);
    if (info?.rule !== undefined) {
      const refused = refusal(args, "shared", info);
      if (refused) return Promise.reject(refused);
      if (needsOwnConnection(args, info)) return this.#dedicatedPool().send(args, options);
    }
    // Cached under the keys as Redis names them (prefixed) in its invalidations.
    const wire = this.#factory.prefixed(args);
    const read = this.#caching?.cache.lookup(wire, info, options, options?.bytes ?? this.#factory.bytesByDefault);
    if (read instanceof Promise) return read;
    const cmd = this.#factory.createPrefixed(wire, options);
    (this.#replica && isReadOnly(args) ? this.#readFrom(this.#replica) : this.#shared).write(cmd);
    if (read) cmd.listen(this.#caching!.cache.fill(read, cmd.promise));
    return cmd.promise;
  }

  /**
   * Where a read-only command goes: the replica connection, or with "prefer-replica" the master
   * while the replica connection is down (its attempts failed, and it is not ready).
   */
  #readFrom(replica: SharedConnection): SharedConnection {
    if (this.options.topology.readFrom === "replica" || replica.state === "ready") return replica;
    return replica.lastError === undefined && replica.state !== "closed" ? replica : this.#shared;
  }

  /**
   * The client-side cache (option `cache`): `clear()` and `stats()`; `undefined` without one.
   *
   * @example
   * ```ts
   * const redis = createClient({ url, cache: true });
   * redis.cache?.clear();
   * ```
   */
  get cache(): Cache | undefined {
    return this.#caching?.cache;
  }

  transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    if (this.#closing) return Promise.reject(new ClosedError("MULTI not sent: the client is closed"));
    try {
      const tx = prepareTransaction(commands, "shared", this.#factory, options);
      this.#shared.writeTogether(tx.commands, tx.bytes); // now, so calls reach the wire in call order
      return tx.result;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Run `fn` on a dedicated connection (for WATCH ... MULTI ... EXEC, or anything that changes
   * connection state). If that connection is lost, its commands fail; it is never silently replaced.
   *
   * @example
   * ```ts
   * await redis.isolated(async (c) => {
   *   await c.send(["WATCH", "balance"]);
   *   const balance = Number(await c.get("balance"));
   *   return c.multi().set("balance", balance - 10).exec(); // null if "balance" changed meanwhile
   * });
   * ```
   */
  isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    if (this.#closing) return Promise.reject(new ClosedError("isolated() refused: the client is closed"));
    return this.#dedicatedPool().isolated(fn);
  }

  protected override resolveKeyPrefix(): string {
    return this.#factory.keyPrefix;
  }

  /**
   * Watch every command the server runs (`MONITOR`), on a connection of its own. Resolves once
   * the server started sending them; `return()` (or `break` in a `for await`) closes that
   * connection, and so does `close()`. Rejects like a command would (`signal`, `commandTimeout`).
   *
   * @example
   * ```ts
   * for await (const { time, db, client, args } of await redis.monitor()) {
   *   console.log(time, db, client, args);
   * }
   * ```
   */
  monitor(options: { signal?: AbortSignal } = {}): Promise<Monitor> {
    if (this.#closing) return Promise.reject(new ClosedError("monitor() refused: the client is closed"));
    return this.#monitors.open(this.options.connection, options.signal);
  }

  /** Listen to channels. Resolves, once subscribed, to a function that unsubscribes this listener. */
  subscribe(channels: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("subscribe", channels, listener);
  }

  /** Listen to channels matching glob patterns; the listener also receives the pattern. */
  psubscribe(patterns: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("psubscribe", patterns, listener);
  }

  /** Listen to shard channels (Redis 7 `SSUBSCRIBE`). */
  ssubscribe(channels: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("ssubscribe", channels, listener);
  }

  /**
   * Observe this client from now on, next to the `hooks` it was created with: its commands (those on dedicated connections too) and every connection it opens. Returns a
   * function that removes them. `instrument()` of `resplex/otel` uses it.
   *
   * @example
   * ```ts
   * const remove = redis.addHooks({ command: ({ name }) => ({ durationMs }) => console.log(name, durationMs) });
   * // ... later
   * remove();
   * ```
   */
  addHooks(hooks: Hooks): () => void {
    return this.options.connection.hooks.add(hooks);
  }

  /** Current counters. */
  stats(): ClientStats {
    return {
      state: this.#shared.state,
      pending: this.#shared.pending,
      inFlight: this.#shared.connection?.inFlight ?? 0,
      subscriptions: this.#subscriber?.count ?? 0,
      dedicatedConnections: this.#dedicated?.stats().total ?? 0,
      ...(this.#caching && { cache: this.#caching.cache.stats() }),
    };
  }

  /** Stop taking commands, let those written finish (up to `timeout` ms), then close every connection. */
  async close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing = true;
    const timeout = options.timeout ?? 5_000;
    await Promise.all([
      this.#shared.close(timeout),
      this.#replica?.close(timeout),
      this.#subscriber?.close(),
      this.#dedicated?.close({ timeout }),
      this.#monitors.close(),
      this.#caching?.close(),
    ]);
    await this.#locator.close();
    this.#factory.deadlines.clear();
  }

  /** `await using redis = createClient(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Internal (see {@link writeRun}): write a run of commands a worker encoded, or queue them until connected. */
  [writeRun](run: EncodedRun, cmds: RawCommand[]): void {
    if (!this.#closing) return this.#shared.writeRun(run, cmds);
    for (const cmd of cmds) cmd.fail(new ClosedError(`${cmd.name} not sent: the client is closed`));
  }

  #subscribe(kind: SubscriptionKind, names: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    if (this.#closing) return Promise.reject(new ClosedError(`${kind} refused: the client is closed`));
    this.#subscriber ??= new Subscriber({
      connection: this.options.connection,
      locator: this.#locator,
      reconnect: this.options.reconnect,
      events: { error: (err) => this.emit("error", err) },
    });
    return this.#subscriber.subscribe(kind, typeof names === "string" ? [names] : names, listener);
  }

  #dedicatedPool(): Pool {
    this.#dedicated ??= new Pool(
      { reconnect: this.options.reconnect, max: this.options.maxBlockingConnections, min: 0 },
      { connection: this.options.connection, locator: this.#locator, role: "master" },
    );
    // Writes there (a BLMOVE, a transaction in isolated()) drop cached entries too.
    if (this.#caching) this.#dedicated[watchCommands](this.#caching.cache);
    return this.#dedicated;
  }
}

/**
 * Create a multiplexing client. It connects at once (on the first command or `connect()` with
 * `lazyConnect`) and reconnects by itself.
 *
 * @example
 * ```ts
 * const redis = createClient({ url: "redis://localhost:6379", commandTimeout: 2000 });
 * await redis.set("k", "v");
 * const raw = createClient({ url: "redis://localhost:6379", decode: "bytes" });
 * const value = await raw.get("k"); // typed Uint8Array | null (see BytesReplies)
 * ```
 */
export function createClient(options: ClientOptions & { decode: "bytes" }): BytesReplies<RedisClient>;
export function createClient(options: ClientOptions & { decode: "string" }): RedisClient;
export function createClient(options: ClientOptions & { decode: "string" | "bytes" }): EitherReplies<RedisClient>;
export function createClient(options?: string | ClientOptions): RedisClient;
export function createClient(options: string | ClientOptions = {}): RedisClient | BytesReplies<RedisClient> | EitherReplies<RedisClient> {
  return new RedisClient(options);
}
