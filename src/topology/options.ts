/**
 * Where to connect, beyond one fixed address: the `sentinel` option and its `redis+sentinel://`
 * URL, fixed `replicas`, and `readFrom`. Taken out of the options before the connection options
 * are resolved, so `conn/` never hears of them.
 * @module
 */
import { parseRedisUrl, redactUrl, type ConnectionOptions } from "../conn/options.ts";
import type { TlsOptions } from "../transport/types.ts";

/**
 * A node's address.
 *
 * @example
 * ```ts
 * const sentinel: NodeAddress = { host: "10.0.0.1", port: 26379 };
 * ```
 */
export interface NodeAddress {
  host: string;
  port: number;
}

/**
 * Redis Sentinel: ask the sentinels where the master of `name` is, and follow its failovers.
 * `username`, `password` and `tls` here are the sentinels' own; the data nodes take the usual
 * connection options.
 *
 * @example
 * ```ts
 * const redis = createClient({
 *   sentinel: { name: "mymaster", sentinels: ["10.0.0.1:26379", { host: "10.0.0.2", port: 26379 }] },
 *   password: "the data nodes' password",
 * });
 * ```
 */
export interface SentinelOptions {
  /** The master's name, as in the sentinels' `sentinel monitor <name> ...`. */
  name: string;
  /** Sentinels to ask, in order: `"host:port"`, `"redis://host:port"`, or `{ host, port }`; port default `26379`. */
  sentinels: Array<string | { host: string; port?: number }>;
  /** ACL user on the sentinels. */
  username?: string;
  /** The sentinels' password (`requirepass`, or the ACL user's). Never printed. */
  password?: string;
  /** TLS to the sentinels (`true`, or settings); the data nodes' TLS is the `tls` option. */
  tls?: TlsOptions | boolean;
}

/**
 * How `readFrom` routes read-only commands (see {@link TopologyOptions.readFrom}).
 *
 * @example
 * ```ts
 * const readFrom: ReadFrom = "prefer-replica";
 * ```
 */
export type ReadFrom = "master" | "replica" | "prefer-replica";

/**
 * Topology options of `createClient` and `createPool`.
 *
 * @example
 * ```ts
 * createClient({ url: "redis://primary:6379", replicas: ["redis://replica-1:6379"], readFrom: "prefer-replica" });
 * ```
 */
export interface TopologyOptions {
  /** Find the master through Redis Sentinel (see {@link SentinelOptions}), or use a `redis+sentinel://` URL. */
  sentinel?: SentinelOptions;
  /**
   * Replicas to read from without Sentinel (with Sentinel they come from `SENTINEL REPLICAS`):
   * URLs or `{ host, port }`; credentials and other settings are the data nodes' options.
   */
  replicas?: Array<string | NodeAddress>;
  /**
   * Where read-only commands (the command table's `readonly` flag) go: `"master"` (default),
   * `"replica"` (a replica, or fail at once when none is reachable), or `"prefer-replica"` (a
   * replica while one is connected, else the master). Writes always go to the master.
   */
  readFrom?: ReadFrom;
}

/**
 * {@link SentinelOptions} resolved: addresses parsed, TLS settings an object or undefined.
 *
 * @example
 * ```ts
 * splitTopology({ sentinel: { name: "m", sentinels: ["s1"] } }).topology.sentinel; // { name: "m", sentinels: [{ host: "s1", port: 26379 }], ... }
 * ```
 */
export interface ResolvedSentinel {
  name: string;
  sentinels: NodeAddress[];
  username: string | undefined;
  password: string | undefined;
  tls: TlsOptions | undefined;
}

/**
 * {@link TopologyOptions} resolved.
 *
 * @example
 * ```ts
 * resolveClientOptions({ url }).topology; // { sentinel: undefined, replicas: [], readFrom: "master" }
 * ```
 */
export interface ResolvedTopology {
  sentinel: ResolvedSentinel | undefined;
  replicas: NodeAddress[];
  readFrom: ReadFrom;
}

const SENTINEL_PORT = 26379;

/**
 * Take the topology options out of `given`, resolving a `redis+sentinel://` URL into the
 * sentinel option (its name, sentinels) and data-node options (credentials, db): what is left
 * are connection options for `resolveConnectionOptions`. Throws `TypeError` for bad input.
 *
 * @example
 * ```ts
 * splitTopology({ url: "redis+sentinel://:pw@s1:26379,s2/mymaster/2" });
 * // { options: { password: "pw", db: 2 }, topology: { sentinel: { name: "mymaster", sentinels: [s1:26379, s2:26379], ... }, ... } }
 * ```
 */
export function splitTopology<T extends ConnectionOptions & TopologyOptions>(given: T): {
  options: Omit<T, keyof TopologyOptions>;
  topology: ResolvedTopology;
} {
  const { sentinel, replicas, readFrom = "master", ...rest } = given;
  let options = rest as Omit<T, keyof TopologyOptions>;
  let fromUrl: Partial<SentinelOptions> | undefined;
  if (typeof rest.url === "string" && /^\s*rediss?\+sentinel:/i.test(rest.url)) {
    const parsed = parseSentinelUrl(rest.url);
    fromUrl = parsed.sentinel;
    const { url: _url, ...others } = rest;
    options = { ...parsed.data, ...withoutUndefined(others) } as unknown as Omit<T, keyof TopologyOptions>;
  }
  if (readFrom !== "master" && readFrom !== "replica" && readFrom !== "prefer-replica") {
    throw new TypeError(`option readFrom must be "master", "replica" or "prefer-replica", got ${String(readFrom)}`);
  }
  const resolvedSentinel = fromUrl || sentinel ? resolveSentinel({ ...fromUrl, ...withoutUndefined(sentinel ?? {}) }) : undefined;
  if (replicas !== undefined && !Array.isArray(replicas)) throw new TypeError("option replicas must be an array of URLs or { host, port }");
  if (resolvedSentinel && replicas?.length) throw new TypeError("option replicas cannot be combined with sentinel: the sentinels name the replicas");
  const replicaAddresses = (replicas ?? []).map((r) => nodeAddress(r, 6379, "replicas"));
  if (readFrom !== "master" && !resolvedSentinel && replicaAddresses.length === 0) {
    throw new TypeError(`option readFrom "${readFrom}" needs replicas to read from: give the replicas option, or sentinel`);
  }
  return { options, topology: { sentinel: resolvedSentinel, replicas: replicaAddresses, readFrom } };
}

function resolveSentinel(given: Partial<SentinelOptions>): ResolvedSentinel {
  if (typeof given.name !== "string" || given.name === "") throw new TypeError("option sentinel.name must name the master (as in `sentinel monitor <name>`)");
  if (!Array.isArray(given.sentinels) || given.sentinels.length === 0) throw new TypeError("option sentinel.sentinels must list at least one sentinel");
  return {
    name: given.name,
    sentinels: given.sentinels.map((s) => nodeAddress(s, SENTINEL_PORT, "sentinel.sentinels")),
    username: given.username,
    password: given.password,
    tls: given.tls === true ? {} : given.tls || undefined,
  };
}

/** `"host:port"`, `"redis://host:port"`, `"[::1]:port"` or `{ host, port }` as an address. */
function nodeAddress(entry: string | { host: string; port?: number }, defaultPort: number, option: string): NodeAddress {
  if (typeof entry === "object" && entry !== null && typeof entry.host === "string") {
    const port = entry.port ?? defaultPort;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`option ${option}: bad port ${String(entry.port)}`);
    return { host: entry.host, port };
  }
  if (typeof entry !== "string" || entry === "") throw new TypeError(`option ${option} takes "host:port", a redis:// URL or { host, port }`);
  if (/^rediss?:\/\//i.test(entry)) {
    const parsed = parseRedisUrl(entry);
    return { host: parsed.host ?? "127.0.0.1", port: parsed.port ?? defaultPort };
  }
  return hostPort(entry, defaultPort, option);
}

function hostPort(text: string, defaultPort: number, what: string): NodeAddress {
  const match = /^(?:\[([^\]]+)\]|([^:/\s]+))(?::(\d+))?$/.exec(text.trim());
  if (!match) throw new TypeError(`${what}: "${text}" is not host:port`);
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (port < 1 || port > 65535) throw new TypeError(`${what}: bad port in "${text}"`);
  return { host: match[1] ?? match[2]!, port };
}

/**
 * Parse `redis+sentinel://[user:pass@]host1[:port],host2[:port]/<name>[/db]`: the sentinels (port
 * default 26379), the master's name, and the data nodes' credentials and db (the credentials in
 * the URL are the data nodes', as in every Redis URL; the sentinels' go in the `sentinel` option).
 * `rediss+sentinel://` turns TLS on for the data nodes and the sentinels.
 *
 * @example
 * ```ts
 * parseSentinelUrl("redis+sentinel://:pw@10.0.0.1,10.0.0.2:26380/mymaster/1");
 * // { sentinel: { name: "mymaster", sentinels: ["10.0.0.1:26379", "10.0.0.2:26380"] }, data: { password: "pw", db: 1 } }
 * ```
 */
export function parseSentinelUrl(url: string): { sentinel: Partial<SentinelOptions>; data: ConnectionOptions } {
  const bad = (why: string) => new TypeError(`invalid Sentinel URL ${redactUrl(url)}: ${why} (redis+sentinel://[user:pass@]host1:26379,host2:26379/<name>[/db])`);
  const match = /^\s*(rediss?)\+sentinel:\/\/(?:([^@/]*)@)?([^/?#@]+)\/([^/?#]+)(?:\/(\d+))?\/?\s*$/i.exec(url);
  if (!match) throw bad("expected sentinels and a master name");
  const [, scheme, userInfo, hosts, name, db] = match;
  const data: ConnectionOptions = {};
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(":");
    const user = decode(colon < 0 ? userInfo : userInfo.slice(0, colon), bad);
    if (user) data.username = user;
    if (colon >= 0) data.password = decode(userInfo.slice(colon + 1), bad);
  }
  if (db !== undefined) data.db = Number(db);
  const tls = scheme!.toLowerCase() === "rediss";
  if (tls) data.tls = {};
  const sentinels = hosts!.split(",").map((h) => hostPort(h, SENTINEL_PORT, `Sentinel URL ${redactUrl(url)}`));
  return { sentinel: { name: decode(name!, bad), sentinels, ...(tls && { tls: {} }) }, data };
}

function decode(text: string, bad: (why: string) => Error): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw bad("bad percent-encoding (write % as %25)");
  }
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
