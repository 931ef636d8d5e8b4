/**
 * Reading the topology from the cluster: `CLUSTER SHARDS` (Redis 7+), or `CLUSTER SLOTS` on
 * servers that do not know it, asked of the first node that answers — over a node's live
 * multiplexed connection when it has one (no new socket), else over a short-lived connection.
 * @module
 */
import { Command } from "../conn/command.ts";
import type { Connection } from "../conn/connection.ts";
import { openConnection } from "../conn/open.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { NodeAddress } from "../topology/options.ts";
import type { ClusterNode } from "./node.ts";
import type { ResolvedClusterOptions } from "./options.ts";
import { addressOf, slotMapFromShards, slotMapFromSlots, type AddressMapper, type SlotMap } from "./topology.ts";

/** A node to ask, with its live connection if it has one. */
export interface Candidate extends NodeAddress {
  connection?: Connection;
}

/**
 * Nodes to ask, in order: those of `nodes` with a live connection first (no new socket), masters
 * before replicas, then the seeds not among them.
 *
 * @example
 * ```ts
 * const map = await reader.read(refreshCandidates(nodes, options));
 * ```
 */
export function refreshCandidates(nodes: ReadonlyMap<string, ClusterNode>, options: Pick<ResolvedClusterOptions, "seeds" | "addressMap">): Candidate[] {
  const known = [...nodes.values()].sort((a, b) => Number(b.ready) - Number(a.ready) || Number(a.role === "replica") - Number(b.role === "replica"));
  const out: Candidate[] = known.map((node) => ({ host: node.host, port: node.port, connection: node.connection }));
  for (const seed of options.seeds) {
    const mapped = options.addressMap(seed);
    if (!nodes.has(addressOf(mapped))) out.push(mapped);
  }
  return out;
}

/** How long one node may take to answer, ms: a slow node must not hold up a failover. */
const ASK_TIMEOUT_MS = 2_000;

/** Remembers, per client, whether the servers lack `CLUSTER SHARDS`. */
export class TopologyReader {
  #slotsOnly = false;
  readonly #options: ResolvedConnectionOptions;
  readonly #map: AddressMapper;

  constructor(options: ResolvedConnectionOptions, map: AddressMapper) {
    this.#options = options;
    this.#map = map;
  }

  /**
   * The slot map according to the first candidate that answers with one covering any slot.
   * Rejects with a `ConnectionError` naming the last failure when none does.
   */
  async read(candidates: readonly Candidate[]): Promise<SlotMap> {
    let last: unknown;
    for (const candidate of candidates) {
      try {
        const map = await this.#readFrom(candidate);
        if (map.covered > 0) return map;
        last = new RedisError(`ERR ${candidate.host}:${candidate.port} reported no slots`);
      } catch (err) {
        last = err;
      }
    }
    throw new ConnectionError(`no cluster node answered with the topology (asked ${candidates.length})`, { cause: last });
  }

  async #readFrom(candidate: Candidate): Promise<SlotMap> {
    if (!this.#slotsOnly) {
      try {
        const reply = await this.#ask(candidate, ["CLUSTER", "SHARDS"]);
        return slotMapFromShards(reply, candidate, this.#map, this.#options.tls !== undefined);
      } catch (err) {
        // Redis < 7: "ERR unknown subcommand 'SHARDS'". Anything else is this node's failure.
        if (!(err instanceof RedisError && /unknown subcommand|unknown command/i.test(err.message))) throw err;
        this.#slotsOnly = true;
      }
    }
    return slotMapFromSlots(await this.#ask(candidate, ["CLUSTER", "SLOTS"]), candidate, this.#map);
  }

  async #ask(candidate: Candidate, args: Arg[]): Promise<RespValue> {
    if (candidate.connection?.state === "ready") return send(candidate.connection, args);
    const timeout = Math.min(this.#options.connectTimeout, ASK_TIMEOUT_MS);
    const conn = await openConnection({ ...this.#options, host: candidate.host, port: candidate.port, path: undefined, connectTimeout: timeout });
    try {
      return await send(conn, args);
    } finally {
      void conn.close(0);
    }
  }
}

function send(conn: Connection, args: Arg[]): Promise<RespValue> {
  const cmd = new Command(args, false, ASK_TIMEOUT_MS);
  cmd.armTimer((c) => c.fail(new TimeoutError(`${args.join(" ")} on ${conn.address} timed out after ${ASK_TIMEOUT_MS} ms`)));
  conn.write(cmd);
  return cmd.promise;
}
