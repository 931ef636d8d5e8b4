/**
 * resplex — a Redis client for Node.js, Deno and Bun.
 *
 * - {@link createClient}: a multiplexer; every caller shares one connection, with auto-pipelining.
 * - {@link createPool}: a bounded pool of connections with exclusive leases.
 * - {@link createCluster}: the same command API over a Redis Cluster, routed by hash slot.
 * - either one through Redis Sentinel: the `sentinel` option or a `redis+sentinel://` URL.
 * - `resplex/worker`: share a client or pool with every worker thread of a process.
 *
 * @example
 * ```ts
 * import { createClient } from "resplex";
 * const redis = createClient("redis://localhost:6379");
 * await redis.set("greeting", "hello");
 * console.log(await redis.get("greeting"));
 * await redis.close();
 * ```
 * @module
 */
export { createClient, RedisClient } from "./src/mux/client.ts";
export type { ClientEvents, ClientStats } from "./src/mux/client.ts";
export type { ClientOptions } from "./src/mux/options.ts";
export type { MessageListener } from "./src/mux/subscriber.ts";
export type { Monitor, MonitorEntry } from "./src/conn/monitor.ts";
export type { AsBytes, BytesReplies, EitherReplies, Replies } from "./src/client/bytes-typing.ts";
export type { ReplyMode } from "./src/client/typing.ts";
export { createPool, Pool } from "./src/pool/pool.ts";
export type { AcquireOptions, PoolCloseOptions } from "./src/pool/pool.ts";
export type { Lease } from "./src/pool/lease.ts";
export type { HealthCheckOptions, PoolOptions } from "./src/pool/options.ts";
export type { PoolStats } from "./src/pool/stats.ts";
export type { PoolEvents } from "./src/pool/events.ts";
export { createCluster, RedisCluster } from "./src/cluster/client.ts";
export type { ClusterEvents, ClusterStats } from "./src/cluster/client.ts";
export type { ClusterOptions } from "./src/cluster/options.ts";
export { NodeClient } from "./src/cluster/node-client.ts";
export { keySlot } from "./src/cluster/slot.ts";
export type { AddressMapper } from "./src/cluster/topology.ts";
export { CommandApi } from "./src/client/api.ts";
export type { CommandMethods } from "./src/client/api.ts";
export { Multi, Pipeline } from "./src/client/batch.ts";
export type { MultiResults, PipelineResults } from "./src/client/batch.ts";
export { Script } from "./src/client/script.ts";
export type { WatchBody, WatchOptions } from "./src/client/watch.ts";
export type { ScanOptions } from "./src/client/scan.ts";
export { raw } from "./src/client/spec.ts";
export type { Cmd, DataCmd, Key } from "./src/client/spec.ts";
export type * from "./src/client/commands/types.ts";
export type { CommandOptions } from "./src/conn/command.ts";
export type { ConnectionOptions } from "./src/conn/options.ts";
export type { CommandEnd, CommandStart, ConnectionEvent, Hooks, PoolWaitEvent } from "./src/conn/hooks.ts";
export type { CommandMessage, ConnectMessage, ServerInfo } from "./src/diagnostics/publish.ts";
export type { ReconnectOptions, ReconnectStrategy } from "./src/conn/backoff.ts";
export type { MasterSwitch } from "./src/topology/locator.ts";
export type { NodeAddress, ReadFrom, SentinelOptions, TopologyOptions } from "./src/topology/options.ts";
export type { Connector, ConnectOptions, Socket, TlsOptions } from "./src/transport/types.ts";
export type { Arg, RespValue } from "./src/resp/types.ts";
export {
  AbortError,
  ClosedError,
  ConnectionError,
  LimitError,
  PoolTimeoutError,
  ProtocolError,
  RedisError,
  ResplexError,
  TimeoutError,
  WatchError,
} from "./src/errors.ts";
