/**
 * What the owner of a shared connection (the multiplexer's client, a cluster node) gives it and
 * hears from it, and the states it goes through. Kept apart from `shared.ts` because it is the
 * contract those owners code against, while how the connection heals itself is its own business;
 * `shared.ts` re-exports these types, so owners import them beside `SharedConnection`.
 * @module
 */
import type { RedisError } from "../errors.ts";
import type { ResolvedReconnect } from "../conn/backoff.ts";
import type { Connection, ConnectionHooks } from "../conn/connection.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import type { Locator, Role } from "../topology/locator.ts";

/** Lifecycle of a {@link SharedConnection}; `lazy` until the first command or `connect()` when created with `lazy`. */
export type SharedState = "lazy" | "connecting" | "ready" | "reconnecting" | "closing" | "closed";

/** What a shared connection reports to its owner. */
export interface SharedConnectionEvents {
  connect(): void;
  ready(conn: Connection): void;
  error(err: Error): void;
  /**
   * Commands go to a new connection from now on: the current one (connected to the wrong node,
   * or after an error reply `replaceOn` accepted) closes once its written commands are answered.
   */
  replaced?(why: Error): void;
  reconnecting(info: { attempt: number; delay: number; error: Error }): void;
  end(err: Error | undefined): void;
}

/** Settings of a {@link SharedConnection}. */
export interface SharedConnectionOptions {
  connection: ResolvedConnectionOptions;
  /** Where each connection goes, asked on every (re)connect; `role` says which node it is for. */
  locator: Locator;
  role: Role;
  reconnect: ResolvedReconnect;
  /** Bound of the offline queue. */
  maxPending: number;
  /** Push routing for the connection (pub/sub). */
  hooks?: Pick<ConnectionHooks, "onPush" | "isPush" | "callersServed">;
  events: SharedConnectionEvents;
  /** Wait for the first command or {@link SharedConnection.ready} before connecting. */
  lazy?: boolean;
  /** Whether an error reply means the connection should be replaced (`reconnectOnError`); the locator's own reasons count too. */
  replaceOn?: (err: RedisError) => boolean;
}
