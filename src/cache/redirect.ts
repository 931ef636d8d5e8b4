/**
 * Invalidations over RESP2, which has no pushes: a connection of its own subscribes to
 * `__redis__:invalidate`, and the connections whose reads are cached turn tracking on with
 * `REDIRECT <its id>`, so Redis publishes their invalidations to it (redis.io/docs/manual/
 * client-side-caching, "two connections mode"). It reconnects by itself; while it is down,
 * invalidations go nowhere, so its owner stops caching (and flushes) when it is lost and points
 * tracking at the new id when it is back.
 * @module
 */
import { backoffDelay, type ResolvedReconnect } from "../conn/backoff.ts";
import { Command } from "../conn/command.ts";
import type { Connection } from "../conn/connection.ts";
import { startHeartbeat } from "../conn/liveness.ts";
import { openConnection } from "../conn/open.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import type { RespValue } from "../resp/types.ts";
import type { ClientCache } from "./cache.ts";
import type { ResolvedCacheOptions } from "./options.ts";
import { INVALIDATE_CHANNEL, invalidatedKeys, trackingCommand } from "./tracking.ts";

/** What an {@link InvalidationConnection} tells its owner. */
export interface InvalidationEvents {
  /** Subscribed: tracking may redirect to `id` from now on. */
  ready(id: number): void;
  /** Lost (or failed to subscribe): invalidations sent until the next `ready` are lost. */
  lost(error: Error): void;
  /** Redis invalidated `keys` (`null`: everything). */
  invalidated(keys: string[] | null): void;
}

/**
 * The connection RESP2 invalidations are redirected to.
 *
 * @example
 * ```ts
 * const target = new InvalidationConnection(options.connection, options.reconnect, {
 *   ready: (id) => conn.write(new Command(trackingCommand(cacheOptions, id), false, 0)),
 *   lost: () => cache.suspend(),
 *   invalidated: (keys) => cache.invalidated(keys),
 * });
 * ```
 */
export class InvalidationConnection {
  readonly #options: ResolvedConnectionOptions;
  readonly #reconnect: ResolvedReconnect;
  readonly #events: InvalidationEvents;
  #conn: Connection | undefined;
  #id: number | undefined;
  #connecting: AbortController | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #closed = false;

  constructor(connection: ResolvedConnectionOptions, reconnect: ResolvedReconnect, events: InvalidationEvents) {
    // RESP2: a subscribed connection receives the invalidations as pub/sub messages.
    this.#options = { ...connection, protocol: 2, tracking: undefined };
    this.#reconnect = reconnect;
    this.#events = events;
    void this.#open();
  }

  /** Its client id while it is subscribed (what tracking redirects to), else `undefined`. */
  get id(): number | undefined {
    return this.#id;
  }

  /** Stop: close the connection, reconnect no more. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#connecting?.abort();
    await this.#conn?.close();
  }

  async #open(): Promise<void> {
    const controller = (this.#connecting = new AbortController());
    let conn: Connection | undefined;
    try {
      conn = await openConnection(
        this.#options,
        {
          isPush: (value): value is RespValue[] => Array.isArray(value) && invalidatedKeys(value) !== undefined,
          onPush: (message) => this.#events.invalidated(invalidatedKeys(message) ?? null),
          onClose: (err) => this.#lost(conn, err),
        },
        controller.signal,
      );
      const subscribe = new Command(["SUBSCRIBE", INVALIDATE_CHANNEL], false, this.#options.connectTimeout);
      conn.write(subscribe);
      await subscribe.promise;
      if (conn.state !== "ready") throw new Error("the invalidation connection closed as it subscribed");
    } catch (err) {
      this.#connecting = undefined;
      conn?.destroy();
      if (!this.#closed) this.#retryLater(err as Error);
      return;
    }
    this.#connecting = undefined;
    if (this.#closed) return conn.destroy();
    this.#conn = conn;
    this.#failures = 0;
    this.#id = conn.clientId;
    startHeartbeat(conn); // it only listens: without a PING now and then, a frozen peer goes unnoticed
    this.#events.ready(conn.clientId);
  }

  #lost(conn: Connection | undefined, err: Error | undefined): void {
    if (conn === undefined || conn !== this.#conn) return; // lost while opening: #open handles it
    this.#conn = this.#id = undefined;
    if (!this.#closed) this.#retryLater(err ?? new Error("the invalidation connection was closed by the server"));
  }

  #retryLater(err: Error): void {
    this.#events.lost(err);
    this.#failures++;
    // It keeps trying: without it, nothing is cached, but nothing else depends on it.
    const delay = backoffDelay(this.#reconnect, Math.min(this.#failures, 30));
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#open();
    }, delay);
  }
}

/**
 * RESP2 tracking of one connection (a multiplexer's): the cache serves and fills only while the
 * invalidation connection is subscribed and the tracked connection redirects to it. Whenever
 * either is (re)connected, tracking is pointed at the current invalidation connection, and
 * caching resumes once Redis said OK; whenever either is lost, the cache is flushed and stops.
 *
 * @example
 * ```ts
 * const tracking = new RedirectedTracking(cache, cacheOptions, options.connection, options.reconnect, onError);
 * // on each new shared connection: tracking.connected(conn); on its loss: tracking.disconnected();
 * ```
 */
export class RedirectedTracking {
  readonly #cache: ClientCache;
  readonly #options: Pick<ResolvedCacheOptions, "mode" | "prefixes">;
  readonly #target: InvalidationConnection;
  readonly #onError: (err: Error) => void;
  #tracked: Connection | undefined;

  constructor(
    cache: ClientCache,
    options: Pick<ResolvedCacheOptions, "mode" | "prefixes">,
    connection: ResolvedConnectionOptions,
    reconnect: ResolvedReconnect,
    onError: (err: Error) => void,
  ) {
    this.#cache = cache;
    this.#options = options;
    this.#onError = onError;
    cache.suspend(); // until both connections are up and pointed at each other
    this.#target = new InvalidationConnection(connection, reconnect, {
      ready: () => this.#point(),
      lost: () => cache.suspend(),
      invalidated: (keys) => cache.invalidated(keys),
    });
  }

  /** A new connection carries the cached reads: it is tracked before the commands queued for it. */
  connected(conn: Connection): void {
    this.#tracked = conn;
    this.#point();
  }

  /** The tracked connection was lost: its invalidations are lost with it. */
  disconnected(): void {
    this.#tracked = undefined;
    this.#cache.suspend();
  }

  close(): Promise<void> {
    this.#tracked = undefined;
    return this.#target.close();
  }

  /** Redirect the tracked connection's tracking to the invalidation connection, if both are up. */
  #point(): void {
    const conn = this.#tracked;
    const id = this.#target.id;
    if (conn === undefined || id === undefined) return;
    this.#cache.suspend(); // reads sent before the OK may still be tracked for the old target
    // Written as it stands (the shared connection's guard refuses CLIENT TRACKING from callers),
    // ahead of any command queued for the connection.
    const command = new Command(trackingCommand(this.#options, id), false, conn.options.commandTimeout);
    conn.write(command);
    command.promise.then(
      () => {
        if (this.#tracked === conn && this.#target.id === id) this.#cache.resume();
      },
      (err: Error) => {
        if (this.#tracked === conn) this.#onError(err);
      },
    );
  }
}
