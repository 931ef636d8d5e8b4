/**
 * Client-side caching shared with worker threads (issue 16, item 7): which design answers a
 * worker's cached read faster — the owner answering from its cache, or each worker keeping a cache
 * of its own fed by the invalidations the owner forwards (what resplex does)? 2 workers × 50
 * loops, 95% GET / 5% SET over 1,000 hot keys of 100 bytes, three ways, the same run:
 *
 * - worker caches: the owner's `createClient({ cache })`, shared; each worker answers its hits itself
 * - owner answers: the same owner; the workers' reads go to it (`with({ cache: false, timeout })`
 *   skips the worker's cache and takes the path on which the owner runs the command itself), and
 *   its cache answers them
 * - no cache: the owner without a cache
 *
 *   node --import tsx bench/worker-cache.ts     node_modules/.bin/bun bench/worker-cache.ts     node_modules/.bin/deno run -A bench/worker-cache.ts
 * @module
 */
import { createClient } from "../src/mux/client.ts";
import { startRedis } from "../tests/harness/redis.ts";
import { exposeClient, wrapClient, type Endpoint } from "../worker.ts";
import { benchWorkerEndpoint, onControls, runtime, startBenchWorker, startedDirectly } from "./threads.ts";

type Mode = "worker caches" | "owner answers" | "no cache";
const MODES: Mode[] = ["worker caches", "owner answers", "no cache"];
const KEYS = 1_000;
const VALUE = "x".repeat(100);
const ROLE = "resplex-bench-cache-worker";
type Control = { bench: "setup"; mode: Mode } | { bench: "run"; ms: number; loops: number } | { bench: "close" };
type Report = { bench: "ready" } | { bench: "ran"; ops: number; ms: number; hits: number } | { bench: "closed" };

/** Ops/s of each mode (best of `rounds`), with `workers` workers × `loops` loops each. */
export async function benchWorkerCache(url: string, workers = 2, loops = 50, rounds = 3, roundMs = 1_000): Promise<Array<{ mode: Mode; opsPerSec: number }>> {
  const setter = createClient(url);
  await Promise.all(Array.from({ length: KEYS }, (_, i) => setter.set(`bench:wcache:${i}`, VALUE)));
  await setter.close();
  const out: Array<{ mode: Mode; opsPerSec: number }> = [];
  for (const mode of MODES) {
    const owner = createClient({ url, cache: mode === "no cache" ? false : { maxEntries: 2 * KEYS } });
    const threads = await Promise.all(Array.from({ length: workers }, () => startBenchWorker<Control, Report>(import.meta.url, ROLE)));
    const handles = threads.map((t) => exposeClient(owner, t.endpoint));
    try {
      await Promise.all(threads.map((t) => t.ask({ bench: "setup", mode })));
      let best = 0;
      for (let round = 0; round <= rounds; round++) {
        const ran = await Promise.all(threads.map((t) => t.ask({ bench: "run", ms: round === 0 ? 300 : roundMs, loops })));
        const opsPerSec = ran.reduce((sum, r) => sum + (r.bench === "ran" ? r.ops / (r.ms / 1000) : 0), 0);
        if (round > 0) best = Math.max(best, opsPerSec);
      }
      await Promise.all(threads.map((t) => t.ask({ bench: "close" })));
      out.push({ mode, opsPerSec: best });
    } finally {
      await Promise.all(threads.map((t) => t.terminate()));
      await Promise.all(handles.map((h) => h.close()));
      await owner.close();
    }
  }
  return out;
}

/** A small seeded generator (mulberry32). */
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

/** The worker side. */
async function serveBench(endpoint: Endpoint): Promise<void> {
  const redis = wrapClient(endpoint);
  const random = generator(16);
  let read: (key: string) => Promise<unknown> = (key) => redis.get(key);
  const reply = (report: Report) => (endpoint as { postMessage(m: unknown): void }).postMessage(report);
  const handle = async (control: Control) => {
    if (control.bench === "setup") {
      await redis.ready;
      // The owner runs a command with a timeout of its own itself (not as encoded bytes): its cache answers.
      const viaOwner = redis.with({ cache: false, timeout: 5_000 });
      if (control.mode === "owner answers") read = (key) => viaOwner.get(key);
      reply({ bench: "ready" });
    } else if (control.bench === "run") {
      let ops = 0;
      let stop = false;
      const timer = setTimeout(() => (stop = true), control.ms);
      const start = performance.now();
      await Promise.all(Array.from({ length: control.loops }, async () => {
        while (!stop) {
          const key = `bench:wcache:${Math.floor(random() * KEYS)}`;
          if (random() < 0.95) await read(key);
          else await redis.set(key, VALUE);
          ops++;
        }
      }));
      clearTimeout(timer);
      reply({ bench: "ran", ops, ms: performance.now() - start, hits: redis.cache?.stats().hits ?? 0 });
    } else {
      await redis.close();
      reply({ bench: "closed" });
    }
  };
  onControls(endpoint, handle);
}

const asWorker = await benchWorkerEndpoint(ROLE);
if (asWorker) {
  await serveBench(asWorker);
} else if (startedDirectly(import.meta)) {
  const given = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.REDIS_URL;
  const server = given ? undefined : await startRedis();
  try {
    console.log(`worker threads with a client-side cache (${runtime}): 2 workers × 50 loops, 95% GET / 5% SET over ${KEYS} keys, ops/s (best of 3)`);
    const rows = await benchWorkerCache(given ?? server!.url);
    const of = (mode: Mode) => rows.find((r) => r.mode === mode)!.opsPerSec;
    for (const { mode, opsPerSec } of rows) console.log(`  ${mode.padEnd(14)} ${Math.round(opsPerSec).toLocaleString("en-US").padStart(10)} ops/s`);
    console.log(`  worker caches / owner answers: ${(of("worker caches") / of("owner answers")).toFixed(2)}x   worker caches / no cache: ${(of("worker caches") / of("no cache")).toFixed(2)}x`);
  } finally {
    await server?.stop();
  }
}
