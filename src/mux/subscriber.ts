/**
 * Pub/sub on a connection of its own. A subscribed connection can run nothing but (un)subscribe
 * commands, so the multiplexer's shared connection never enters that mode. Messages arrive as
 * RESP3 pushes, or as plain arrays on RESP2 (claimed through `isPush`). Which command the server's
 * confirmations and refusals answer is kept in `subscriptions.ts`; a refusal (an ACL `NOPERM`)
 * reaches the callers of that command, and the connection stays up.
 *
 * The subscriber runs its own reconnects: the first at once, then each after a jittered backoff
 * that keeps growing while connections fail or die young, so a connection the server keeps
 * dropping is not reopened in a tight loop. After a reconnect every channel and pattern is
 * subscribed again, one command each, so a name the server refuses now fails alone. When it
 * gives up (as `reconnect` says), the next `subscribe()` starts a new connection, and the
 * subscriptions still listened to come back.
 * @module
 */
import { retryDelay, type ResolvedReconnect } from "../conn/backoff.ts";
import type { Connection } from "../conn/connection.ts";
import { startHeartbeat } from "../conn/liveness.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { ClosedError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import { CommandEncoder, encodeCommand } from "../resp/encode.ts";
import type { Locator } from "../topology/locator.ts";
import type { RespValue } from "../resp/types.ts";
import { KINDS, Subscriptions, type MessageListener, type SubscriptionKind } from "./subscriptions.ts";

export type { MessageListener, SubscriptionKind } from "./subscriptions.ts";

const MESSAGE_KINDS: Record<string, SubscriptionKind> = { message: "subscribe", pmessage: "psubscribe", smessage: "ssubscribe" };
const CONFIRM_KINDS: Record<string, SubscriptionKind> = { subscribe: "subscribe", psubscribe: "psubscribe", ssubscribe: "ssubscribe" };
const UNSUBSCRIBE_KINDS: Record<string, SubscriptionKind> = { unsubscribe: "subscribe", punsubscribe: "psubscribe", sunsubscribe: "ssubscribe" };
const PUBSUB_FRAMES = new Set([...Object.keys(MESSAGE_KINDS), ...Object.keys(CONFIRM_KINDS), ...Object.keys(UNSUBSCRIBE_KINDS)]);
const UNSUBSCRIBE: Record<SubscriptionKind, string> = { subscribe: "UNSUBSCRIBE", psubscribe: "PUNSUBSCRIBE", ssubscribe: "SUNSUBSCRIBE" };

const text = new TextDecoder();
function asText(value: RespValue | undefined): string {
  return value instanceof Uint8Array ? text.decode(value) : String(value);
}

/** Settings of a {@link Subscriber}: its connection's, its reconnect policy, and where it reports errors. */
export interface SubscriberOptions {
  connection: ResolvedConnectionOptions;
  /** Where its connection goes (the master), asked on every (re)connect. */
  locator: Locator;
  reconnect: ResolvedReconnect;
  events: { error(err: Error): void };
}

/** Subscriptions of one client, over one dedicated, self-healing connection. */
export class Subscriber {
  #options: SubscriberOptions;
  #address: string;
  #subscriptions: Subscriptions;
  #conn: Connection | undefined;
  #readyAt = 0;
  #connecting: AbortController | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Connections in a row that failed to open or died young. */
  #failures = 0;
  #closed = false;
  #stopFollowing: () => void;

  constructor(options: SubscriberOptions) {
    this.#options = options;
    this.#address = options.locator.address;
    this.#subscriptions = new Subscriptions((err) => options.events.error(err));
    // After a failover the old master hears nothing published on the new one until it is made its
    // replica: subscriptions move to the new master at once.
    this.#stopFollowing = options.locator.onSwitch(({ to }) => {
      const conn = this.#conn;
      if (conn && options.locator.isStale(conn, "master")) conn.destroy(new ConnectionError(`subscriber connection to ${conn.address} replaced: the master moved to ${to}`));
    });
  }

  /**
   * Listen on `names`. Resolves, once the server confirmed every name, to a function that removes
   * this listener (and unsubscribes names nobody listens to any more). Rejects with the server's
   * `RedisError` when it refuses a name, `ClosedError` on `close()`, `TimeoutError` after
   * `commandTimeout`, or `ConnectionError` when the subscriber gives up reconnecting.
   */
  async subscribe(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<() => Promise<void>> {
    if (names.length === 0) throw new TypeError(`${kind}: give at least one channel or pattern`);
    if (typeof listener !== "function") throw new TypeError(`${kind}: listener must be a function`);
    if (this.#closed) throw new ClosedError(`${kind} refused: the client is closed`);
    const { fresh, confirmations } = this.#subscriptions.add(kind, names, listener);
    const unsubscribe = () => this.#remove(kind, names, listener);
    if (confirmations.length === 0) return unsubscribe;
    this.#connect();
    if (fresh.length > 0) this.#write(kind, fresh, true);
    try {
      await withTimeout(Promise.all(confirmations), this.#options.connection.commandTimeout, `${kind.toUpperCase()} was not confirmed`);
    } catch (err) {
      await unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Close the subscriber connection; `subscribe()` calls not confirmed yet reject with `ClosedError`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopFollowing();
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const reason = new ClosedError("the client was closed before the subscription was confirmed");
    this.#connecting?.abort(reason);
    this.#subscriptions.rejectWaiters(reason);
    await this.#conn?.close();
  }

  /** Number of channels and patterns subscribed. */
  get count(): number {
    return this.#subscriptions.size;
  }

  async #remove(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<void> {
    const gone = this.#subscriptions.remove(kind, names, listener);
    if (gone.length > 0) this.#write(kind, gone, false);
  }

  /** Write an (un)subscribe command and remember it for its confirmations. */
  #write(kind: SubscriptionKind, names: string[], subscribing: boolean): void {
    const conn = this.#conn;
    if (!conn) return; // offline: the next connection subscribes what is listened to then
    this.#subscriptions.written(kind, names, subscribing, conn.enqueued);
    conn.writeEncoded([], encodeCommand([subscribing ? kind.toUpperCase() : UNSUBSCRIBE[kind], ...names]));
  }

  /** Open a connection unless one is open, opening, or waiting to be reopened. */
  #connect(): void {
    if (this.#closed || this.#conn || this.#connecting || this.#retry) return;
    void this.#open();
  }

  async #open(): Promise<void> {
    const controller = (this.#connecting = new AbortController());
    let conn: Connection | undefined;
    try {
      conn = await this.#options.locator.open(
        "master",
        {
          isPush: (value): value is RespValue[] => Array.isArray(value) && PUBSUB_FRAMES.has(asText(value[0])),
          onPush: (frame) => this.#onFrame(frame),
          onUnmatchedReply: (value) => this.#onRefusal(conn, value),
          onClose: (err) => this.#lost(conn, err),
        },
        controller.signal,
      );
    } catch (err) {
      this.#connecting = undefined;
      if (this.#closed) return;
      this.#options.events.error(err as Error);
      return this.#failed(this.#failures + 1, err as Error);
    }
    this.#connecting = undefined;
    if (this.#closed) return conn.destroy();
    this.#conn = conn;
    this.#readyAt = Date.now();
    startHeartbeat(conn); // it only listens: without a PING now and then, a frozen peer goes unnoticed
    // One command per name, so that a name the server refuses now (its ACL changed) fails alone.
    const encoder = new CommandEncoder();
    for (const kind of KINDS) {
      for (const name of this.#subscriptions.names(kind)) {
        this.#subscriptions.written(kind, [name], true, conn.enqueued);
        encoder.encode([kind.toUpperCase(), name]);
      }
    }
    if (encoder.length > 0) conn.writeEncoded([], encoder.take());
  }

  #lost(conn: Connection | undefined, err: Error | undefined): void {
    if (conn === undefined || conn !== this.#conn) return; // lost during its handshake: #open reports that
    this.#conn = undefined;
    this.#subscriptions.disconnected();
    if (this.#closed) return;
    const error = err ?? new ConnectionError(`subscriber connection to ${this.#address} closed by the server`);
    this.#options.events.error(error);
    // A connection that lived longer than the longest backoff was healthy: start backing off afresh.
    const healthy = Date.now() - this.#readyAt >= this.#options.reconnect.maxDelay;
    this.#failed(healthy ? 1 : this.#failures + 1, error);
  }

  /**
   * Reconnect after the delay the reconnect policy gives, or give up when it says so (with the
   * options form, after `maxAttempts` failed attempts in a row).
   */
  #failed(failures: number, cause: Error): void {
    const delay = retryDelay(this.#options.reconnect, failures, cause, true);
    if (delay === false) return this.#giveUp(failures, cause);
    this.#failures = failures;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect();
    }, delay);
  }

  /** Stop reconnecting. Subscriptions stay listened to: the next `subscribe()` connects again and restores them. */
  #giveUp(failures: number, cause: Error): void {
    this.#failures = 0;
    const err = new ConnectionError(
      `subscriber connection to ${this.#address}: gave up reconnecting after ${failures} failed attempts; the next subscribe() connects again`,
      { cause },
    );
    this.#subscriptions.rejectWaiters(err);
    this.#options.events.error(err);
  }

  /**
   * An error reply: the refusal of the oldest (un)subscribe command we wrote, if one awaits an
   * answer and no command written before it (a heartbeat PING, refused by an ACL without +ping)
   * still awaits its reply, which would be this one.
   */
  #onRefusal(conn: Connection | undefined, value: RespValue): boolean {
    if (!(value instanceof RedisError) || !conn || !this.#subscriptions.mayBeRefused(conn.answered)) return false;
    this.#subscriptions.refuse(value);
    return true;
  }

  #onFrame(frame: RespValue[]): void {
    const type = asText(frame[0]);
    const messageKind = MESSAGE_KINDS[type];
    if (messageKind === "psubscribe") {
      const pattern = asText(frame[1]);
      const channel = asText(frame[2]);
      for (const listener of this.#subscriptions.listeners("psubscribe", pattern)) deliver(listener, frame[3], channel, pattern);
    } else if (messageKind) {
      const channel = asText(frame[1]);
      for (const listener of this.#subscriptions.listeners(messageKind, channel)) deliver(listener, frame[2], channel);
    } else if (CONFIRM_KINDS[type]) {
      this.#subscriptions.confirm(CONFIRM_KINDS[type], asText(frame[1]), true);
    } else if (UNSUBSCRIBE_KINDS[type]) {
      this.#subscriptions.confirm(UNSUBSCRIBE_KINDS[type], asText(frame[1]), false);
    }
  }
}

function deliver(listener: MessageListener, payload: RespValue | undefined, channel: string, pattern?: string): void {
  try {
    listener(payload as string | Uint8Array, channel, pattern);
  } catch (err) {
    console.error(`resplex: a listener of channel "${channel}" threw`, err);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  if (ms <= 0) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
