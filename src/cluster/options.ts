/**
 * Options of `createCluster()`: where to start discovering the cluster, how to route reads and
 * follow redirections, plus every option `createClient()` takes for each node's connections.
 * @module
 */
import { resolveCacheOptions, type ResolvedCacheOptions } from "../cache/options.ts";
import { resolveReconnect, type ResolvedReconnect } from "../conn/backoff.ts";
import { parseRedisUrl, resolveConnectionOptions, type ResolvedConnectionOptions } from "../conn/options.ts";
import type { ClientOptions } from "../mux/options.ts";
import type { NodeAddress, ReadFrom } from "../topology/options.ts";
import type { AddressMapper } from "./topology.ts";


/**
 * Everything `createCluster()` accepts.
 *
 * @example
 * ```ts
 * const cluster = createCluster({
 *   nodes: ["redis://10.0.0.1:7000", { host: "10.0.0.2", port: 7000 }],
 *   readFrom: "replica",
 *   addressMap: { "10.0.0.1:7000": { host: "localhost", port: 17000 } },
 * });
 * ```
 */
export interface ClusterOptions extends Omit<ClientOptions, "url" | "host" | "port" | "path" | "db"> {
  /** Seed nodes: any reachable one tells the client the whole topology. URLs may carry credentials and `rediss:`. */
  nodes: Array<string | NodeAddress>;
  /**
   * Where read-only commands go (the command table says which are): `"master"` (default); `"replica"`:
   * a replica of the key's slot, round robin, the master when the slot has none; `"prefer-replica"`:
   * like `"replica"`, but the master while no replica connection is up.
   */
  readFrom?: ReadFrom;
  /** Most redirections (`MOVED`, `ASK`) and retries (`TRYAGAIN`, `CLUSTERDOWN`, lost node) per command. Default `16`. */
  maxRedirections?: number;
  /** Ask the cluster for its topology this often, ms, besides on `MOVED` and lost nodes; `0` never. Default `10000`. */
  refreshInterval?: number;
  /**
   * Translate the addresses nodes announce (`"host:port"`) to ones this client can reach — for NAT,
   * Docker or Kubernetes port mappings. A table, or a function of `{ host, port }`.
   */
  addressMap?: Record<string, NodeAddress | string> | AddressMapper;
}

/** {@link ClusterOptions} with defaults applied. */
export interface ResolvedClusterOptions {
  seeds: NodeAddress[];
  /** Every node's connection options but host and port. */
  connection: ResolvedConnectionOptions;
  reconnect: ResolvedReconnect;
  maxPending: number;
  maxBlockingConnections: number;
  readFrom: ReadFrom;
  maxRedirections: number;
  refreshInterval: number;
  addressMap: AddressMapper;
  cache: ResolvedCacheOptions | undefined;
}

const READ_FROM: readonly ReadFrom[] = ["master", "replica", "prefer-replica"];

/** Validate and apply defaults. */
export function resolveClusterOptions(input: ClusterOptions): ResolvedClusterOptions {
  if (input === null || typeof input !== "object" || !Array.isArray(input.nodes) || input.nodes.length === 0) {
    throw new TypeError("createCluster: give at least one seed node in the nodes option");
  }
  const {
    nodes, readFrom = "master", maxRedirections = 16, refreshInterval = 10_000, addressMap,
    reconnect, maxPending = 100_000, maxBlockingConnections = 32, cache: givenCache, ...connection
  } = input;
  if (!READ_FROM.includes(readFrom)) throw new TypeError(`option readFrom must be one of ${READ_FROM.join(", ")}, got ${String(readFrom)}`);
  const cache = resolveCacheOptions(givenCache);
  // As createClient: replicas send no invalidations for what this client reads through a master's tracking.
  if (cache && readFrom !== "master") throw new TypeError("option cache works with readFrom: \"master\" only: a replica's reads are not tracked");
  for (const [name, value, min] of [
    ["maxRedirections", maxRedirections, 1], ["refreshInterval", refreshInterval, 0],
    ["maxPending", maxPending, 1], ["maxBlockingConnections", maxBlockingConnections, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) throw new TypeError(`option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  // Credentials and TLS may come with a seed URL; options given directly win.
  const fromUrl = nodes.map((node) => (typeof node === "string" ? parseRedisUrl(node) : undefined)).find((parsed) => parsed);
  const seeds = nodes.map((node): NodeAddress => {
    const given = typeof node === "string" ? parseRedisUrl(node) : { ...node, path: undefined };
    if (given.path !== undefined || !given.host) throw new TypeError("createCluster: seed nodes need a host and port (no unix sockets)");
    return { host: given.host, port: given.port ?? 6379 };
  });
  const resolvedConnection = resolveConnectionOptions({
    username: fromUrl?.username, password: fromUrl?.password, tls: fromUrl?.tls, ...withoutUndefined(connection),
  });
  // RESP2 would need, per node, a second connection subscribed to the invalidation channel that the
  // node's tracking redirects to, kept in step through both connections' reconnects (what
  // cache/redirect.ts does for one server): not done for the cluster.
  if (cache && resolvedConnection.protocol !== 3) {
    throw new TypeError("option cache of a cluster client needs protocol 3: each node sends the invalidations on the connection that read the keys (use createClient for a cache over RESP2)");
  }
  return {
    seeds,
    connection: resolvedConnection,
    reconnect: resolveReconnect(reconnect),
    maxPending,
    maxBlockingConnections,
    readFrom,
    maxRedirections,
    refreshInterval,
    addressMap: resolveAddressMap(addressMap),
    cache,
  };
}

function resolveAddressMap(given: ClusterOptions["addressMap"]): AddressMapper {
  if (given === undefined) return (address) => address;
  if (typeof given === "function") return given;
  const table = new Map<string, NodeAddress>();
  for (const [from, to] of Object.entries(given)) {
    if (typeof to !== "string") table.set(from, to);
    else {
      const colon = to.lastIndexOf(":");
      table.set(from, { host: to.slice(0, colon), port: Number(to.slice(colon + 1)) });
    }
  }
  return (address) => table.get(`${address.host}:${address.port}`) ?? address;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
