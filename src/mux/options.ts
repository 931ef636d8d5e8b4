/**
 * Options of `createClient()`.
 * @module
 */
import { resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from "../cache/options.ts";
import { resolveReconnect, type ReconnectOptions, type ResolvedReconnect } from "../conn/backoff.ts";
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from "../conn/options.ts";

/** Everything `createClient()` accepts: every connection option, plus how the client heals and bounds itself. */
export interface ClientOptions extends ConnectionOptions {
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
   */
  reconnect?: ReconnectOptions | false;
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
  reconnect: ResolvedReconnect;
  maxPending: number;
  maxBlockingConnections: number;
  cache: ResolvedCacheOptions | undefined;
}

/** Validate and apply defaults; a string is a URL. */
export function resolveClientOptions(input: string | ClientOptions = {}): ResolvedClientOptions {
  const given: ClientOptions = typeof input === "string" ? { url: input } : input;
  const { reconnect, maxPending = 100_000, maxBlockingConnections = 32, cache, ...connection } = given;
  for (const [name, value] of [["maxPending", maxPending], ["maxBlockingConnections", maxBlockingConnections]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`option ${name} must be an integer >= 1, got ${String(value)}`);
  }
  return {
    connection: resolveConnectionOptions(connection),
    reconnect: resolveReconnect(reconnect),
    maxPending,
    maxBlockingConnections,
    cache: resolveCacheOptions(cache),
  };
}
