/**
 * resplex/worker — share one client or pool with every worker thread of a process.
 *
 * The owner thread keeps the sockets and calls {@link exposeClient}; each worker calls
 * {@link wrapClient} and gets a client with the same command API (typed commands, `send`,
 * `multi`, `pipeline`, `isolated`, blocking commands, `subscribe`), whose commands run in the
 * owner. N workers share one multiplexed connection or one bounded pool instead of opening N.
 * Comlink sets up each worker's port; commands a worker issues in one tick then travel as one
 * message, and replies come back batched as they settle. Errors keep their class and fields
 * (`RedisError` with its `code`, `TimeoutError`, `ClosedError`, ...). What a worker held — an
 * isolated connection, subscriptions, a blocking command — goes back to the owner when the worker
 * closes its client, exits, is terminated, or stops answering the owner's pings.
 *
 * Works with Node `worker_threads` and with web Workers on Deno and Bun.
 *
 * @example Owner (main thread, Node)
 * ```ts
 * import { Worker } from "node:worker_threads";
 * import { createPool } from "resplex";
 * import { exposeClient } from "resplex/worker";
 *
 * const pool = createPool({ url: "redis://localhost:6379", max: 8 });
 * const worker = new Worker(new URL("./job.js", import.meta.url));
 * const owner = exposeClient(pool, worker);
 * // ... later
 * await owner.close();
 * await pool.close();
 * ```
 *
 * @example Worker (job.js)
 * ```ts
 * import { parentPort } from "node:worker_threads";
 * import { wrapClient } from "resplex/worker";
 *
 * const redis = wrapClient(parentPort!);   // in a Deno or Bun web worker: wrapClient(self)
 * await redis.incr("jobs:done");
 * const job = await redis.blpop("jobs", 5); // on a connection of its own, in the owner
 * await redis.close();                      // lets the worker exit
 * ```
 * @module
 */
export { exposeClient } from "./src/worker/owner.ts";
export type { ExposeOptions, OwnerHandle, Shareable } from "./src/worker/owner.ts";
export { WorkerClient, wrapClient } from "./src/worker/client.ts";
export type { WorkerClientEvents, WrapOptions } from "./src/worker/client.ts";
export type { RemoteState } from "./src/worker/remote-session.ts";
export type { Endpoint, NodeStyleEndpoint, WebStyleEndpoint } from "./src/worker/endpoint.ts";
