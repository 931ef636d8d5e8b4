/**
 * The multiplexer: every caller shares one connection, and commands issued in the same tick leave
 * as one write (auto-pipelining). What would stall or corrupt a shared connection goes elsewhere:
 * blocking commands and `isolated()` to dedicated connections, pub/sub to a subscriber connection.
 * @module
 */
import { ClientCache, type Cache } from "../cache/cache.ts";
import type { CacheStats } from "../cache/store.ts";
import { RedirectedTracking } from "../cache/redirect.ts";
import { trackedConnection } from "../cache/tracking.ts";
import { CommandApi } from "../client/api.ts";
import type { Cmd } from "../client/spec.ts";
import { commandName, lookupCommand, needsOwnConnection, refusal } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { EncodedRun, RawCommand } from "../conn/raw-command.ts";
import { CommandFactory } from "../conn/factory.ts";
import { prepareTransaction } from "../conn/transaction.ts";
import { ClosedError } from "../errors.ts";
import { createPool, watchCommands, type Pool } from "../pool/pool.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from "./options.ts";
import { SharedConnection } from "./shared.ts";
import { Subscriber, type MessageListener, type SubscriptionKind } from "./subscriber.ts";

/** Events of a {@link RedisClient}. */
export interface ClientEvents {
  [event: string]: unknown;
  /** A socket connected (the handshake runs next). */
  connect: void;
  /** The handshake finished; commands flow. */
  ready: void;
  /** A connection failed or was lost. The client keeps reconnecting unless told otherwise. */
  error: Error;
  /** The next connection attempt is scheduled. */
  reconnecting: { attempt: number; delay: number; error: Error };
  /** The client closed (by `close()`, or after giving up); `error` says why if it gave up. */
  end: { error?: Error };
}

/** Counters of a {@link RedisClient}, read off its state. */
export interface ClientStats {
  state: SharedConnection["state"];
  /** Commands waiting for a connection. */
  pending: number;
  /** Commands written, awaiting replies, on the shared connection. */
  inFlight: number;
  /** Channels and patterns subscribed. */
  subscriptions: number;
  /** Dedicated connections open for blocking commands and `isolated()`. */
  dedicatedConnections: number;
  /** The client-side cache's counters, when the client has one (option `cache`). */
  cache?: CacheStats;
}

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
  #shared: SharedConnection;
  #subscriber: Subscriber | undefined;
  #dedicated: Pool | undefined;
  readonly #cache: ClientCache | undefined;
  readonly #redirect: RedirectedTracking | undefined;
  #closing = false;

  constructor(options: string | ClientOptions = {}) {
    super();
    this.options = resolveClientOptions(options);
    const { connection } = this.options;
    this.#factory = new CommandFactory(connection.commandTimeout, connection.decode === "bytes", connection.hooks, () => this.#shared.lastError);
    // RESP3: invalidations arrive on the shared connection, in order with its replies. RESP2:
    // on a connection of their own, which the shared connection's tracking redirects to.
    const pushes = connection.protocol === 3;
    const cache = this.options.cache && new ClientCache(this.options.cache, connection.hooks, pushes);
    this.#cache = cache;
    if (cache) this.#factory.watcher = cache.inOrder; // a write through any entry point drops its keys' entries
    const redirect = cache && !pushes ? new RedirectedTracking(cache, cache.options, connection, this.options.reconnect, (err) => this.emit("error", err)) : undefined;
    this.#redirect = redirect;
    this.#shared = new SharedConnection({
      connection: cache && pushes ? trackedConnection(connection, cache.options) : connection,
      reconnect: this.options.reconnect,
      maxPending: this.options.maxPending,
      hooks: cache && pushes ? { onPush: (push) => cache.onPush(push) } : undefined,
      events: {
        connect: () => this.emit("connect", undefined),
        ready: (conn) => {
          redirect?.connected(conn);
          this.emit("ready", undefined);
        },
        error: (err) => {
          // A lost connection (told here at once) loses the invalidations sent meanwhile: what
          // was cached may be stale. Reads sent from now on go over the next connection, tracked
          // from its handshake on (RESP3) or once its tracking is redirected (RESP2).
          cache?.flush();
          redirect?.disconnected();
          this.emit("error", err);
        },
        reconnecting: (info) => this.emit("reconnecting", info),
        end: (error) => this.emit("end", { error }),
      },
    });
  }

  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    if (this.#closing) return Promise.reject(new ClosedError(`${commandName(args)} not sent: the client is closed`));
    const info = lookupCommand(args);
    if (info?.rule !== undefined) {
      const refused = refusal(args, "shared", info);
      if (refused) return Promise.reject(refused);
      if (needsOwnConnection(args, info)) return this.#dedicatedPool().send(args, options);
    }
    const read = this.#cache?.lookup(args, info, options, options?.bytes ?? this.#factory.bytesByDefault);
    if (read instanceof Promise) return read;
    const cmd = this.#factory.create(args, options);
    this.#shared.write(cmd);
    if (read) cmd.listener = this.#cache!.fill(read, cmd.promise);
    return cmd.promise;
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
    return this.#cache;
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

  /** Current counters. */
  stats(): ClientStats {
    return {
      state: this.#shared.state,
      pending: this.#shared.pending,
      inFlight: this.#shared.connection?.inFlight ?? 0,
      subscriptions: this.#subscriber?.count ?? 0,
      dedicatedConnections: this.#dedicated?.stats().total ?? 0,
      ...(this.#cache && { cache: this.#cache.stats() }),
    };
  }

  /** Stop taking commands, let those written finish (up to `timeout` ms), then close every connection. */
  async close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing = true;
    const timeout = options.timeout ?? 5_000;
    await Promise.all([
      this.#shared.close(timeout),
      this.#subscriber?.close(),
      this.#dedicated?.close({ timeout }),
      this.#redirect?.close(),
    ]);
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
      reconnect: this.options.reconnect,
      events: { error: (err) => this.emit("error", err) },
    });
    return this.#subscriber.subscribe(kind, typeof names === "string" ? [names] : names, listener);
  }

  #dedicatedPool(): Pool {
    this.#dedicated ??= createPool({
      ...this.options.connection,
      reconnect: this.options.reconnect,
      max: this.options.maxBlockingConnections,
      min: 0,
    });
    // Writes there (a BLMOVE, a transaction in isolated()) drop cached entries too.
    if (this.#cache) this.#dedicated[watchCommands](this.#cache);
    return this.#dedicated;
  }
}

/**
 * Create a multiplexing client. It connects at once and reconnects by itself.
 *
 * @example
 * ```ts
 * const redis = createClient({ url: "redis://localhost:6379", commandTimeout: 2000 });
 * await redis.set("k", "v");
 * ```
 */
export function createClient(options: string | ClientOptions = {}): RedisClient {
  return new RedisClient(options);
}
