/**
 * The events a pool emits, their payloads, and the sink the pool's engine reports them to.
 * @module
 */
import type { MasterSwitch } from "../topology/locator.ts";

/**
 * Pool events. `clientId` is the server's id of the connection (`CLIENT ID`).
 *
 * @example
 * ```ts
 * pool.on("leak", ({ clientId, heldFor, stack }) => console.warn(`lease ${clientId} held ${heldFor} ms`, stack));
 * pool.on("error", (err) => console.warn("pool could not open a connection", err));
 * ```
 */
export type PoolEvents = {
  /** A connection was opened (handshake done). */
  create: { clientId: number };
  /** A connection was leased; `waited` ms in the queue (0 when free at once). */
  acquire: { clientId: number; waited: number };
  /** A lease was released after `heldFor` ms. */
  release: { clientId: number; heldFor: number };
  /** A connection was closed or lost; `reason` says why (idle, lifetime, dirty lease, lost, pool closed, ...). */
  destroy: { clientId: number; reason: string };
  /** A lease has been held longer than `leakTimeout`; `stack` is where it was acquired. Reported once per lease. */
  leak: { clientId: number; heldFor: number; stack: string };
  /** Opening a connection failed (the pool retries with backoff). */
  error: Error;
  /**
   * The master moved (Sentinel): connections to the old one are closed — idle ones now, busy
   * ones once their replies are in, leased ones when released — and new ones go to the new one.
   */
  failover: MasterSwitch;
};

/**
 * How the engine reports events (the Pool's `emit`).
 *
 * @example
 * ```ts
 * const sink: EventSink = { emit: (event, payload) => console.log(event, payload), listens: () => true };
 * ```
 */
export interface EventSink {
  emit<K extends keyof PoolEvents>(event: K, payload: PoolEvents[K]): void;
  listens(event: keyof PoolEvents): boolean;
}
