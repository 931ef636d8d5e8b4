/**
 * The slot map: which master (and which replicas) serve each of the 16384 slots, read from
 * `CLUSTER SHARDS` (Redis 7) or, on older servers, `CLUSTER SLOTS`. Pure: parsing only, no I/O.
 * @module
 */
import { toRecord } from "../client/spec.ts";
import type { RespValue } from "../resp/types.ts";
import { SLOTS } from "./slot.ts";
import type { NodeAddress } from "../topology/options.ts";


/** Maps an address a node announces to one this client can reach (NAT, containers). */
export type AddressMapper = (announced: NodeAddress) => NodeAddress;

/** One node as the slot map knows it. */
export interface NodeSpec extends NodeAddress {
  /** `host:port`, the key nodes are known by. */
  readonly address: string;
  readonly role: "master" | "replica";
  /**
   * False for a replica that reported no replicated data yet (`CLUSTER SHARDS` health `loading`):
   * it belongs to the shard, but reads do not go to it.
   */
  readonly readable: boolean;
}

/** A master and its replicas (failed nodes left out). */
export interface Shard {
  readonly master: NodeSpec;
  readonly replicas: readonly NodeSpec[];
}

/** `host:port` (IPv6 hosts bracketed), the key a node is known by. */
export function addressOf(node: NodeAddress): string {
  return node.host.includes(":") ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}

/**
 * Which shard serves each slot.
 *
 * @example
 * ```ts
 * const map = slotMapFromShards(await seed.send(["CLUSTER", "SHARDS"]), { host: "127.0.0.1", port: 7000 }, (a) => a);
 * map.shardOf(keySlot("user:1"))?.master.address; // "127.0.0.1:7001"
 * ```
 */
export class SlotMap {
  readonly shards: readonly Shard[];
  /** Slot → index into `shards` + 1; 0 when no shard serves it. */
  readonly #owner: Uint16Array;

  constructor(shards: readonly Shard[], owner: Uint16Array) {
    this.shards = shards;
    this.#owner = owner;
  }

  /** The shard serving `slot`, if any. */
  shardOf(slot: number): Shard | undefined {
    const i = this.#owner[slot]!;
    return i === 0 ? undefined : this.shards[i - 1];
  }

  /** How many slots some shard serves. */
  get covered(): number {
    let n = 0;
    for (const i of this.#owner) if (i !== 0) n++;
    return n;
  }

  /** Every node of every shard that serves a slot, masters first. */
  nodes(): NodeSpec[] {
    const serving = this.shards.filter((_, i) => this.#owner.includes(i + 1));
    return [...serving.map((s) => s.master), ...serving.flatMap((s) => s.replicas)];
  }

  /** A copy in which `slot` is served by `master` (on `MOVED`, before the next refresh). */
  withSlot(slot: number, master: NodeSpec): SlotMap {
    const owner = this.#owner.slice();
    let index = this.shards.findIndex((s) => s.master.address === master.address);
    const shards = index >= 0 ? this.shards : [...this.shards, { master, replicas: [] }];
    if (index < 0) index = shards.length - 1;
    owner[slot] = index + 1;
    return new SlotMap(shards, owner);
  }
}

/** Builds a {@link SlotMap} shard by shard, merging shards that name the same master. */
class SlotMapBuilder {
  #shards: Shard[] = [];
  #owner = new Uint16Array(SLOTS);

  add(master: NodeSpec, replicas: NodeSpec[], ranges: Array<[number, number]>): void {
    let index = this.#shards.findIndex((s) => s.master.address === master.address);
    if (index < 0) index = this.#shards.push({ master, replicas }) - 1;
    for (const [start, end] of ranges) {
      if (!(start >= 0 && end < SLOTS && start <= end)) throw new RangeError(`bad slot range ${start}-${end} in the cluster's reply`);
      this.#owner.fill(index + 1, start, end + 1);
    }
  }

  build(): SlotMap {
    return new SlotMap(this.#shards, this.#owner);
  }
}

const text = new TextDecoder();
function str(value: RespValue | undefined): string {
  return value instanceof Uint8Array ? text.decode(value) : value === null || value === undefined ? "" : String(value);
}

/**
 * The host a node announces: its endpoint, or — when that is unknown (`?`) or empty, meaning
 * "the address you reached me on" — the host of the node that answered.
 */
function announcedHost(endpoint: string, ip: string, answeredBy: NodeAddress): string {
  if (endpoint && endpoint !== "?") return endpoint;
  if (ip && ip !== "?") return ip;
  return answeredBy.host;
}

/** Parse a `CLUSTER SHARDS` reply (RESP2 or RESP3). Failed nodes are left out. */
export function slotMapFromShards(reply: RespValue, answeredBy: NodeAddress, map: AddressMapper, tls = false): SlotMap {
  const builder = new SlotMapBuilder();
  for (const shardValue of asList(reply)) {
    const shard = toRecord<RespValue>(shardValue);
    const flat = asList(shard.slots).map(Number);
    const ranges: Array<[number, number]> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) ranges.push([flat[i]!, flat[i + 1]!]);
    let master: NodeSpec | undefined;
    const replicas: NodeSpec[] = [];
    for (const nodeValue of asList(shard.nodes)) {
      const node = toRecord<RespValue>(nodeValue);
      const health = str(node.health);
      if (health === "failed") continue;
      const port = Number(tls && node["tls-port"] !== undefined ? node["tls-port"] : node.port);
      const reachable = map({ host: announcedHost(str(node.endpoint), str(node.ip), answeredBy), port });
      const role = str(node.role) === "master" ? "master" : "replica";
      const spec: NodeSpec = { ...reachable, address: addressOf(reachable), role, readable: health !== "loading" };
      if (role === "master") master = spec;
      else replicas.push(spec);
    }
    if (master && ranges.length > 0) builder.add(master, replicas, ranges);
  }
  return builder.build();
}

/** Parse a `CLUSTER SLOTS` reply (`[start, end, [host, port, id, ...], replica...]` per range). */
export function slotMapFromSlots(reply: RespValue, answeredBy: NodeAddress, map: AddressMapper): SlotMap {
  const builder = new SlotMapBuilder();
  for (const rangeValue of asList(reply)) {
    const [start, end, ...nodeValues] = asList(rangeValue);
    const specs = nodeValues.map((value, i): NodeSpec => {
      const [host, port] = asList(value);
      const reachable = map({ host: announcedHost(str(host), "", answeredBy), port: Number(port) });
      return { ...reachable, address: addressOf(reachable), role: i === 0 ? "master" : "replica", readable: true };
    });
    if (specs.length > 0) builder.add(specs[0]!, specs.slice(1), [[Number(start), Number(end)]]);
  }
  return builder.build();
}

function asList(value: RespValue | undefined): RespValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  return [];
}
