/**
 * `CLUSTER` subcommands that read the cluster's state: its health, its nodes, which slots they
 * serve, and where a key lives. (On a server without cluster support they reject with `ERR`.)
 * @module
 */
import type { RespValue } from "../../resp/types.ts";
import { camelCase, fields, list, text, toNumber } from "../replies.ts";
import { parsed, raw, type Cmd, type DataCmd, type Key } from "../spec.ts";

/** `CLUSTER INFO`'s fields by their Redis names; numeric ones are numbers. */
export interface ClusterInfo {
  cluster_state: "ok" | "fail";
  cluster_slots_assigned: number;
  cluster_known_nodes: number;
  cluster_size: number;
  cluster_current_epoch: number;
  [field: string]: string | number;
}

/** A node as one line of `CLUSTER NODES` (or `CLUSTER REPLICAS`) describes it. */
export interface ClusterNode {
  id: string;
  host: string;
  port: number;
  busPort: number;
  /** The announced hostname, when the node has one. */
  hostname?: string;
  /** `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`, `nofailover`, `noflags`. */
  flags: string[];
  /** The master's ID, for a replica. */
  masterId: string | null;
  pingSent: number;
  pongReceived: number;
  configEpoch: number;
  linkState: "connected" | "disconnected";
  /** Inclusive slot ranges it serves. */
  slots: Array<[start: number, end: number]>;
  /** Slots being moved away, and to which node. */
  migrating: Array<{ slot: number; to: string }>;
  /** Slots being moved in, and from which node. */
  importing: Array<{ slot: number; from: string }>;
}

/** A node of a shard, as `CLUSTER SHARDS` reports it (fields by their Redis names, camel-cased). */
export interface ShardNode {
  id: string;
  endpoint: string;
  ip: string;
  hostname?: string;
  port?: number;
  tlsPort?: number;
  role: "master" | "replica";
  replicationOffset: number;
  health: "online" | "failed" | "loading";
}

/** One shard: its slot ranges and nodes. */
export interface ClusterShard {
  slots: Array<[start: number, end: number]>;
  nodes: ShardNode[];
}

/** A node serving a slot range, as `CLUSTER SLOTS` lists it. */
export interface SlotNode {
  host: string;
  port: number;
  id: string;
  /** `hostname` and other announced metadata (Redis 7). */
  metadata: Record<string, string>;
}

/** A slot range and its nodes, master first. */
export interface ClusterSlotRange {
  start: number;
  end: number;
  master: SlotNode;
  replicas: SlotNode[];
}

/** A cluster-bus link, as `CLUSTER LINKS` reports it. */
export interface ClusterLink {
  direction: "to" | "from";
  node: string;
  createTime: number;
  events: string;
  sendBufferAllocated: number;
  sendBufferUsed: number;
}

function toInfo(reply: RespValue): ClusterInfo {
  const info = Object.create(null) as ClusterInfo;
  for (const line of text(reply).split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const value = line.slice(colon + 1).trim();
    info[line.slice(0, colon)] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return info;
}

/** `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> <slot> ...` */
export function parseClusterNode(line: string): ClusterNode {
  const [id, address, flags, master, pingSent, pongReceived, configEpoch, linkState, ...slotWords] = line.trim().split(" ");
  const [hostPort, hostname] = address!.split(",");
  const at = hostPort!.lastIndexOf("@");
  const colon = hostPort!.lastIndexOf(":", at);
  const node: ClusterNode = {
    id: id!,
    host: hostPort!.slice(0, colon),
    port: Number(hostPort!.slice(colon + 1, at)),
    busPort: Number(hostPort!.slice(at + 1)),
    flags: flags!.split(","),
    masterId: master === "-" ? null : master!,
    pingSent: Number(pingSent),
    pongReceived: Number(pongReceived),
    configEpoch: Number(configEpoch),
    linkState: linkState as "connected",
    slots: [],
    migrating: [],
    importing: [],
  };
  if (hostname) node.hostname = hostname;
  for (const word of slotWords) {
    const moving = /^\[(\d+)-([<>])-(\w+)\]$/.exec(word); // [slot->-id] migrating, [slot-<-id] importing
    if (moving) {
      if (moving[2] === ">") node.migrating.push({ slot: Number(moving[1]), to: moving[3]! });
      else node.importing.push({ slot: Number(moving[1]), from: moving[3]! });
      continue;
    }
    const [start, end] = word.split("-");
    node.slots.push([Number(start), Number(end ?? start)]);
  }
  return node;
}

const toNodes = (reply: RespValue): ClusterNode[] =>
  (Array.isArray(reply) ? reply.map(text) : text(reply).split("\n")).filter((l) => l.trim()).map(parseClusterNode);

function toRanges(reply: RespValue): Array<[number, number]> {
  const bounds = list(reply).map(toNumber);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < bounds.length; i += 2) out.push([bounds[i]!, bounds[i + 1]!]);
  return out;
}

/** A map's fields camel-cased; integers stay numbers, the rest become text. */
function camelFields(reply: RespValue): Record<string, string | number> {
  const out = Object.create(null) as Record<string, string | number>;
  for (const [name, value] of Object.entries(fields(reply, (v) => v))) out[camelCase(name)] = typeof value === "number" ? value : text(value);
  return out;
}

function toShards(reply: RespValue): ClusterShard[] {
  return list(reply).map((shard) => {
    const f = fields(shard, (v) => v);
    return { slots: toRanges(f.slots!), nodes: list(f.nodes).map((n) => camelFields(n) as unknown as ShardNode) };
  });
}

function toSlotNode(reply: RespValue): SlotNode {
  const [host, port, id, metadata] = list(reply);
  return { host: text(host), port: toNumber(port), id: text(id), metadata: fields(metadata, text) };
}

function toSlots(reply: RespValue): ClusterSlotRange[] {
  return list(reply).map((range) => {
    const [start, end, master, ...replicas] = list(range);
    return { start: toNumber(start), end: toNumber(end), master: toSlotNode(master!), replicas: replicas.map(toSlotNode) };
  });
}

/** Cluster state command table. */
export const clusterInfoCommands = {
  /** `CLUSTER INFO` → the cluster's state and counters. */
  clusterInfo: (): Cmd<ClusterInfo> => parsed(["CLUSTER", "INFO"], toInfo),
  /** `CLUSTER MYID` → this node's ID. */
  clusterMyid: (): Cmd<string> => parsed(["CLUSTER", "MYID"], text),
  /** `CLUSTER NODES` → every node this one knows, parsed. */
  clusterNodes: (): Cmd<ClusterNode[]> => parsed(["CLUSTER", "NODES"], toNodes),
  /** `CLUSTER REPLICAS node-id` → the master's replicas, parsed as `clusterNodes` does. */
  clusterReplicas: (nodeId: string): Cmd<ClusterNode[]> => parsed(["CLUSTER", "REPLICAS", nodeId], toNodes),
  /** @deprecated Redis 5: use `clusterReplicas`. `CLUSTER SLAVES node-id`. */
  clusterSlaves: (nodeId: string): Cmd<ClusterNode[]> => parsed(["CLUSTER", "SLAVES", nodeId], toNodes),
  /** `CLUSTER SHARDS` (Redis 7) → each shard's slot ranges and nodes. */
  clusterShards: (): Cmd<ClusterShard[]> => parsed(["CLUSTER", "SHARDS"], toShards),
  /** @deprecated Redis 7: use `clusterShards`. `CLUSTER SLOTS` → slot ranges and their nodes. */
  clusterSlots: (): Cmd<ClusterSlotRange[]> => parsed(["CLUSTER", "SLOTS"], toSlots),
  /** `CLUSTER LINKS` → this node's cluster-bus links. */
  clusterLinks: (): Cmd<ClusterLink[]> => parsed(["CLUSTER", "LINKS"], (r) => list(r).map((l) => camelFields(l) as unknown as ClusterLink)),
  /** `CLUSTER KEYSLOT key` → the key's hash slot (0-16383; `{tag}` hashes only the tag). */
  clusterKeyslot: (key: Key): Cmd<number> => raw(["CLUSTER", "KEYSLOT", key]),
  /** `CLUSTER COUNTKEYSINSLOT slot` → how many keys this node holds in the slot. */
  clusterCountkeysinslot: (slot: number): Cmd<number> => raw(["CLUSTER", "COUNTKEYSINSLOT", slot]),
  /** `CLUSTER GETKEYSINSLOT slot count` → up to `count` of the slot's keys on this node. */
  clusterGetkeysinslot: (slot: number, count: number): DataCmd<string[]> => raw(["CLUSTER", "GETKEYSINSLOT", slot, count]),
  /** `CLUSTER COUNT-FAILURE-REPORTS node-id` → how many nodes currently report it failing. */
  clusterCountFailureReports: (nodeId: string): Cmd<number> => raw(["CLUSTER", "COUNT-FAILURE-REPORTS", nodeId]),
};
