/**
 * Pool options: sizing, waiting, eviction, health checks and leak reporting, on top of every
 * connection option. Defaults follow what users of redis-py, go-redis and node-redis expect.
 * Beside them, the options of a pool's own calls (`acquire()`, `close()`) and the settings a pool
 * takes from the surface it serves (`PoolWithin`); `pool.ts` re-exports the public ones.
 * @module
 */
import { resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from "../cache/options.ts";
import { trackedConnection } from "../cache/tracking.ts";
import { resolveReconnect, type ReconnectOptions, type ReconnectStrategy, type ResolvedReconnect } from "../conn/backoff.ts";
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from "../conn/options.ts";
import type { RedisError } from "../errors.ts";
import type { Locator, Role } from "../topology/locator.ts";
import { splitTopology, type ResolvedTopology, type TopologyOptions } from "../topology/options.ts";

/**
 * When and how the pool checks a connection before handing it out again.
 *
 * @example
 * ```ts
 * createPool({ url, healthCheck: { idleTime: 10_000, timeout: 500 } }); // or healthCheck: false
 * ```
 */
export interface HealthCheckOptions {
  /**
   * A connection idle at least this long (ms) is `PING`ed before it is used. Default `30000`.
   * Half-open sockets (a NAT or firewall dropped the flow) send no FIN; only traffic finds them.
   */
  idleTime?: number;
  /** How long the `PING` may take, ms, before the connection is replaced. Default `2000`. */
  timeout?: number;
}

/**
 * Options of {@link createPool}: every {@link ConnectionOptions} field, where to connect
 * (`sentinel`; `readFrom` and `replicas` are the multiplexer's), plus the pool's own.
 *
 * @example
 * ```ts
 * const pool = createPool({ url: "redis://localhost:6379", max: 16, min: 2, acquireTimeout: 1000 });
 * ```
 */
export interface PoolOptions extends ConnectionOptions, Pick<TopologyOptions, "sentinel"> {
  /** Most connections open at once, counting those being opened and closed. Default `10`. */
  max?: number;
  /** Connections opened at start and kept open (refilled after losses). Default `0`. */
  min?: number;
  /** How long `acquire()` (and a pool command that found no connection) waits, ms; `0` waits forever. Default `5000`. */
  acquireTimeout?: number;
  /** Most callers waiting for a connection; past it `acquire()` rejects at once with `LimitError`. Default `10000`. */
  maxWaiters?: number;
  /** Close connections idle this long (ms) while more than `min` are open; `0` never. Default `30000`. */
  idleTimeout?: number;
  /**
   * Retire connections after about this long (ms); `0` never. Each connection draws its own
   * lifetime between 90% and 100% of it, so connections opened together do not expire together.
   * Default `0`.
   */
  maxLifetime?: number;
  /** `PING` connections that sat idle before handing them out; `false` disables. Default on (see {@link HealthCheckOptions}). */
  healthCheck?: HealthCheckOptions | boolean;
  /** Emit `"leak"` for a lease held longer than this (ms), with the stack that acquired it; `0` never. Default `0`. */
  leakTimeout?: number;
  /**
   * Backoff between failed connects (jittered, see `ReconnectOptions`), or a function
   * `(attempt, lastError) => delayMs | false` (see `ReconnectStrategy`). After `maxAttempts`
   * failed connects in a row (or once the function says `false`) the pool stops retrying on its
   * own to refill `min`; a caller asking for a connection always gets a new attempt once the
   * current delay has passed. `false`: no background retries.
   */
  reconnect?: ReconnectOptions | ReconnectStrategy | false;
  /**
   * Whether an error reply means its connection should be replaced (ioredis's option): return
   * `true` and the pool closes that connection once it is idle again (a lease's, when released).
   * Under Sentinel `READONLY`, `LOADING`, `MASTERDOWN` and `UNBLOCKED` replies do this anyway.
   *
   * @example
   * ```ts
   * createPool({ url, reconnectOnError: (err) => err.code === "READONLY" });
   * ```
   */
  reconnectOnError?: (err: RedisError) => boolean;
  /**
   * Keep replies of read-only pool commands in memory, invalidated by Redis (`CLIENT TRACKING` on
   * every pool connection) when their keys change; `true` for the defaults. Off by default; RESP3
   * only. See {@link CacheOptions}.
   */
  cache?: CacheOptions | boolean;
}

/**
 * Options of {@link Pool.acquire}.
 *
 * @example
 * ```ts
 * const lease = await pool.acquire({ signal: AbortSignal.timeout(250) });
 * ```
 */
export interface AcquireOptions {
  /** Aborting while waiting rejects with `AbortError` and leaves the queue. */
  signal?: AbortSignal;
}

/**
 * Options of {@link Pool.close}.
 *
 * @example
 * ```ts
 * await pool.close({ timeout: 1000 }); // leases not back within 1 s are destroyed
 * ```
 */
export interface PoolCloseOptions {
  /** How long to wait for leases to be released and replies to arrive, ms. Default `5000`. */
  timeout?: number;
}

/**
 * Internal: a pool opened by another surface (the multiplexer's connections for blocking commands
 * and `isolated()`) takes that surface's connection settings as they were resolved, rather than
 * resolving them again from options (an unset `protocol` would not stay unset).
 *
 * @example
 * ```ts
 * new Pool({ max: 32 }, { connection: client.options.connection });
 * ```
 */
export interface PoolWithin {
  connection: ResolvedConnectionOptions;
  /** The surface's locator (the pool follows its failovers, and leaves closing it to its owner). */
  locator: Locator;
  role: Role;
}

/**
 * {@link PoolOptions} with every default applied.
 *
 * @example
 * ```ts
 * const { max, connection } = resolvePoolOptions({ url: "redis://localhost:6379/2" }); // 10, db 2
 * ```
 */
export interface ResolvedPoolOptions {
  connection: ResolvedConnectionOptions;
  topology: ResolvedTopology;
  reconnectOnError: ((err: RedisError) => boolean) | undefined;
  max: number;
  min: number;
  acquireTimeout: number;
  maxWaiters: number;
  idleTimeout: number;
  maxLifetime: number;
  healthCheck: Required<HealthCheckOptions> | undefined;
  leakTimeout: number;
  reconnect: ResolvedReconnect;
  cache: ResolvedCacheOptions | undefined;
}

const POOL_KEYS = ["max", "min", "acquireTimeout", "maxWaiters", "idleTimeout", "maxLifetime", "healthCheck", "leakTimeout", "reconnect", "reconnectOnError", "cache"] as const;

function integer(name: string, value: number, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new TypeError(`option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function duration(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`option ${name} must be a number of ms >= 0, got ${String(value)}`);
  }
  return value;
}

/**
 * Apply defaults and validate; throws `TypeError` naming the bad option. A string is a URL.
 *
 * @example
 * ```ts
 * resolvePoolOptions("redis://localhost:6379").max; // 10
 * ```
 */
export function resolvePoolOptions(input: PoolOptions | string = {}): ResolvedPoolOptions {
  const { options: given, topology } = splitTopology<PoolOptions>(typeof input === "string" ? { url: input } : input);
  if (topology.readFrom !== "master" || topology.replicas.length > 0) {
    throw new TypeError("options readFrom and replicas are the multiplexer's (createClient): a pool lends master connections");
  }
  if (given.reconnectOnError !== undefined && typeof given.reconnectOnError !== "function") throw new TypeError("option reconnectOnError must be a function");
  const connectionOnly: Record<string, unknown> = { ...given };
  for (const key of POOL_KEYS) delete connectionOnly[key];
  const max = integer("max", given.max ?? 10, 1);
  const min = integer("min", given.min ?? 0, 0);
  if (min > max) throw new TypeError(`option min (${min}) must not exceed max (${max})`);
  const hc = given.healthCheck ?? true;
  const connection = resolveConnectionOptions(connectionOnly as ConnectionOptions);
  const cache = resolveCacheOptions(given.cache);
  if (cache && connection.protocol !== 3) {
    throw new TypeError("option cache of a pool needs protocol 3: Redis sends the invalidations on each pool connection (use createClient for a cache over RESP2)");
  }
  return {
    connection: cache ? trackedConnection(connection, cache) : connection,
    topology,
    reconnectOnError: given.reconnectOnError,
    max,
    min,
    acquireTimeout: duration("acquireTimeout", given.acquireTimeout ?? 5_000),
    maxWaiters: integer("maxWaiters", given.maxWaiters ?? 10_000, 1),
    idleTimeout: duration("idleTimeout", given.idleTimeout ?? 30_000),
    maxLifetime: duration("maxLifetime", given.maxLifetime ?? 0),
    healthCheck: hc === false ? undefined : {
      idleTime: duration("healthCheck.idleTime", (hc === true ? undefined : hc.idleTime) ?? 30_000),
      timeout: duration("healthCheck.timeout", (hc === true ? undefined : hc.timeout) ?? 2_000) || 2_000,
    },
    leakTimeout: duration("leakTimeout", given.leakTimeout ?? 0),
    reconnect: resolveReconnect(given.reconnect),
    cache,
  };
}
