/**
 * Pool throughput: `npx tsx bench/pool.ts` (starts its own redis-server on a free port).
 *
 * - GET of a 100-byte value by 100 and 1000 concurrent callers, each awaiting its reply before the
 *   next command: resplex `createPool({ max: 8 })` vs node-redis `createClientPool` (8 clients) vs
 *   ioredis (8 clients, round-robin, auto-pipelining on — ioredis has no pool of its own)
 * - the cost of one `acquire()` + `release()` on an idle resplex pool, and of node-redis's
 *   `pool.execute()` with an empty task, its nearest equivalent
 *
 * Each case reports the best of three ~1 s rounds after a warm-up, all in the same run against the
 * same server, so the numbers compare.
 */
import { Redis } from "ioredis";
import { createClientPool } from "redis";
import { createPool } from "../src/pool/pool.ts";
import { startRedis } from "../tests/harness/redis.ts";

const ROUNDS = 3;
const ROUND_MS = 1_000;
const SIZE = 8;

type Get = (key: string) => Promise<unknown>;

/** Best ops/s over the rounds, with `callers` loops each awaiting `get` in turn. */
async function throughput(get: Get, callers: number): Promise<number> {
  let best = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    let ops = 0;
    let stop = false;
    const timer = setTimeout(() => (stop = true), round === 0 ? 200 : ROUND_MS); // round 0 warms up
    const start = performance.now();
    await Promise.all(Array.from({ length: callers }, async () => {
      while (!stop) {
        await get("bench:pool:k");
        ops++;
      }
    }));
    clearTimeout(timer);
    if (round > 0) best = Math.max(best, ops / ((performance.now() - start) / 1000));
  }
  return best;
}

/** Microseconds per `once()` call, best of the rounds. */
async function latency(once: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let round = 0; round <= ROUNDS; round++) {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < (round === 0 ? 100 : ROUND_MS / 2)) {
      await once();
      n++;
    }
    if (round > 0) best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  return best;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(10);

const server = await startRedis();
const resplex = createPool({ url: server.url, max: SIZE, min: SIZE });
const nodeRedis = createClientPool({ url: server.url }, { minimum: SIZE, maximum: SIZE });
await nodeRedis.connect();
const ioredis = Array.from({ length: SIZE }, () => new Redis(server.url, { enableAutoPipelining: true }));
let next = 0;
const ioGet: Get = (key) => ioredis[next++ % SIZE]!.get(key);

try {
  await resplex.set("bench:pool:k", "x".repeat(100));
  console.log(`GET, pool of ${SIZE}, ops/s (best of ${ROUNDS})`);
  for (const callers of [100, 1000]) {
    const ours = await throughput((k) => resplex.get(k), callers);
    const theirs = await throughput((k) => nodeRedis.get(k), callers);
    const io = await throughput(ioGet, callers);
    console.log(`  ${String(callers).padStart(4)} callers  resplex ${fmt(ours)}   node-redis ${fmt(theirs)}   ioredis ${fmt(io)}   resplex/node-redis ${(ours / theirs).toFixed(1)}x`);
  }
  const lease = await latency(async () => (await resplex.acquire()).release());
  const execute = await latency(() => nodeRedis.execute(async () => undefined));
  console.log(`acquire+release: resplex ${lease.toFixed(2)} µs   node-redis execute(): ${execute.toFixed(2)} µs`);
} finally {
  await resplex.close();
  nodeRedis.destroy();
  for (const client of ioredis) client.disconnect();
  await server.stop();
}
