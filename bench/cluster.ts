/**
 * Cluster throughput (issue 12): resplex `createCluster` vs ioredis `Cluster` (auto-pipelining on)
 * vs node-redis `createCluster`, in the same run, against a private 3-master, 3-replica cluster the
 * bench starts on loopback (`tests/harness/cluster.ts`).
 *
 *   npx tsx bench/cluster.ts          node_modules/.bin/bun bench/cluster.ts
 *
 * GET and SET of a 100-byte value by 100 and 1000 concurrent callers, each a loop awaiting its
 * reply before sending again; calls cycle through 1000 keys, so the load spreads over every
 * master. Ops/s and resplex/peer.
 * @module
 */
import { createCluster } from "../src/cluster/client.ts";
import { startCluster, type RedisCluster } from "../tests/harness/cluster.ts";
import { consoleProgress, formatTable, isMain, measureCase, runtimeLabel, STANDALONE_TIMING, throughput, type BenchContext, type BenchResult } from "./lib.ts";

interface Subject {
  library: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  close(): Promise<void>;
}

type Seeds = RedisCluster["seeds"];

const VALUE = "x".repeat(100);
const CALLERS = [100, 1000] as const;
const KEYS = Array.from({ length: 1000 }, (_, i) => `bench:cluster:${i}`);

async function resplexSubject(seeds: Seeds): Promise<Subject> {
  const client = createCluster({ nodes: seeds });
  await client.ping();
  return { library: "resplex", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: () => client.close() };
}

async function ioredisSubject(seeds: Seeds): Promise<Subject> {
  const { Cluster } = await import("ioredis");
  const client = new Cluster(seeds, { enableAutoPipelining: true, lazyConnect: true });
  await client.connect();
  return { library: "ioredis", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: async () => void client.disconnect() };
}

async function nodeRedisSubject(seeds: Seeds): Promise<Subject> {
  const { createCluster: createNodeRedisCluster } = await import("redis");
  const client = createNodeRedisCluster({ rootNodes: seeds.map((s) => ({ url: `redis://${s.host}:${s.port}` })) });
  await client.connect();
  return { library: "node-redis", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: async () => void (await client.close()) };
}

/**
 * Run the cluster benchmark on a cluster of its own (`ctx.url` is not used: a cluster needs six nodes).
 *
 * @example
 * ```ts
 * const { rows } = await benchCluster({ url: "", timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchCluster(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [] };
  const cluster = await startCluster();
  const subjects: Subject[] = [];
  try {
    for (const [library, connect] of [["resplex", resplexSubject], ["ioredis", ioredisSubject], ["node-redis", nodeRedisSubject]] as const) {
      try {
        subjects.push(await connect(cluster.seeds));
      } catch (err) {
        (result.skipped ??= []).push(`${library}: ${(err as Error).message}`);
      }
    }
    await Promise.all(KEYS.map((k) => subjects[0]!.set(k, VALUE)));
    for (const op of ["GET", "SET"] as const) {
      for (const callers of CALLERS) {
        for (const subject of subjects) {
          let i = 0;
          const call = op === "GET" ? () => subject.get(KEYS[i++ % KEYS.length]!) : () => subject.set(KEYS[i++ % KEYS.length]!, VALUE);
          await measureCase(ctx, result, { group: "cluster", case: `${op} ${callers} callers`, library: subject.library }, () => throughput(call, callers, ctx.timing));
        }
      }
    }
  } finally {
    await Promise.all(subjects.map((s) => s.close()));
    await cluster.stop();
  }
  return result;
}

if (isMain(import.meta)) {
  const progress = consoleProgress();
  progress.note(`cluster: 3 masters, 3 replicas on loopback — ${runtimeLabel()}, best of ${STANDALONE_TIMING.rounds} × ${STANDALONE_TIMING.roundMs} ms`);
  const result = await benchCluster({ url: "", timing: STANDALONE_TIMING, progress });
  progress.note(`\n${formatTable(result.rows)}`);
  if (result.skipped?.length) progress.note(`\nskipped\n${result.skipped.map((s) => `  ${s}`).join("\n")}`);
}
