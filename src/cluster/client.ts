/**
 * `createCluster()`: the command API of `createClient()` over a Redis Cluster. Each command goes
 * to the node serving its key's slot, over that node's multiplexed connection (auto-pipelined like
 * `createClient`'s); blocking commands and `isolated()` use the node's dedicated connections.
 * With the `cache` option, reads are answered from one client-side cache that every node's
 * multiplexed connection keeps fresh (see node.ts, cache.ts).
 * @module
 */
import type { Cache } from "../cache/cache.ts";
import { CommandApi } from "../client/api.ts";
import type { BytesReplies, EitherReplies } from "../client/bytes-typing.ts";
import type { ScanOptions } from "../client/scan.ts";
import type { Cmd, Key } from "../client/spec.ts";
import type { MultiResults } from "../client/batch.ts";
import type { WatchBody, WatchOptions } from "../client/watch.ts";
import { overView } from "../client/view-options.ts";
import { commandName, lookupCommand, refusal } from "../commands/lookup.ts";
import { prefixKeys } from "../commands/prefix.ts";
import type { CommandOptions } from "../conn/command.ts";
import { CommandFactory } from "../conn/factory.ts";
import { ClosedError } from "../errors.ts";
import type { MessageListener, SubscriptionKind } from "../mux/subscriber.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from "./options.ts";
import { readClusterStats, topologyEvent, type ClusterEvents, type ClusterStats } from "./client-events.ts";
import type { Route } from "./command.ts";
import { runClusterTransaction, sendBlocking } from "./follow.ts";
import { NodeLending } from "./lending.ts";
import type { NodeClient } from "./node-client.ts";
import { ClusterPubSub } from "./pubsub.ts";
import { keyIndexes, routeOf } from "./route.ts";
import { Router } from "./router.ts";
import { keySlot } from "./slot.ts";
import { mergeReplies, splitBySlot } from "./split.ts";

export type { ClusterEvents, ClusterStats } from "./client-events.ts";

/**
 * A Redis Cluster client with the command API of `createClient()`.
 *
 * @example
 * ```ts
 * const cluster = createCluster({ nodes: ["redis://127.0.0.1:7000"] });
 * await cluster.set("user:1", "ada");                   // to the master of slot keySlot("user:1")
 * const [a, b] = await cluster.mget("user:1", "user:2"); // split by slot, merged in order
 * await cluster.close();
 * ```
 */
export class RedisCluster extends CommandApi<ClusterEvents> {
  readonly options: ResolvedClusterOptions;
  readonly #router: Router;
  /** Plain commands for transactions: their MOVED replies are read by transaction(), not followed one by one. */
  readonly #plain: CommandFactory;
  readonly #pubsub: ClusterPubSub;
  readonly #lending: NodeLending;
  /** The `keyPrefix` option, `""` for none. */
  readonly #prefix: string;
  #closing = false;

  constructor(options: ClusterOptions) {
    super();
    this.options = resolveClusterOptions(options);
    const { connection } = this.options;
    this.#plain = new CommandFactory(connection);
    this.#prefix = this.#plain.keyPrefix;
    this.#router = new Router(this.options, {
      error: (err) => this.emit("error", err),
      topology: (map) => {
        this.#pubsub.follow();
        if (this.listens("topology")) this.emit("topology", topologyEvent(map));
      },
    });
    this.#pubsub = new ClusterPubSub(this.#router, (err) => this.emit("error", err));
    this.#lending = new NodeLending(this.#router, this.#plain, () => this.#closing);
    // Transactions and nodes' clients write through it: their writes drop cached entries too.
    this.#plain.watcher = this.#router.cache;
  }

  send(given: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    if (this.#closing) return Promise.reject(new ClosedError(`${commandName(given)} not sent: the cluster client is closed`));
    const info = lookupCommand(given);
    const refused = info?.rule === undefined ? undefined : refusal(given, "shared", info);
    if (refused) return Promise.reject(refused);
    let args: readonly Arg[];
    let route: Route;
    try {
      args = this.#prefix ? prefixKeys(given, this.#prefix) : given; // the slot is the prefixed key's
      route = routeOf(args, info);
    } catch (err) {
      return Promise.reject(err);
    }
    const { cache, factory } = this.#router;
    // Cached under the keys as Redis names them in its invalidations: prefixed.
    const read = cache?.lookup(args, info, options, options?.bytes ?? factory.bytesByDefault);
    if (read instanceof Promise) return read;
    if (route.dedicated) return sendBlocking(this.#router, given, route, options); // the node's pool prefixes
    const cmd = factory.create(args, route, options);
    if (read) cmd.listen(cache!.fill(read, cmd.promise));
    this.#router.dispatch(cmd);
    return cmd.promise;
  }

  /**
   * The client-side cache (option `cache`): `clear()` and `stats()`; `undefined` without one.
   *
   * @example
   * ```ts
   * const cluster = createCluster({ nodes: ["redis://127.0.0.1:7000"], cache: { maxEntries: 10_000 } });
   * await cluster.get("config"); await cluster.get("config"); // the second from memory
   * cluster.cache?.stats().hits;                               // 1
   * ```
   */
  get cache(): Cache | undefined {
    return this.#router.cache;
  }

  /**
   * Send a described command. The typed `mget`, `mset`, `del`, `unlink`, `exists` and `touch`
   * (also in a `pipeline()`) whose keys span slots are split into one command per slot, sent
   * together, and their replies merged in call order — not atomic across slots.
   */
  override run<T, B>(cmd: Cmd<T, B>, options?: CommandOptions): Promise<T> {
    const split = splitBySlot(cmd.args, keyIndexes, (key) => this.#slotOf(key));
    if (!split) return super.run(cmd, options);
    const parts = split.parts.map((part) => super.run({ ...cmd, args: part.args }, options));
    return Promise.all(parts).then((replies) => mergeReplies(split, replies) as T);
  }

  /**
   * `MULTI ... EXEC` on the master of the one slot all its keys hash to. Keys in several slots
   * reject with a `CROSSSLOT` `RedisError` before anything is written. A transaction the server
   * refused because its slot moved (every command answered `MOVED`, so nothing ran) is sent again
   * to the new owner.
   */
  transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    if (this.#closing) return Promise.reject(new ClosedError("MULTI not sent: the cluster client is closed"));
    return runClusterTransaction(this.#router, this.#plain, commands, options);
  }

  /** In a cluster, give the key whose master should lend the connection: `isolated(key, fn)`. */
  isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T>;
  /**
   * Run `fn` on a dedicated connection to the master of `key`'s slot (for `WATCH` ... `MULTI`):
   * every key `fn` touches must hash to that slot (use a hash tag: `{user:1}:balance`).
   *
   * @example
   * ```ts
   * await cluster.isolated("{acct:7}:balance", async (c) => {
   *   await c.send(["WATCH", "{acct:7}:balance"]);
   *   const balance = Number(await c.get("{acct:7}:balance"));
   *   return c.multi().set("{acct:7}:balance", balance - 10).exec(); // null if it changed meanwhile
   * });
   * ```
   */
  isolated<T>(key: Arg, fn: (connection: CommandApi) => Promise<T>): Promise<T>;
  async isolated<T>(keyOrFn: Arg | ((connection: CommandApi) => Promise<T>), maybeFn?: (connection: CommandApi) => Promise<T>): Promise<T> {
    if (typeof keyOrFn === "function" || typeof maybeFn !== "function") {
      throw new TypeError("isolated(): in a cluster, give the key whose master lends the connection: isolated(key, fn)");
    }
    if (this.#closing) throw new ClosedError("isolated() refused: the cluster client is closed");
    return this.#lending.isolated(this.#slotOf(keyOrFn), maybeFn);
  }

  /**
   * An optimistic transaction (`WATCH keys`, read, `MULTI ... EXEC`, again if a key changed) on a
   * dedicated connection to the master of the keys' slot; keys in several slots reject with
   * `CROSSSLOT` before anything is sent.
   *
   * @example
   * ```ts
   * const [, left] = await cluster.watch("{acct:7}:balance", async (tx) => {
   *   const balance = Number(await tx.get("{acct:7}:balance"));
   *   return tx.multi().set("{acct:7}:balance", balance - 10).get("{acct:7}:balance");
   * });
   * ```
   */
  override watch<T extends unknown[]>(keys: Key | readonly Key[], fn: WatchBody<T>, options?: WatchOptions): Promise<MultiResults<T>> {
    return this.#lending.watch(keys, fn, options);
  }

  /** Listen to channels (on one node: Redis forwards every `PUBLISH` to all). Resolves to a function that unsubscribes this listener. */
  subscribe(channels: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("subscribe", channels, listener);
  }

  /** Listen to channels matching glob patterns; the listener also receives the pattern. */
  psubscribe(patterns: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("psubscribe", patterns, listener);
  }

  /**
   * Listen to shard channels (`SSUBSCRIBE`, Redis 7) on the master of each channel's slot; the
   * subscription follows the slot through reshardings and failovers.
   *
   * @example
   * ```ts
   * const off = await cluster.ssubscribe("orders:{eu}", (message) => console.log(message));
   * await cluster.send(["SPUBLISH", "orders:{eu}", "new order"]);
   * await off();
   * ```
   */
  ssubscribe(channels: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("ssubscribe", channels, listener);
  }

  /**
   * A client per node with `role` (`"master"`, `"replica"` or `"all"`), once the topology is known:
   * for commands that concern nodes rather than keys (`FLUSHALL`, `SCRIPT LOAD`, `INFO`).
   *
   * @example
   * ```ts
   * await Promise.all((await cluster.nodes("master")).map((node) => node.send(["SCRIPT", "LOAD", lua])));
   * ```
   */
  nodes(role: "master" | "replica" | "all" = "master"): Promise<NodeClient[]> {
    return this.#lending.clients(role);
  }

  /** Iterate the keyspace of every master in turn with `SCAN` (each key once, if no slot moves meanwhile). */
  override scanIterator(options: ScanOptions & { type?: string } = {}): AsyncGenerator<string> {
    return this.#lending.scan(options);
  }

  /**
   * A `with()` view also applies its options to what the cluster's own methods send: split
   * commands (`run`), `isolated(key, fn)`, each master's `SCAN`, and the node clients `nodes()` lends.
   */
  protected override viewMembers(options: CommandOptions): Record<PropertyKey, unknown> {
    return {
      ...super.viewMembers(options),
      run: <T, B>(cmd: Cmd<T, B>, more?: CommandOptions) => this.run(cmd, overView(options, more)),
      nodes: async (role?: "master" | "replica" | "all") => (await this.nodes(role)).map((node) => node.with(options)),
      isolated: <T>(key: Arg, fn: (connection: CommandApi) => Promise<T>) => this.isolated(key, (connection) => fn(connection.with(options))),
      scanIterator: (scan: ScanOptions & { type?: string } = {}) => this.#lending.scan(scan, options),
      watch: <T extends unknown[]>(keys: Key | readonly Key[], fn: WatchBody<T>, watch?: WatchOptions) => this.#lending.watch(keys, fn, watch, options),
    };
  }

  protected override resolveKeyPrefix(): string {
    return this.#prefix;
  }

  /** Counters read off the router and every node. */
  stats(): ClusterStats {
    return readClusterStats(this.#router, this.#pubsub.count);
  }

  /** Stop taking commands, let those written finish (up to `timeout` ms), then close every node's connections. */
  async close(options: { timeout?: number } = {}): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    await this.#router.close(options.timeout ?? 5_000);
    this.#plain.deadlines.clear();
    this.emit("end", {});
  }

  /** `await using cluster = createCluster(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The slot `key` hashes to once the `keyPrefix` is put in front of it. */
  #slotOf(key: Arg): number {
    return keySlot(this.#prefix ? prefixKeys(["EXISTS", key], this.#prefix)[1]! : key);
  }

  #subscribe(kind: SubscriptionKind, names: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    if (this.#closing) return Promise.reject(new ClosedError(`${kind} refused: the cluster client is closed`));
    return this.#pubsub.subscribe(kind, typeof names === "string" ? [names] : names, listener);
  }
}

/**
 * Create a Redis Cluster client. It reads the topology from the first seed that answers, and
 * connects to each node when a command first needs it.
 *
 * @example
 * ```ts
 * import { createCluster } from "resplex";
 * const cluster = createCluster({ nodes: [{ host: "127.0.0.1", port: 7000 }], readFrom: "replica" });
 * await cluster.set("k", "v");
 * console.log(await cluster.get("k")); // from a replica of k's slot
 * await cluster.close();
 * const raw = createCluster({ nodes: [{ host: "127.0.0.1", port: 7000 }], decode: "bytes" });
 * const value = await raw.get("k"); // typed Uint8Array | null (see BytesReplies)
 * ```
 */
export function createCluster(options: ClusterOptions & { decode: "bytes" }): BytesReplies<RedisCluster>;
export function createCluster(options: ClusterOptions & { decode: "string" }): RedisCluster;
export function createCluster(options: ClusterOptions & { decode: "string" | "bytes" }): EitherReplies<RedisCluster>;
export function createCluster(options: ClusterOptions): RedisCluster;
export function createCluster(options: ClusterOptions): RedisCluster | BytesReplies<RedisCluster> | EitherReplies<RedisCluster> {
  return new RedisCluster(options);
}
