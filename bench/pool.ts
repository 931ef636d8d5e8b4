/**
 * Pool throughput: `npx tsx bench/pool.ts` (also `bun bench/pool.ts`, `deno run -A bench/pool.ts`).
 *
 * - GET of a 100-byte value by 100 and 1000 concurrent callers, each awaiting its reply before the
 *   next command: resplex `createPool({ max: 8 })` vs ioredis (8 clients, round-robin,
 *   auto-pipelining on — ioredis has no pool of its own) vs node-redis `createClientPool` (8 clients)
 * - one `acquire()` + `release()` on an idle resplex pool, vs node-redis's `pool.execute()` with an
 *   empty task, its nearest equivalent; reported as operations per second (1e6 / µs per call)
 *
 * All in the same run against the same server, so the numbers compare.
 * @module
 */
import { createPool } from "../src/pool/pool.ts";
import { isMain, latency, measureCase, runStandalone, throughput, type BenchContext, type BenchResult } from "./lib.ts";

const SIZE = 8;
const KEY = "bench:pool:k";
const CALLERS = [100, 1000] as const;
const GROUP = "pool of 8";
/** resplex's `acquire()` + `release()`; node-redis's `execute()` of an empty task. */
const LEASE_CASE = "acquire+release / execute()";

/** GET through each pool, the way a caller of that library would. */
interface PoolSubject {
  library: string;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

async function nodeRedisPool(url: string): Promise<PoolSubject & { execute(): Promise<unknown> }> {
  const { createClientPool } = await import("redis");
  const pool = createClientPool({ url }, { minimum: SIZE, maximum: SIZE });
  await pool.connect();
  return {
    library: "node-redis",
    get: (k) => pool.get(k),
    execute: () => pool.execute(async () => undefined),
    close: async () => pool.destroy(),
  };
}

async function ioredisRoundRobin(url: string): Promise<PoolSubject> {
  const { Redis } = await import("ioredis");
  const clients = Array.from({ length: SIZE }, () => new Redis(url, { enableAutoPipelining: true, lazyConnect: true }));
  await Promise.all(clients.map((c) => c.connect()));
  let next = 0;
  return {
    library: "ioredis",
    get: (k) => clients[next++ % SIZE]!.get(k),
    close: async () => clients.forEach((c) => c.disconnect()),
  };
}

/**
 * Run the pool benchmark against the server at `ctx.url`.
 *
 * @example
 * ```ts
 * const { rows } = await benchPool({ url, timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchPool(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [] };
  const resplex = createPool({ url: ctx.url, max: SIZE, min: SIZE });
  const subjects: PoolSubject[] = [{ library: "resplex", get: (k) => resplex.get(k), close: () => resplex.close() }];
  let nodeRedis: Awaited<ReturnType<typeof nodeRedisPool>> | undefined;
  for (const [library, open] of [["ioredis", ioredisRoundRobin], ["node-redis", nodeRedisPool]] as const) {
    try {
      const subject = await open(ctx.url);
      subjects.push(subject);
      if (library === "node-redis") nodeRedis = subject as typeof nodeRedis;
    } catch (err) {
      (result.skipped ??= []).push(`${library}: ${(err as Error).message}`);
    }
  }
  try {
    await resplex.set(KEY, "x".repeat(100));
    for (const callers of CALLERS) {
      for (const subject of subjects) {
        await measureCase(ctx, result, { group: GROUP, case: `GET ${callers} callers`, library: subject.library }, () =>
          throughput(() => subject.get(KEY), callers, ctx.timing));
      }
    }
    const perSecond = (micros: number) => 1e6 / micros;
    await measureCase(ctx, result, { group: GROUP, case: LEASE_CASE, library: "resplex" }, async () =>
      perSecond(await latency(async () => (await resplex.acquire()).release(), ctx.timing)));
    if (nodeRedis) {
      const pool = nodeRedis;
      await measureCase(ctx, result, { group: GROUP, case: LEASE_CASE, library: "node-redis" }, async () =>
        perSecond(await latency(() => pool.execute(), ctx.timing)));
    }
  } finally {
    await Promise.all(subjects.map((s) => s.close()));
  }
  return result;
}

if (isMain(import.meta)) await runStandalone(`pool: ${SIZE} connections`, benchPool);
