/**
 * `CLUSTER` subcommands that change the cluster: slot assignment, membership, failover, epochs.
 * They act on the node the command reaches: send them on a connection to that node.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { text, toOk } from "../replies.ts";
import { parsed, type Cmd } from "../spec.ts";

/** What `clusterSetslot` does with a slot. */
export type SetslotAction = { importing: string } | { migrating: string } | { node: string } | { stable: true };

function slots(name: string, list: readonly number[]): number[] {
  if (list.length === 0) throw new TypeError(`${name}: give at least one slot`);
  return [...list];
}

function ranges(name: string, list: ReadonlyArray<readonly [number, number]>): number[] {
  if (list.length === 0) throw new TypeError(`${name}: give at least one range`);
  return list.flatMap(([start, end]) => [start, end]);
}

function setslotArgs(slot: number, action: SetslotAction): Arg[] {
  if ("importing" in action) return ["CLUSTER", "SETSLOT", slot, "IMPORTING", action.importing];
  if ("migrating" in action) return ["CLUSTER", "SETSLOT", slot, "MIGRATING", action.migrating];
  if ("node" in action) return ["CLUSTER", "SETSLOT", slot, "NODE", action.node];
  return ["CLUSTER", "SETSLOT", slot, "STABLE"];
}

/** Cluster administration command table. */
export const clusterAdminCommands = {
  /** `CLUSTER ADDSLOTS slot...`: assign slots to this node. */
  clusterAddslots: (...slotList: number[]): Cmd<"OK"> => parsed(["CLUSTER", "ADDSLOTS", ...slots("clusterAddslots", slotList)], toOk),
  /** `CLUSTER ADDSLOTSRANGE start end...` (Redis 7): assign inclusive slot ranges to this node. */
  clusterAddslotsrange: (rangeList: ReadonlyArray<readonly [number, number]>): Cmd<"OK"> =>
    parsed(["CLUSTER", "ADDSLOTSRANGE", ...ranges("clusterAddslotsrange", rangeList)], toOk),
  /** `CLUSTER DELSLOTS slot...`: forget that this node serves these slots. */
  clusterDelslots: (...slotList: number[]): Cmd<"OK"> => parsed(["CLUSTER", "DELSLOTS", ...slots("clusterDelslots", slotList)], toOk),
  /** `CLUSTER DELSLOTSRANGE start end...` (Redis 7). */
  clusterDelslotsrange: (rangeList: ReadonlyArray<readonly [number, number]>): Cmd<"OK"> =>
    parsed(["CLUSTER", "DELSLOTSRANGE", ...ranges("clusterDelslotsrange", rangeList)], toOk),
  /** `CLUSTER FLUSHSLOTS`: forget every slot of this node (it must hold no keys). */
  clusterFlushslots: (): Cmd<"OK"> => parsed(["CLUSTER", "FLUSHSLOTS"], toOk),
  /** `CLUSTER SETSLOT slot IMPORTING|MIGRATING|NODE node-id | STABLE`: the steps of resharding. */
  clusterSetslot: (slot: number, action: SetslotAction): Cmd<"OK"> => parsed(setslotArgs(slot, action), toOk),
  /** `CLUSTER MEET host port [cluster-bus-port]`: introduce a node to this one. */
  clusterMeet: (host: string, port: number, busPort?: number): Cmd<"OK"> =>
    parsed(busPort === undefined ? ["CLUSTER", "MEET", host, port] : ["CLUSTER", "MEET", host, port, busPort], toOk),
  /** `CLUSTER FORGET node-id`: drop a node from this one's table (for 60 s). */
  clusterForget: (nodeId: string): Cmd<"OK"> => parsed(["CLUSTER", "FORGET", nodeId], toOk),
  /** `CLUSTER REPLICATE node-id`: make this node a replica of that master. */
  clusterReplicate: (nodeId: string): Cmd<"OK"> => parsed(["CLUSTER", "REPLICATE", nodeId], toOk),
  /** `CLUSTER FAILOVER [FORCE|TAKEOVER]`: run on a replica to promote it. */
  clusterFailover: (mode?: "FORCE" | "TAKEOVER"): Cmd<"OK"> => parsed(mode ? ["CLUSTER", "FAILOVER", mode] : ["CLUSTER", "FAILOVER"], toOk),
  /** `CLUSTER RESET [HARD|SOFT]`: forget the cluster (a master must hold no keys). */
  clusterReset: (mode?: "HARD" | "SOFT"): Cmd<"OK"> => parsed(mode ? ["CLUSTER", "RESET", mode] : ["CLUSTER", "RESET"], toOk),
  /** `CLUSTER SAVECONFIG`: write the node's cluster configuration to disk. */
  clusterSaveconfig: (): Cmd<"OK"> => parsed(["CLUSTER", "SAVECONFIG"], toOk),
  /** `CLUSTER BUMPEPOCH` → `"BUMPED <epoch>"` or `"STILL <epoch>"`. */
  clusterBumpepoch: (): Cmd<string> => parsed(["CLUSTER", "BUMPEPOCH"], text),
  /** `CLUSTER SET-CONFIG-EPOCH epoch`: a fresh node's first epoch. */
  clusterSetConfigEpoch: (epoch: number): Cmd<"OK"> => parsed(["CLUSTER", "SET-CONFIG-EPOCH", epoch], toOk),
};
