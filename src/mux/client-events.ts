/**
 * What a client (`createClient()`) tells of itself: the events it emits and the counters `stats()` reads
 * off its state.
 * @module
 */
import type { CacheStats } from "../cache/store.ts";
import type { MasterSwitch } from "../topology/locator.ts";
import type { SharedConnection } from "./shared.ts";

/** Events of a client (`createClient()`). */
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
  /**
   * The master moved (Sentinel): connections to the old one are being replaced, commands not
   * yet written go to the new one.
   */
  failover: MasterSwitch;
}

/** Counters of a client (`createClient()`), read off its state. */
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
