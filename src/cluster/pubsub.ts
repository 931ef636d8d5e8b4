/**
 * Pub/sub over a cluster. Plain and pattern subscriptions live on one node's subscriber connection
 * (Redis forwards every `PUBLISH` to every node, so any node hears every channel), the master of
 * slot 0 when they were made; if that node leaves the topology they move. Sharded subscriptions (`SSUBSCRIBE`,
 * Redis 7) live on the master of their channel's slot, and follow the slot when a resharding or a
 * failover moves it (the old owner drops them with a `SUNSUBSCRIBE` of its own).
 *
 * Each (kind, name) has one subscription on one node, whose listener fans out to every listener
 * the application added; moving it means subscribing on the new node, then unsubscribing the old.
 * Messages published while a subscription moves may be missed: pub/sub is at-most-once.
 * @module
 */
import type { MessageListener, SubscriptionKind } from "../mux/subscriber.ts";
import type { ClusterNode } from "./node.ts";
import type { Router } from "./router.ts";
import { keySlot } from "./slot.ts";

interface Subscription {
  readonly kind: SubscriptionKind;
  readonly name: string;
  readonly listeners: Set<MessageListener>;
  /** The node it is subscribed on, once confirmed. */
  node: ClusterNode | undefined;
  /** Unsubscribes it there. */
  off: (() => Promise<void>) | undefined;
  /** Set while it is being (re)subscribed. */
  moving: Promise<void> | undefined;
}

/** Every subscription of one cluster client. */
export class ClusterPubSub {
  readonly #router: Router;
  readonly #onError: (err: Error) => void;
  readonly #subscriptions = new Map<string, Subscription>();

  constructor(router: Router, onError: (err: Error) => void) {
    this.#router = router;
    this.#onError = onError;
  }

  /** Number of channels and patterns subscribed. */
  get count(): number {
    return this.#subscriptions.size;
  }

  /** Listen on `names`; resolves once each is subscribed, to a function that removes this listener. */
  async subscribe(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<() => Promise<void>> {
    if (names.length === 0) throw new TypeError(`${kind}: give at least one channel or pattern`);
    if (typeof listener !== "function") throw new TypeError(`${kind}: listener must be a function`);
    await this.#router.whenMapped(this.#router.options.connection.commandTimeout);
    const unsubscribe = () => this.#remove(kind, names, listener);
    try {
      await Promise.all(names.map((name) => {
        const key = `${kind}:${name}`;
        let sub = this.#subscriptions.get(key);
        if (!sub) {
          sub = { kind, name, listeners: new Set(), node: undefined, off: undefined, moving: undefined };
          this.#subscriptions.set(key, sub);
        }
        sub.listeners.add(listener);
        return sub.node ? undefined : (sub.moving ?? this.#place(sub));
      }));
    } catch (err) {
      await unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** The topology changed: move subscriptions whose node no longer is the right one. */
  follow(): void {
    for (const sub of this.#subscriptions.values()) {
      if (!sub.moving && this.#target(sub) !== sub.node) void this.#place(sub).catch((err: Error) => this.#onError(err));
    }
  }

  /**
   * Where `sub` belongs now: its slot's master (sharded); else where it is, while that node is
   * still part of the cluster, or the master of slot 0.
   */
  #target(sub: Subscription): ClusterNode | undefined {
    if (sub.kind === "ssubscribe") return this.#router.masterOf(keySlot(sub.name));
    if (sub.node && this.#router.knows(sub.node)) return sub.node;
    return this.#router.nodeFor({ slot: -1, readonly: false, blocking: undefined, dedicated: false });
  }

  /** Subscribe `sub` on its target node, then let go of where it was. */
  #place(sub: Subscription): Promise<void> {
    const moving = (async () => {
      const target = this.#target(sub);
      if (!target) throw new Error(`${sub.kind} ${sub.name}: no node serves it now`);
      const previous = sub.off;
      const off = await target.subscriber.subscribe(sub.kind, [sub.name], (message, channel, pattern) => {
        for (const listener of sub.listeners) listener(message, channel, pattern);
      });
      if (this.#subscriptions.get(`${sub.kind}:${sub.name}`) !== sub) return void off(); // unsubscribed meanwhile
      sub.node = target;
      sub.off = off;
      await previous?.();
    })();
    sub.moving = moving;
    const done = () => {
      if (sub.moving === moving) sub.moving = undefined;
    };
    moving.then(done, () => {
      done();
      this.#router.refresh(); // the topology may be stale; the refresh's follow() tries again
    });
    return moving;
  }

  async #remove(kind: SubscriptionKind, names: string[], listener: MessageListener): Promise<void> {
    const offs: Array<Promise<void>> = [];
    for (const name of names) {
      const key = `${kind}:${name}`;
      const sub = this.#subscriptions.get(key);
      if (!sub?.listeners.delete(listener) || sub.listeners.size > 0) continue;
      this.#subscriptions.delete(key);
      if (sub.off) offs.push(sub.off());
    }
    await Promise.all(offs);
  }
}
