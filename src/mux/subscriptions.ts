/**
 * What a subscriber listens to, and which of its (un)subscribe commands the server has not
 * answered yet. Those commands have no reply a command could wait for: the server confirms each
 * name in a frame of its own, in order, or refuses the whole command with one error reply (an ACL
 * `NOPERM`). So the written commands are kept in order and settled from those frames, and a
 * subscription counts as subscribed only once the server confirmed it on the current connection.
 * @module
 */
import type { RedisError } from "../errors.ts";

/** Plain, pattern or sharded subscriptions. */
export type SubscriptionKind = "subscribe" | "psubscribe" | "ssubscribe";

/** Receives a message; `pattern` is set for pattern subscriptions. */
export type MessageListener = (message: string | Uint8Array, channel: string, pattern?: string) => void;

/** The three kinds, for loops. */
export const KINDS: readonly SubscriptionKind[] = ["subscribe", "psubscribe", "ssubscribe"];

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
  /** How many commands its connection had queued when it was written: their replies come first. */
  after: number;
  /** Names not confirmed yet, each with the subscription its confirmation settles (none when unsubscribing). */
  awaiting: Map<string, Subscription | undefined>;
}

/** The listeners of one subscriber, and its commands awaiting the server's answer. */
export class Subscriptions {
  #byKind: Record<SubscriptionKind, Map<string, Subscription>> = {
    subscribe: new Map(),
    psubscribe: new Map(),
    ssubscribe: new Map(),
  };
  /** Commands written on the current connection not fully answered, oldest first (the server answers in order). */
  #written: Written[] = [];
  /** Where a refusal nobody waits for is reported. */
  #report: (err: Error) => void;

  constructor(report: (err: Error) => void) {
    this.#report = report;
  }

  /** Channels and patterns listened to. */
  get size(): number {
    return this.#byKind.subscribe.size + this.#byKind.psubscribe.size + this.#byKind.ssubscribe.size;
  }

  /**
   * Whether an error reply arriving now can be the refusal of the oldest command not answered yet:
   * one awaits an answer, and every command its connection queued before it (a heartbeat PING)
   * has had its reply (`answered` of them have), so the error is not one of theirs.
   */
  mayBeRefused(answered: number): boolean {
    const oldest = this.#written[0];
    return oldest !== undefined && oldest.after <= answered;
  }

  /**
   * Add `listener` to `names`. Returns the names nobody listened to before (to subscribe), and a
   * promise per name the server has not confirmed yet — including names another call is still
   * subscribing, so no caller counts as subscribed before the server said so.
   */
  add(kind: SubscriptionKind, names: string[], listener: MessageListener): { fresh: string[]; confirmations: Promise<void>[] } {
    const fresh: string[] = [];
    const confirmations: Promise<void>[] = [];
    const map = this.#byKind[kind];
    for (const name of new Set(names)) {
      let subscription = map.get(name);
      if (!subscription) {
        map.set(name, (subscription = { listeners: new Set(), confirmed: false, waiters: [] }));
        fresh.push(name);
      }
      subscription.listeners.add(listener);
      const waiters = subscription.waiters;
      if (!subscription.confirmed) confirmations.push(new Promise((resolve, reject) => waiters.push({ resolve, reject })));
    }
    return { fresh, confirmations };
  }

  /** Remove `listener` from `names`; returns the names nobody listens to any more (to unsubscribe). */
  remove(kind: SubscriptionKind, names: string[], listener: MessageListener): string[] {
    const gone: string[] = [];
    for (const name of names) {
      const subscription = this.#byKind[kind].get(name);
      if (!subscription?.listeners.delete(listener) || subscription.listeners.size > 0) continue;
      this.#byKind[kind].delete(name);
      gone.push(name);
    }
    return gone;
  }

  /** The listeners of one channel or pattern. */
  listeners(kind: SubscriptionKind, name: string): Iterable<MessageListener> {
    return this.#byKind[kind].get(name)?.listeners ?? [];
  }

  /** Every name of `kind` listened to. */
  names(kind: SubscriptionKind): Iterable<string> {
    return this.#byKind[kind].keys();
  }

  /** An (un)subscribe command of `names` was written on the current connection, after `after` commands queued there. */
  written(kind: SubscriptionKind, names: string[], subscribing: boolean, after: number): void {
    const awaiting = new Map(names.map((name) => [name, subscribing ? this.#byKind[kind].get(name) : undefined]));
    this.#written.push({ kind, subscribing, after, awaiting });
  }

  /** The server confirmed one name of a command written; once it confirmed them all, the command is done. */
  confirm(kind: SubscriptionKind, name: string, subscribing: boolean): void {
    const index = this.#written.findIndex((w) => w.kind === kind && w.subscribing === subscribing && w.awaiting.has(name));
    if (index < 0) return; // not asked for (a server-side SUNSUBSCRIBE, say): nothing waits for it
    const written = this.#written[index]!;
    const subscription = written.awaiting.get(name);
    written.awaiting.delete(name);
    if (written.awaiting.size === 0) this.#written.splice(index, 1);
    // The subscription may have been dropped (and even made anew, with a command of its own) since.
    if (!subscription || this.#byKind[kind].get(name) !== subscription) return;
    subscription.confirmed = true;
    for (const waiter of subscription.waiters.splice(0)) waiter.resolve();
  }

  /**
   * The server refused the oldest command not answered yet (Redis refuses a command whole, so none
   * of its names was subscribed): those names are dropped and their waiting callers get `err`. A
   * refusal no caller waits for (a resubscription after a reconnect, an unsubscribe) is reported.
   */
  refuse(err: RedisError): void {
    const written = this.#written.shift();
    if (!written) return;
    let unreported = !written.subscribing;
    for (const [name, subscription] of written.awaiting) {
      if (!subscription || this.#byKind[written.kind].get(name) !== subscription) continue;
      this.#byKind[written.kind].delete(name);
      if (subscription.waiters.length === 0) unreported = true;
      for (const waiter of subscription.waiters.splice(0)) waiter.reject(err);
    }
    if (unreported) this.#report(err);
  }

  /** The connection is gone: nothing written on it will be answered, nothing is subscribed until the next one confirms it. */
  disconnected(): void {
    this.#written.length = 0;
    for (const kind of KINDS) for (const subscription of this.#byKind[kind].values()) subscription.confirmed = false;
  }

  /** Reject every `subscribe()` call still waiting for a confirmation. */
  rejectWaiters(err: Error): void {
    for (const kind of KINDS) {
      for (const subscription of this.#byKind[kind].values()) for (const waiter of subscription.waiters.splice(0)) waiter.reject(err);
    }
  }
}
