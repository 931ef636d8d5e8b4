/**
 * What a cluster client (`createCluster()`) tells of itself: the events it emits, and the counters
 * `stats()` reads off its router and nodes. Apart from client.ts, which is the command surface,
 * like the multiplexer's client-events.ts.
 * @module
 */
import type { CacheStats } from "../cache/store.ts";
import type { ClusterNode } from "./node.ts";
import type { Router } from "./router.ts";
import type { SlotMap } from "./topology.ts";

/** Events of a {@link RedisCluster}. */
export interface ClusterEvents {
  [event: string]: unknown;
  /** A node connection failed or was lost, or no node answered with the topology. The client keeps trying. */
  error: Error;
  /** A topology was read and applied: the address of every master and replica. */
  topology: { masters: string[]; replicas: string[] };
  /** `close()` finished. */
  end: { error?: Error };
}

/** Counters of a {@link RedisCluster}. */
export interface ClusterStats {
  /** Slots some master serves, in the map last applied. */
  slotsCovered: number;
  /** Channels and patterns subscribed. */
  subscriptions: number;
  /** Per node: its role, connection state, queued and in-flight commands, dedicated connections. */
  nodes: Array<ReturnType<ClusterNode["stats"]>>;
  /** The client-side cache's counters, when the client has one (option `cache`). */
  cache?: CacheStats;
}

/**
 * The `topology` event of an applied slot map: the address of every master and replica.
 *
 * @example
 * ```ts
 * topologyEvent(map); // { masters: ["127.0.0.1:7000", ...], replicas: ["127.0.0.1:7003", ...] }
 * ```
 */
export function topologyEvent(map: SlotMap): ClusterEvents["topology"] {
  const nodes = map.nodes();
  return {
    masters: nodes.filter((n) => n.role === "master").map((n) => n.address),
    replicas: nodes.filter((n) => n.role === "replica").map((n) => n.address),
  };
}

/**
 * The counters of a cluster client, read off its router and every node.
 *
 * @example
 * ```ts
 * readClusterStats(router, pubsub.count).slotsCovered; // 16384 once every slot is served
 * ```
 */
export function readClusterStats(router: Router, subscriptions: number): ClusterStats {
  return {
    slotsCovered: router.map?.covered ?? 0,
    subscriptions,
    nodes: router.nodes.map((node) => node.stats()),
    ...(router.cache && { cache: router.cache.stats() }),
  };
}
