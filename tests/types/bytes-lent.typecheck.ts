/**
 * Expected types of what bytes-mode surfaces take and lend, checked by `tsc -p .` (never run):
 * `run()` of any described command in the surface's mode, bytes surfaces shared with
 * `exposeClient`, a worker client that says its mode, a bytes cluster's node clients, and a script
 * command in a chain of the other mode.
 */
import type { MessagePort } from "node:worker_threads";
import type { BytesReplies, EitherReplies, NodeClient, RedisClient, RedisCluster, RedisError } from "../../mod.ts";
import { createClient, createCluster, createPool, raw } from "../../mod.ts";
import { commandSpecs } from "../../src/client/commands/index.ts";
import { exposeClient, wrapClient, type WorkerClient } from "../../worker.ts";

/** Whether `X` and `Y` are the same type. */
type Equal<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;
/** Fails to compile unless `Actual` is exactly `Expected`. */
function expectType<Expected>() {
  return <Actual>(_value: Actual, ..._same: Equal<Actual, Expected> extends true ? [] : [never]) => {};
}

declare const redis: RedisClient;
declare const bytes: BytesReplies<RedisClient>;
declare const either: EitherReplies<RedisClient>;
declare const port: MessagePort;
type Bytes = Uint8Array;

export async function runTakesAnyDescribedCommand(): Promise<void> {
  // A raw command, a typed command's spec: the reply in the surface's mode.
  expectType<string>()(await redis.run(raw<string>(["GET", "k"])));
  expectType<Bytes>()(await bytes.run(raw<string>(["GET", "k"])));
  expectType<string | Bytes>()(await either.run(raw<string>(["GET", "k"])));
  expectType<string[]>()(await redis.run(commandSpecs.lrange("l", 0, -1)));
  expectType<Bytes[]>()(await bytes.run(commandSpecs.lrange("l", 0, -1)));
  expectType<number>()(await bytes.run(commandSpecs.incr("n")));
  expectType<Bytes[]>()(await redis.with({ bytes: true }).run(commandSpecs.lrange("l", 0, -1)));
  // A cluster's run() (it splits multi-key commands) too.
  const cluster = createCluster({ nodes: [{ host: "localhost", port: 7000 }] });
  expectType<Array<string | null>>()(await cluster.run(commandSpecs.mget("a", "b")));
  const bytesCluster = createCluster({ nodes: [{ host: "localhost", port: 7000 }], decode: "bytes" });
  expectType<Array<Bytes | null>>()(await bytesCluster.run(commandSpecs.mget("a", "b")));
  expectType<Bytes | null>()(await bytesCluster.with({ timeout: 5 }).run(raw<string | null>(["GET", "k"])));
}

export async function scriptCommandsReadInTheChainsMode(): Promise<void> {
  const script = redis.script<string>("return redis.call('GET', KEYS[1])");
  expectType<[Bytes | RedisError] | null>()(await bytes.multi().add(script.cmd(["k"])).exec());
  expectType<[string | RedisError] | null>()(await redis.multi().add(script.cmd(["k"])).exec());
  expectType<[Bytes | Error]>()(await redis.with({ bytes: true }).pipeline().add(script.cmd(["k"])).exec());
}

export function bytesSurfacesAreShareable(): void {
  exposeClient(createClient({ decode: "bytes" }), port);
  exposeClient(createPool({ decode: "bytes" }), port);
  exposeClient(createCluster({ nodes: [], decode: "bytes" }), port);
  exposeClient(createClient({ decode: Math.random() > 0.5 ? "bytes" : "string" }), port);
  exposeClient(wrapClient(port, { decode: "bytes" }), port);
}

export async function workerClientSaysItsMode(): Promise<void> {
  expectType<WorkerClient>()(wrapClient(port));
  expectType<string | null>()(await wrapClient(port).get("k"));
  expectType<BytesReplies<WorkerClient>>()(wrapClient(port, { decode: "bytes" }));
  expectType<Bytes | null>()(await wrapClient(port, { decode: "bytes", connectTimeout: 100 }).get("k"));
  expectType<string | null>()(await wrapClient(port, { decode: "string" }).get("k"));
  const decode: "string" | "bytes" = Math.random() > 0.5 ? "bytes" : "string";
  expectType<string | Bytes | null>()(await wrapClient(port, { decode }).get("k"));
}

export async function clusterNodesReadInTheClustersMode(): Promise<void> {
  const cluster: RedisCluster = createCluster({ nodes: [] });
  expectType<NodeClient[]>()(await cluster.nodes());
  const bytesCluster = createCluster({ nodes: [], decode: "bytes" });
  const [node] = await bytesCluster.nodes("all");
  expectType<Bytes[]>()(await node!.keys("*"));
  expectType<string>()(await node!.ping());
  expectType<Bytes | null>()(await (await cluster.with({ bytes: true }).nodes())[0]!.get("k"));
}
