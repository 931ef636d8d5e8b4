/**
 * How a slot map read from the cluster becomes the table the router routes by: each shard's nodes
 * (made or reused, their roles assigned), every slot pointed at its shard, and the nodes that left
 * the topology closed. Apart from router.ts, which reads the table on every command and follows
 * redirections, because this rebuild runs only after a topology refresh.
 * @module
 */
import type { ClusterNode } from "./node.ts";
import { SLOTS } from "./slot.ts";
import type { NodeSpec, SlotMap } from "./topology.ts";

/** A shard's nodes, as commands are routed to them. */
export interface RoutedShard {
  readonly master: ClusterNode;
  readonly replicas: readonly ClusterNode[];
  /** Round-robin position among the replicas (those that may serve reads). */
  next: number;
}

/**
 * Point every slot of `bySlot` at its shard in `map`, with the nodes `nodeOf` makes or reuses
 * (kept in `nodes`, by address); nodes `map` no longer names leave `nodes` and close.
 *
 * @example
 * ```ts
 * routeBySlotMap(map, bySlot, nodes, (spec) => nodeAt(spec)); // nodeAt: the node at spec.address, made if new
 * bySlot[keySlot("user:1")]?.master;                            // the node serving "user:1" from now on
 * ```
 */
export function routeBySlotMap(
  map: SlotMap,
  bySlot: Array<RoutedShard | undefined>,
  nodes: Map<string, ClusterNode>,
  nodeOf: (spec: NodeSpec) => ClusterNode,
): void {
  const used = new Set<ClusterNode>();
  const routed = new Map(map.shards.map((shard) => {
    const master = nodeOf(shard.master);
    master.assignRole("master");
    used.add(master);
    const replicas: ClusterNode[] = [];
    for (const spec of shard.replicas) {
      const node = nodeOf(spec);
      node.assignRole("replica");
      used.add(node);
      if (spec.readable) replicas.push(node);
    }
    return [shard, { master, replicas, next: 0 } satisfies RoutedShard] as const;
  }));
  for (let slot = 0; slot < SLOTS; slot++) {
    const shard = map.shardOf(slot);
    bySlot[slot] = shard && routed.get(shard);
  }
  for (const [address, node] of nodes) {
    if (used.has(node)) continue;
    nodes.delete(address);
    void node.close(); // its unsent commands come back through reroute() and go by the new map
  }
}
