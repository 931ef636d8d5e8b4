/**
 * How a multiplexer keeps its cache fed: over RESP3 the invalidations arrive as pushes on the
 * shared connection, in order with its replies (every connection the client opens turns tracking
 * on in its handshake); over RESP2 on a connection of their own, which the shared connection's
 * tracking redirects to. When invalidations may have been missed — a lost or replaced
 * connection — the cache empties.
 * @module
 */
import { ClientCache } from "../cache/cache.ts";
import type { ResolvedCacheOptions } from "../cache/options.ts";
import { RedirectedTracking } from "../cache/redirect.ts";
import { trackedConnection } from "../cache/tracking.ts";
import type { ResolvedReconnect } from "../conn/backoff.ts";
import type { Connection, ConnectionHooks } from "../conn/connection.ts";
import type { CommandFactory } from "../conn/factory.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";

/**
 * A multiplexer's cache and what feeds it.
 *
 * @example
 * ```ts
 * const caching = new MuxCaching(options.cache, options.connection, options.reconnect, factory, onError);
 * const shared = new SharedConnection({ connection: caching.connection, hooks: caching.hooks, ... });
 * ```
 */
export class MuxCaching {
  readonly cache: ClientCache;
  /** The options every connection of the client opens with: on RESP3, with the tracking handshake. */
  readonly connection: ResolvedConnectionOptions;
  /** The shared connection's hooks: on RESP3, invalidations to the cache; the hits for its write batching. */
  readonly hooks: Pick<ConnectionHooks, "onPush" | "callersServed">;
  readonly #redirect: RedirectedTracking | undefined;

  constructor(options: ResolvedCacheOptions, connection: ResolvedConnectionOptions, reconnect: ResolvedReconnect, factory: CommandFactory, onError: (err: Error) => void) {
    const pushes = connection.protocol === 3;
    const cache = new ClientCache(options, connection.hooks, pushes);
    this.cache = cache;
    factory.watcher = cache.inOrder; // a write through any entry point drops its keys' entries
    // The locator opens every connection, so on RESP3 its options carry the tracking handshake
    // (connections that only block or listen get tracking too, and ignore the pushes).
    this.connection = pushes ? trackedConnection(connection, options) : connection;
    const callersServed = () => cache.hits;
    this.hooks = pushes ? { onPush: (push) => cache.onPush(push), callersServed } : { callersServed };
    this.#redirect = pushes ? undefined : new RedirectedTracking(cache, options, connection, reconnect, onError);
  }

  /** The shared connection is ready: on RESP2, its tracking is redirected to the invalidation connection. */
  connected(conn: Connection): void {
    this.#redirect?.connected(conn);
  }

  /**
   * The shared connection was lost (told at once): the invalidations sent meanwhile are lost, so
   * what was cached may be stale. Reads sent from now on go over the next connection, tracked from
   * its handshake on (RESP3) or once its tracking is redirected (RESP2).
   */
  lost(): void {
    this.cache.flush();
    this.#redirect?.disconnected();
  }

  /**
   * The shared connection is being replaced: it stops being read once it drained, so the keys
   * read over it would be invalidated no more, and reads still on their way over it must not fill.
   */
  replaced(): void {
    this.cache.flush();
  }

  close(): Promise<void> | undefined {
    return this.#redirect?.close();
  }
}
