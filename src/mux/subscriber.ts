/**
 * Pub/sub on a connection of its own. A subscribed connection can run nothing but (un)subscribe
 * commands, so the multiplexer's shared connection never enters that mode. Messages arrive as
 * RESP3 pushes, or as plain arrays on RESP2 (claimed through `isPush`). After a reconnect every
 * channel and pattern is subscribed again.
 * @module
 */
import { TimeoutError } from "../errors.ts";
import type { ResolvedReconnect } from "../conn/backoff.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { encodeCommand } from "../resp/encode.ts";
import type { RespValue } from "../resp/types.ts";
import { SharedConnection, type SharedConnectionEvents } from "./shared.ts";

/** Plain, pattern or sharded subscriptions. */
export type SubscriptionKind = "subscribe" | "psubscribe" | "ssubscribe";

/** Receives a message; `pattern` is set for pattern subscriptions. */
export type MessageListener = (message: string | Uint8Array, channel: string, pattern?: string) => void;

const MESSAGE_KINDS: Record<string, SubscriptionKind> = { message: "subscribe", pmessage: "psubscribe", smessage: "ssubscribe" };
const CONFIRM_KINDS: Record<string, SubscriptionKind> = { subscribe: "subscribe", psubscribe: "psubscribe", ssubscribe: "ssubscribe" };
const PUBSUB_FRAMES = new Set([
  ...Object.keys(MESSAGE_KINDS), ...Object.keys(CONFIRM_KINDS), "unsubscribe", "punsubscribe", "sunsubscribe",
]);
const UNSUBSCRIBE: Record<SubscriptionKind, string> = { subscribe: "UNSUBSCRIBE", psubscribe: "PUNSUBSCRIBE", ssubscribe: "SUNSUBSCRIBE" };

const text = new TextDecoder();
function asText(value: RespValue | undefined): string {
  return value instanceof Uint8Array ? text.decode(value) : String(value);
}

/** Settings of a {@link Subscriber}: its connection's, and where it reports connection errors. */
export interface SubscriberOptions {
  connection: ResolvedConnectionOptions;
  reconnect: ResolvedReconnect;
  events: Pick<SharedConnectionEvents, "error">;
}

/** Subscriptions of one client, over one dedicated, self-healing connection. */
export class Subscriber {
  #shared: SharedConnection | undefined;
  #options: SubscriberOptions;
  #listeners: Record<SubscriptionKind, Map<string, Set<MessageListener>>> = {
    subscribe: new Map(),
    psubscribe: new Map(),
    ssubscribe: new Map(),
  };
  #confirmations = new Map<string, Array<() => void>>();

  constructor(options: SubscriberOptions) {
    this.#options = options;
  }

  /**
   * Listen on `names`. Resolves, once the server confirmed every name, to a function that removes
   * this listener (and unsubscribes names nobody listens to any more).
   */
  async subscribe(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<() => Promise<void>> {
    if (names.length === 0) throw new TypeError(`${kind}: give at least one channel or pattern`);
    if (typeof listener !== "function") throw new TypeError(`${kind}: listener must be a function`);
    const fresh: string[] = [];
    for (const name of names) {
      const map = this.#listeners[kind];
      let set = map.get(name);
      if (!set) {
        map.set(name, (set = new Set()));
        fresh.push(name);
      }
      set.add(listener);
    }
    const unsubscribe = () => this.#remove(kind, names, listener);
    if (fresh.length > 0) {
      const confirmed = Promise.all(fresh.map((name) => this.#awaitConfirmation(kind, name)));
      this.#send([kind.toUpperCase(), ...fresh]);
      try {
        await withTimeout(confirmed, this.#options.connection.commandTimeout, `${kind.toUpperCase()} was not confirmed`);
      } catch (err) {
        await unsubscribe();
        throw err;
      }
    }
    return unsubscribe;
  }

  /** Close the subscriber connection. */
  async close(): Promise<void> {
    await this.#shared?.close();
  }

  /** Number of channels and patterns subscribed. */
  get count(): number {
    return this.#listeners.subscribe.size + this.#listeners.psubscribe.size + this.#listeners.ssubscribe.size;
  }

  async #remove(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<void> {
    const gone: string[] = [];
    for (const name of names) {
      const set = this.#listeners[kind].get(name);
      if (!set?.delete(listener) || set.size > 0) continue;
      this.#listeners[kind].delete(name);
      gone.push(name);
    }
    if (gone.length > 0) this.#send([UNSUBSCRIBE[kind], ...gone]);
  }

  /** Write a (un)subscribe command. They have no ordinary reply, so no command waits in the queue. */
  #send(args: string[]): void {
    const conn = this.#connect().connection;
    // When offline, the ready handler subscribes everything listened to; nothing to queue.
    conn?.writeEncoded([], encodeCommand(args));
  }

  #connect(): SharedConnection {
    this.#shared ??= new SharedConnection({
      connection: this.#options.connection,
      reconnect: this.#options.reconnect,
      maxPending: 0,
      heartbeat: true, // it only listens: without a PING now and then, a frozen peer goes unnoticed
      hooks: {
        isPush: (value): value is RespValue[] => Array.isArray(value) && PUBSUB_FRAMES.has(asText(value[0])),
        onPush: (frame) => this.#onFrame(frame),
      },
      events: {
        connect: () => {},
        ready: (conn) => {
          for (const kind of Object.keys(this.#listeners) as SubscriptionKind[]) {
            const names = [...this.#listeners[kind].keys()];
            if (names.length > 0) conn.writeEncoded([], encodeCommand([kind.toUpperCase(), ...names]));
          }
        },
        error: (err) => this.#options.events.error(err),
        reconnecting: () => {},
        end: () => {},
      },
    });
    return this.#shared;
  }

  #awaitConfirmation(kind: SubscriptionKind, name: string): Promise<void> {
    return new Promise((resolve) => {
      const key = `${kind}:${name}`;
      const waiting = this.#confirmations.get(key);
      if (waiting) waiting.push(resolve);
      else this.#confirmations.set(key, [resolve]);
    });
  }

  #onFrame(frame: RespValue[]): void {
    const type = asText(frame[0]);
    const messageKind = MESSAGE_KINDS[type];
    if (messageKind === "psubscribe") {
      const pattern = asText(frame[1]);
      const channel = asText(frame[2]);
      for (const listener of this.#listeners.psubscribe.get(pattern) ?? []) deliver(listener, frame[3], channel, pattern);
    } else if (messageKind) {
      const channel = asText(frame[1]);
      for (const listener of this.#listeners[messageKind].get(channel) ?? []) deliver(listener, frame[2], channel);
    } else if (CONFIRM_KINDS[type]) {
      const key = `${CONFIRM_KINDS[type]}:${asText(frame[1])}`;
      for (const resolve of this.#confirmations.get(key) ?? []) resolve();
      this.#confirmations.delete(key);
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
