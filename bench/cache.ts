/**
 * Client-side caching (issue 16): a read-heavy load — 95% GET, 5% SET of 100-byte values over a
 * hot set of 1,000 keys, 100 concurrent callers — on a resplex client with its cache, the same
 * client without one, and node-redis with its client-side cache (`RESP: 3, clientSideCache`), in
 * the same run, against the same server.
 *
 *   node --import tsx bench/cache.ts     node_modules/.bin/bun bench/cache.ts     node_modules/.bin/deno run -A bench/cache.ts
 *
 * Every SET invalidates its key in every cache, so a cache also pays for the reads that follow a
 * write. Callers draw keys and operations from one seeded generator: the same sequence for every
 * library.
 * @module
 */
import { createClient } from "../src/mux/client.ts";
import { isMain, measureCase, runStandalone, throughput, type BenchContext, type BenchResult } from "./lib.ts";

const KEYS = 1_000;
const CALLERS = 100;
const READ_SHARE = 0.95;
const VALUE = "x".repeat(100);
const CASE = `95% GET / 5% SET, ${KEYS.toLocaleString("en-US")} keys, ${CALLERS} callers`;

/** What each library runs, and how to let it go. */
interface Subject {
  library: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  close(): Promise<void>;
}

const keyName = (i: number) => `bench:cache:${i}`;

async function resplexSubject(url: string, cached: boolean): Promise<Subject> {
  const client = createClient({ url, cache: cached ? { maxEntries: 2 * KEYS } : false });
  await client.ping();
  return {
    library: cached ? "resplex cached" : "resplex uncached",
    get: (k) => client.get(k),
    set: (k, v) => client.set(k, v),
    close: () => client.close(),
  };
}

async function nodeRedisSubject(url: string): Promise<Subject> {
  const { createClient: createNodeRedis } = await import("redis");
  const client = createNodeRedis({ url, RESP: 3, clientSideCache: { ttl: 0, maxEntries: 2 * KEYS, evictPolicy: "LRU" } });
  await client.connect();
  return { library: "node-redis cached", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: async () => client.destroy() };
}

/** A small seeded generator (mulberry32): every library sees the same keys and operations. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The next operation of any caller on `subject`: a GET or (5%) a SET of a random hot key. */
function mixedLoad(subject: Subject): () => Promise<unknown> {
  const random = generator(16);
  return () => {
    const key = keyName(Math.floor(random() * KEYS));
    return random() < READ_SHARE ? subject.get(key) : subject.set(key, VALUE);
  };
}

/**
 * Run the client-side cache benchmark against the server at `ctx.url`.
 *
 * @example
 * ```ts
 * const { rows } = await benchCache({ url, timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchCache(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [] };
  const factories: Array<[string, () => Promise<Subject>]> = [
    ["resplex cached", () => resplexSubject(ctx.url, true)],
    ["resplex uncached", () => resplexSubject(ctx.url, false)],
    ["node-redis cached", () => nodeRedisSubject(ctx.url)],
  ];
  const setup = await resplexSubject(ctx.url, false);
  try {
    await Promise.all(Array.from({ length: KEYS }, (_, i) => setup.set(keyName(i), VALUE)));
  } finally {
    await setup.close();
  }
  for (const [library, connect] of factories) {
    let subject: Subject;
    try {
      subject = await connect();
    } catch (err) {
      (result.skipped ??= []).push(`${library}: ${(err as Error).message}`);
      continue;
    }
    try {
      await measureCase(ctx, result, { group: "client-side cache", case: CASE, library }, () => throughput(mixedLoad(subject), CALLERS, ctx.timing));
    } finally {
      await subject.close();
    }
  }
  return result;
}

if (isMain(import.meta)) await runStandalone("client-side cache: a read-heavy load on a hot set", benchCache);
