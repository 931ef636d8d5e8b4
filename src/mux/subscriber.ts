/**
 * Pub/sub on a connection of its own. A subscribed connection can run nothing but (un)subscribe
 * commands, so the multiplexer's shared connection never enters that mode. Messages arrive as
 * RESP3 pushes, or as plain arrays on RESP2 (claimed through `isPush`).
 *
 * (Un)subscribe commands have no reply a command could wait for: the server confirms each name
 * in a frame of its own, or refuses the whole command with one error reply (an ACL `NOPERM`).
 * So the subscriber keeps the commands it wrote, in order, and settles each from its frames; a
 * refusal reaches the callers of that command and nobody else, and the connection stays up.
 *
 * The subscriber runs its own reconnects: every one waits a jittered backoff that keeps growing
 * while connections fail or die young, so a connection the server keeps dropping is not reopened
 * in a tight loop. After a reconnect every channel and pattern is subscribed again, one command
 * each, so a name the server refuses now fails alone. When it gives up (`reconnect.maxAttempts`),
 * the next `subscribe()` starts a new connection, and the subscriptions still listened to come back.
 * @module
 */
import { backoffDelay, type ResolvedReconnect } from "../conn/backoff.ts";
import type { Connection } from "../conn/connection.ts";
import { openConnection } from "../conn/open.ts";
import { describeAddress, type ResolvedConnectionOptions } from "../conn/options.ts";
import { ClosedError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import { CommandEncoder, encodeCommand } from "../resp/encode.ts";
import type { RespValue } from "../resp/types.ts";

/** Plain, pattern or sharded subscriptions. */
export type SubscriptionKind = "subscribe" | "psubscribe" | "ssubscribe";

/** Receives a message; `pattern` is set for pattern subscriptions. */
export type MessageListener = (message: string | Uint8Array, channel: string, pattern?: string) => void;

const MESSAGE_KINDS: Record<string, SubscriptionKind> = { message: "subscribe", pmessage: "psubscribe", smessage: "ssubscribe" };
const CONFIRM_KINDS: Record<string, SubscriptionKind> = { subscribe: "subscribe", psubscribe: "psubscribe", ssubscribe: "ssubscribe" };
const UNSUBSCRIBE_KINDS: Record<string, SubscriptionKind> = { unsubscribe: "subscribe", punsubscribe: "psubscribe", sunsubscribe: "ssubscribe" };
const PUBSUB_FRAMES = new Set([...Object.keys(MESSAGE_KINDS), ...Object.keys(CONFIRM_KINDS), ...Object.keys(UNSUBSCRIBE_KINDS)]);
const UNSUBSCRIBE: Record<SubscriptionKind, string> = { subscribe: "UNSUBSCRIBE", psubscribe: "PUNSUBSCRIBE", ssubscribe: "SUNSUBSCRIBE" };
const KINDS: readonly SubscriptionKind[] = ["subscribe", "psubscribe", "ssubscribe"];

const text = new TextDecoder();
function asText(value: RespValue | undefined): string {
  return value instanceof Uint8Array ? text.decode(value) : String(value);
}

/** Settings of a {@link Subscriber}: its connection's, its reconnect policy, and where it reports errors. */
export interface SubscriberOptions {
  connection: ResolvedConnectionOptions;
  reconnect: ResolvedReconnect;
  events: { error(err: Error): void };
}

/** A channel or pattern someone listens to. */
interface Subscription {
  listeners: Set<MessageListener>;
  /** The server confirmed it on the current connection. */
  confirmed: boolean;
  /** `subscribe()` calls waiting for that confirmation. */
  waiters: Array<{ resolve(): void; reject(err: Error): void }>;
}

/** An (un)subscribe command written on the current connection, until the server answered all of it. */
interface Written {
  kind: SubscriptionKind;
  subscribing: boolean;
  /** Names not confirmed yet, each with the subscription its confirmation settles (none when unsubscribing). */
  awaiting: Map<string, Subscription | undefined>;
}

/** Subscriptions of one client, over one dedicated, self-healing connection. */
export class Subscriber {
  #options: SubscriberOptions;
  #address: string;
  #subscriptions: Record<SubscriptionKind, Map<string, Subscription>> = {
    subscribe: new Map(),
    psubscribe: new Map(),
    ssubscribe: new Map(),
  };
  /** Commands written on `#conn` not fully answered, oldest first (the server answers in order). */
  #written: Written[] = [];
  #conn: Connection | undefined;
  #readyAt = 0;
  #connecting: AbortController | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Connections in a row that failed to open or died young. */
  #failures = 0;
  #closed = false;

  constructor(options: SubscriberOptions) {
    this.#options = options;
    this.#address = describeAddress(options.connection);
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
    const fresh: string[] = [];
    const confirmations: Promise<void>[] = [];
    for (const name of new Set(names)) {
      const map = this.#subscriptions[kind];
      let subscription = map.get(name);
      if (!subscription) {
        map.set(name, (subscription = { listeners: new Set(), confirmed: false, waiters: [] }));
        fresh.push(name);
      }
      subscription.listeners.add(listener);
      // A name another call is still subscribing counts only once the server confirmed it.
      const waiting = subscription;
      if (!waiting.confirmed) confirmations.push(new Promise((resolve, reject) => waiting.waiters.push({ resolve, reject })));
    }
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
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const reason = new ClosedError("the client was closed before the subscription was confirmed");
    this.#connecting?.abort(reason);
    this.#rejectWaiters(reason);
    await this.#conn?.close();
  }

  /** Number of channels and patterns subscribed. */
  get count(): number {
    return this.#subscriptions.subscribe.size + this.#subscriptions.psubscribe.size + this.#subscriptions.ssubscribe.size;
  }

  async #remove(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<void> {
    const gone: string[] = [];
    for (const name of names) {
      const subscription = this.#subscriptions[kind].get(name);
      if (!subscription?.listeners.delete(listener) || subscription.listeners.size > 0) continue;
      this.#subscriptions[kind].delete(name);
      gone.push(name);
    }
    if (gone.length > 0) this.#write(kind, gone, false);
  }

  /** Write an (un)subscribe command and remember it for its confirmations. */
  #write(kind: SubscriptionKind, names: string[], subscribing: boolean): void {
    const conn = this.#conn;
    if (!conn) return; // offline: the next connection subscribes what is listened to then
    this.#written.push({ kind, subscribing, awaiting: this.#awaiting(kind, names, subscribing) });
    conn.writeEncoded([], encodeCommand([subscribing ? kind.toUpperCase() : UNSUBSCRIBE[kind], ...names]));
  }

  #awaiting(kind: SubscriptionKind, names: string[], subscribing: boolean): Map<string, Subscription | undefined> {
    return new Map(names.map((name) => [name, subscribing ? this.#subscriptions[kind].get(name) : undefined]));
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
      conn = await openConnection(
        this.#options.connection,
        {
          isPush: (value): value is RespValue[] => Array.isArray(value) && PUBSUB_FRAMES.has(asText(value[0])),
          onPush: (frame) => this.#onFrame(frame),
          onUnmatchedReply: (value) => value instanceof RedisError && this.#written.length > 0 && this.#refused(value),
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
    // One command per name, so that a name the server refuses now (its ACL changed) fails alone.
    const encoder = new CommandEncoder();
    for (const kind of KINDS) {
      for (const name of this.#subscriptions[kind].keys()) {
        this.#written.push({ kind, subscribing: true, awaiting: this.#awaiting(kind, [name], true) });
        encoder.encode([kind.toUpperCase(), name]);
      }
    }
    if (encoder.length > 0) conn.writeEncoded([], encoder.take());
  }

  #lost(conn: Connection | undefined, err: Error | undefined): void {
    if (conn === undefined || conn !== this.#conn) return; // lost during its handshake: #open reports that
    this.#conn = undefined;
    this.#written.length = 0;
    for (const kind of KINDS) for (const subscription of this.#subscriptions[kind].values()) subscription.confirmed = false;
    if (this.#closed) return;
    const error = err ?? new ConnectionError(`subscriber connection to ${this.#address} closed by the server`);
    this.#options.events.error(error);
    // A connection that lived longer than the longest backoff was healthy: start backing off afresh.
    const healthy = Date.now() - this.#readyAt >= this.#options.reconnect.maxDelay;
    this.#failed(healthy ? 1 : this.#failures + 1, error);
  }

  /** Reconnect after a backoff, or give up after `maxAttempts` failures in a row. */
  #failed(failures: number, cause: Error): void {
    const { reconnect } = this.#options;
    if (failures > reconnect.maxAttempts) return this.#giveUp(failures, cause);
    this.#failures = failures;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect();
    }, backoffDelay(reconnect, failures));
  }

  /** Stop reconnecting. Subscriptions stay listened to: the next `subscribe()` connects again and restores them. */
  #giveUp(failures: number, cause: Error): void {
    this.#failures = 0;
    const err = new ConnectionError(
      `subscriber connection to ${this.#address}: gave up reconnecting after ${failures} failed attempts; the next subscribe() connects again`,
      { cause },
    );
    this.#rejectWaiters(err);
    this.#options.events.error(err);
  }

  #rejectWaiters(err: Error): void {
    for (const kind of KINDS) {
      for (const subscription of this.#subscriptions[kind].values()) for (const waiter of subscription.waiters.splice(0)) waiter.reject(err);
    }
  }

  #onFrame(frame: RespValue[]): void {
    const type = asText(frame[0]);
    const messageKind = MESSAGE_KINDS[type];
    if (messageKind === "psubscribe") {
      const pattern = asText(frame[1]);
      const channel = asText(frame[2]);
      for (const listener of this.#subscriptions.psubscribe.get(pattern)?.listeners ?? []) deliver(listener, frame[3], channel, pattern);
    } else if (messageKind) {
      const channel = asText(frame[1]);
      for (const listener of this.#subscriptions[messageKind].get(channel)?.listeners ?? []) deliver(listener, frame[2], channel);
    } else if (CONFIRM_KINDS[type]) {
      this.#confirmed(CONFIRM_KINDS[type], asText(frame[1]), true);
    } else if (UNSUBSCRIBE_KINDS[type]) {
      this.#confirmed(UNSUBSCRIBE_KINDS[type], asText(frame[1]), false);
    }
  }

  /** The server confirmed one name of a command we wrote; once it confirmed them all, the command is done. */
  #confirmed(kind: SubscriptionKind, name: string, subscribing: boolean): void {
    const index = this.#written.findIndex((w) => w.kind === kind && w.subscribing === subscribing && w.awaiting.has(name));
    if (index < 0) return; // not asked for (a server-side SUNSUBSCRIBE, say): nothing waits for it
    const written = this.#written[index]!;
    const subscription = written.awaiting.get(name);
    written.awaiting.delete(name);
    if (written.awaiting.size === 0) this.#written.splice(index, 1);
    // The subscription may have been dropped (and even made anew, with a command of its own) since.
    if (!subscription || this.#subscriptions[kind].get(name) !== subscription) return;
    subscription.confirmed = true;
    for (const waiter of subscription.waiters.splice(0)) waiter.resolve();
  }

  /**
   * The server refused the oldest command still unanswered (Redis refuses a command whole, so no
   * name of it was subscribed). Its waiting callers get the error; a resubscription nobody waits
   * for is dropped and reported as an `error` event. Returns `true`: the reply is taken.
   */
  #refused(err: RedisError): true {
    const written = this.#written.shift()!;
    let unreported = !written.subscribing;
    for (const [name, subscription] of written.awaiting) {
      if (!subscription || this.#subscriptions[written.kind].get(name) !== subscription) continue;
      this.#subscriptions[written.kind].delete(name);
      if (subscription.waiters.length === 0) unreported = true;
      for (const waiter of subscription.waiters.splice(0)) waiter.reject(err);
    }
    if (unreported) this.#options.events.error(err);
    return true;
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
