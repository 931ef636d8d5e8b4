/**
 * Options of `createClient()`.
 * @module
 */
import { resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from "../cache/options.ts";
import { resolveReconnect, type ReconnectOptions, type ReconnectStrategy, type ResolvedReconnect } from "../conn/backoff.ts";
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from "../conn/options.ts";
import type { RedisError } from "../errors.ts";
import { splitTopology, type ResolvedTopology, type TopologyOptions } from "../topology/options.ts";

/**
 * Everything `createClient()` accepts: every connection option, where to connect (Sentinel,
 * replicas, `readFrom`), and how the client heals and bounds itself.
 */
export interface ClientOptions extends ConnectionOptions, TopologyOptions {
  /**
   * Reconnect policy after a failed connect or a lost connection, or `false` to close instead.
   * Default: 50 ms doubling to 2 s, jittered, forever.
   *
   * While attempts fail, commands wait for a connection (up to `commandTimeout`; one that times
   * out says why the last attempt failed, and has that error as `cause`). When the last attempt
   * failed in a way retrying cannot fix — an untrusted TLS certificate, a host name that does not
   * resolve (`ENOTFOUND`), credentials or permissions the server rejects (`WRONGPASS`, `NOAUTH`,
   * `NOPERM`) — waiting commands reject at once with a `ConnectionError` whose `cause` is that
   * error, and so do new ones until an attempt succeeds. The client keeps trying with backoff
   * meanwhile, so it recovers by itself once the setting or the server is fixed.
   *
   * @example
   * ```ts
   * const redis = createClient({ url, password: "wrong" });
   * await redis.get("k").catch((e) => e.cause.code); // "WRONGPASS", at once rather than after 5 s
   * ```
   *
   * Or a function `(attempt, lastError) => delayMs | false` that decides every retry (see
   * `ReconnectStrategy`).
   */
  reconnect?: ReconnectOptions | ReconnectStrategy | false;
  /**
   * `true`: connect on the first command (or `connect()`) instead of at creation. Default `false`.
   *
   * @example
   * ```ts
   * const redis = createClient({ url, lazyConnect: true }); // no socket yet
   * await redis.connect();                                  // now, and fails here if it cannot
   * ```
   */
  lazyConnect?: boolean;
  /**
   * Decides whether an error reply means this connection should be replaced (ioredis users know
   * it): return `true` and the client closes the connection once its written commands have
   * their replies, and reconnects. The command that got the reply still rejects with it; it is
   * never sent again. Under Sentinel, `READONLY`, `LOADING`, `MASTERDOWN` and `UNBLOCKED`
   * replies do this without being asked.
   *
   * @example
   * ```ts
   * // a master demoted behind a fixed address (a proxy, a DNS name) answers writes with READONLY
   * createClient({ url, reconnectOnError: (err) => err.code === "READONLY" });
   * ```
   */
  reconnectOnError?: (err: RedisError) => boolean;
  /** Most commands held while no connection is up; past it they reject at once with `LimitError`. Default `100000`. */
  maxPending?: number;
  /** Most dedicated connections for blocking commands and `isolated()`. Default `32`. */
  maxBlockingConnections?: number;
  /**
   * Keep replies of read-only commands in memory, invalidated by Redis (`CLIENT TRACKING`) when
   * their keys change; `true` for the defaults. Off by default. See {@link CacheOptions}.
   *
   * @example
   * ```ts
   * const redis = createClient({ url, cache: { maxEntries: 10_000 } });
   * await redis.get("config"); // from Redis
   * await redis.get("config"); // from memory, until "config" changes
   * ```
   */
  cache?: CacheOptions | boolean;
}

/** {@link ClientOptions} with defaults applied. */
export interface ResolvedClientOptions {
  connection: ResolvedConnectionOptions;
  topology: ResolvedTopology;
  reconnect: ResolvedReconnect;
  maxPending: number;
  maxBlockingConnections: number;
  lazyConnect: boolean;
  reconnectOnError: ((err: RedisError) => boolean) | undefined;
  cache: ResolvedCacheOptions | undefined;
}

/** Validate and apply defaults; a string is a URL. */
export function resolveClientOptions(input: string | ClientOptions = {}): ResolvedClientOptions {
  const { options: given, topology } = splitTopology(typeof input === "string" ? { url: input } : input);
  const { reconnect, maxPending = 100_000, maxBlockingConnections = 32, lazyConnect = false, reconnectOnError, cache, ...connection } = given;
  // Replicas send no invalidations for what this client reads through the master's tracking.
  if (cache && topology.readFrom !== "master") throw new TypeError("option cache works with readFrom: \"master\" only: a replica's reads are not tracked");
  for (const [name, value] of [["maxPending", maxPending], ["maxBlockingConnections", maxBlockingConnections]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`option ${name} must be an integer >= 1, got ${String(value)}`);
  }
  const resolved = resolveConnectionOptions(connection);
  // Over RESP2 the invalidations come on a connection of their own, which follows no failover.
  if (cache && topology.sentinel && resolved.protocol === 2) {
    throw new TypeError("option cache with sentinel needs protocol 3: over RESP2 the invalidations would come on a connection that does not follow the master");
  }
  return {
    connection: resolved,
    topology,
    reconnect: resolveReconnect(reconnect),
    maxPending,
    maxBlockingConnections,
    lazyConnect: lazyConnect === true,
    reconnectOnError,
    cache: resolveCacheOptions(cache),
  };
}
