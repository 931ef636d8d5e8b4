/**
 * One cluster node as the client uses it: a multiplexed, self-healing connection (the same
 * {@link SharedConnection} `createClient` uses, so deadlines, the bounded offline queue, backoff
 * and "never replay what was written" hold per node), a bounded pool of dedicated connections for
 * blocking commands and `isolated()`, and a subscriber connection. Each is opened on first use.
 *
 * With the client-side cache, the multiplexed connection (the one cached reads go over) runs
 * `CLIENT TRACKING ON` in its handshake and hands the node's invalidations to the cache; when it is
 * lost, or the node leaves the topology or changes role, the cache is emptied: invalidations this
 * node would have sent may be gone, and the node now serving its keys never saw this client read
 * them.
 * @module
 */
import type { ClientCache } from "../cache/cache.ts";
import { trackedConnection } from "../cache/tracking.ts";
import type { ResolvedReconnect } from "../conn/backoff.ts";
import { Command } from "../conn/command.ts";
import { startHeartbeat } from "../conn/liveness.ts";
import type { Connection } from "../conn/connection.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { SharedConnection } from "../mux/shared.ts";
import { Subscriber } from "../mux/subscriber.ts";
import { Pool, watchCommands } from "../pool/pool.ts";
import { FixedLocator } from "../topology/locator.ts";
import type { NodeSpec } from "./topology.ts";

/** What every node of one cluster client shares. */
export interface NodeSettings {
  /** Connection options; each node overrides host and port. */
  connection: ResolvedConnectionOptions;
  reconnect: ResolvedReconnect;
  maxPending: number;
  maxBlockingConnections: number;
  /** Send `READONLY` first on every multiplexed connection, so replicas serve reads. */
  readonly: boolean;
  /** The cluster client's cache (option `cache`), one for every node. */
  cache: ClientCache | undefined;
  /** A node's connection failed or was lost. */
  onError(node: ClusterNode, err: Error): void;
}

const ignore = () => {};

/** Connections to one node, opened lazily. */
export class ClusterNode {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly #settings: NodeSettings;
  readonly #options: ResolvedConnectionOptions;
  /** This node's address for every connection to it: the cluster, not a locator, follows failovers. */
  readonly #locator: FixedLocator;
  /** The multiplexed connection's: with a cache, its handshake turns tracking on (only there: other connections carry no cached reads). */
  readonly #sharedLocator: FixedLocator;
  #role: NodeSpec["role"];
  #shared: SharedConnection | undefined;
  #dedicated: Pool | undefined;
  #subscriber: Subscriber | undefined;
  #closed = false;

  constructor(spec: NodeSpec, settings: NodeSettings) {
    this.address = spec.address;
    this.host = spec.host;
    this.port = spec.port;
    this.#role = spec.role;
    this.#settings = settings;
    this.#options = { ...settings.connection, host: spec.host, port: spec.port, path: undefined };
    this.#locator = new FixedLocator(this.#options);
    const cache = settings.cache;
    this.#sharedLocator = cache ? new FixedLocator(trackedConnection(this.#options, cache.options)) : this.#locator;
  }

  /** Its role in the slot map last applied. */
  get role(): NodeSpec["role"] {
    return this.#role;
  }

  /**
   * The slot map says it is `role` now. A master demoted to replica no longer serves the keys this
   * client read from it, and the one promoted in its place never saw them read. Redis 7 still
   * invalidates them on the demoted node as it replicates the new master's writes (what the
   * failover test sees), but nothing promises it: the cache is emptied.
   */
  assignRole(role: NodeSpec["role"]): void {
    if (role !== this.#role && this.#shared !== undefined) this.#settings.cache?.flush();
    this.#role = role;
  }

  /** The multiplexed connection (opened now if needed; a new one if the last gave up). */
  get shared(): SharedConnection {
    if (this.#shared === undefined || this.#shared.state === "closed" && !this.#closed) this.#shared = this.#openShared();
    return this.#shared;
  }

  /** True while the multiplexed connection is open and past its handshake. */
  get ready(): boolean {
    return this.#shared?.state === "ready";
  }

  /** The live multiplexed connection, if one is up (nothing is opened). */
  get connection(): Connection | undefined {
    return this.#shared?.connection;
  }

  /** Write (or queue) `cmd` on the multiplexed connection. */
  write(cmd: Command): void {
    this.shared.write(cmd);
  }

  /** Dedicated connections for blocking commands and `isolated()`, at most `maxBlockingConnections`. */
  get dedicated(): Pool {
    this.#dedicated ??= new Pool({
      ...this.#options,
      reconnect: this.#settings.reconnect,
      max: this.#settings.maxBlockingConnections,
      min: 0,
    });
    // Writes there (blocking commands, isolated(), watch()) drop cached entries too, and again once answered.
    if (this.#settings.cache) this.#dedicated[watchCommands](this.#settings.cache);
    return this.#dedicated;
  }

  /** This node's subscriber connection. */
  get subscriber(): Subscriber {
    this.#subscriber ??= new Subscriber({
      connection: this.#options,
      locator: this.#locator,
      reconnect: this.#settings.reconnect,
      events: { error: (err) => this.#settings.onError(this, err) },
    });
    return this.#subscriber;
  }

  /** Counters for `stats()`. */
  stats(): { address: string; role: NodeSpec["role"]; state: SharedConnection["state"] | "idle"; pending: number; inFlight: number; dedicatedConnections: number } {
    return {
      address: this.address,
      role: this.role,
      state: this.#shared?.state ?? "idle",
      pending: this.#shared?.pending ?? 0,
      inFlight: this.#shared?.connection?.inFlight ?? 0,
      dedicatedConnections: this.#dedicated?.stats().total ?? 0,
    };
  }

  /**
   * Close every connection. Commands queued on it reject with `ClosedError` while unsent, which a
   * {@link ClusterCommand} turns into a new route; written ones get their replies (up to `timeoutMs`).
   */
  async close(timeoutMs = 5_000): Promise<void> {
    this.#closed = true;
    // Its slots are served elsewhere now (or the client closes): nothing will invalidate what was read here.
    if (this.#shared !== undefined) this.#settings.cache?.flush();
    await Promise.all([
      this.#shared?.close(timeoutMs),
      this.#dedicated?.close({ timeout: timeoutMs }),
      this.#subscriber?.close(),
    ]);
  }

  #openShared(): SharedConnection {
    const settings = this.#settings;
    const cache = settings.cache;
    return new SharedConnection({
      connection: this.#options,
      locator: this.#sharedLocator,
      role: "master",
      reconnect: settings.reconnect,
      maxPending: settings.maxPending,
      hooks: cache && { onPush: (push) => cache.onPush(push), callersServed: () => cache.hits },
      events: {
        connect: ignore,
        ready: (conn) => {
          // Written before anything queued meanwhile, so it is in effect for every command after it.
          if (settings.readonly) sendReadonly(conn);
          // Cache hits send nothing: without a PING now and then, a master that froze with its
          // socket open goes unnoticed, and its keys are served from memory while a replica takes
          // over and other clients write there.
          if (cache) startHeartbeat(conn);
        },
        error: (err) => {
          // The invalidations sent while it was down are lost. Reads sent from now on go over the
          // next connection, tracked from its handshake on.
          cache?.flush();
          settings.onError(this, err);
        },
        reconnecting: ignore,
        end: ignore,
      },
    });
  }
}

function sendReadonly(conn: Connection): void {
  const cmd = new Command(["READONLY"], false, 0);
  cmd.promise.catch(ignore); // a master answers OK too; a failure shows as MOVED on the reads after it
  conn.write(cmd);
}
