/**
 * Worker-thread sharing throughput (issue 5): 4 workers, each running 250 concurrent loops of GET
 * (100-byte value, each loop awaiting its reply before sending again), three ways:
 *
 * - shared owner: ONE resplex `createClient` connection in the main thread, served to every worker
 *   with `exposeClient` / `wrapClient`
 * - resplex per worker: each worker with a `createClient` of its own (4 connections)
 * - ioredis per worker: each worker with an ioredis of its own, `enableAutoPipelining: true`
 *
 *   npx tsx bench/worker.ts      node_modules/.bin/bun bench/worker.ts      node_modules/.bin/deno run -A bench/worker.ts
 *
 * Starts its own redis-server (or uses `REDIS_URL`). Each case reports the best of its rounds after
 * a warm-up; ops/s of a round is the sum over workers. This file is also the workers' script.
 * @module
 */
import { createClient } from "../src/mux/client.ts";
import { startRedis } from "../tests/harness/redis.ts";
import { exposeClient, wrapClient, type Endpoint } from "../worker.ts";
import { benchWorkerEndpoint, onControls, runtime, startBenchWorker, startedDirectly } from "./threads.ts";

/** How a worker gets its client. */
export type WorkerBenchMode = "shared owner" | "resplex per worker" | "ioredis per worker";
const MODES: WorkerBenchMode[] = ["shared owner", "resplex per worker", "ioredis per worker"];

/** Options of {@link benchWorkers}; the defaults are the case. */
export interface WorkerBenchOptions {
  /** A server to measure against; default: a private redis-server. */
  url?: string;
  workers?: number;
  loopsPerWorker?: number;
  rounds?: number;
  roundMs?: number;
  warmupMs?: number;
  /** Which cases to run; default all three (the ratios need all three). */
  modes?: WorkerBenchMode[];
  /** Called with a line per finished case. */
  progress?: (line: string) => void;
}

/** One measured case, in the shape the other bench modules report. */
export interface WorkerBenchRow {
  group: string;
  case: string;
  library: WorkerBenchMode;
  opsPerSec: number;
}

/** What {@link benchWorkers} returns. */
export interface WorkerBenchResult {
  rows: WorkerBenchRow[];
  /** Shared owner ops/s divided by resplex-per-worker ops/s (the bar: at least 0.6); NaN without both cases. */
  sharedVsOwn: number;
  /** Shared owner ops/s divided by ioredis-per-worker ops/s (the bar: above 1); NaN without both cases. */
  sharedVsIoredis: number;
}

const KEY = "bench:worker:k";
const ROLE = "resplex-bench-worker";

/** Control messages between the bench and its workers (resplex's own traffic shares the endpoint). */
type Control =
  | { bench: "setup"; mode: WorkerBenchMode; url: string }
  | { bench: "run"; ms: number; loops: number }
  | { bench: "close" };
type Report = { bench: "ready" } | { bench: "ran"; ops: number; ms: number } | { bench: "closed" };

/**
 * Run the three cases and return ops/s of each and the two ratios.
 *
 * @example
 * ```ts
 * const { rows, sharedVsOwn } = await benchWorkers({ roundMs: 500 });
 * ```
 */
export async function benchWorkers(options: WorkerBenchOptions = {}): Promise<WorkerBenchResult> {
  const { workers = 4, loopsPerWorker = 250, rounds = 3, roundMs = 1_000, warmupMs = 300 } = options;
  const server = options.url ? undefined : await startRedis();
  const url = options.url ?? server!.url;
  const rows: WorkerBenchRow[] = [];
  try {
    const setter = createClient(url);
    await setter.set(KEY, "x".repeat(100));
    await setter.close();
    for (const mode of options.modes ?? MODES) {
      const opsPerSec = await measure(mode, url, workers, loopsPerWorker, rounds, roundMs, warmupMs);
      rows.push({ group: "worker threads", case: `${workers} workers × ${loopsPerWorker} GET loops`, library: mode, opsPerSec });
      options.progress?.(`  ${mode.padEnd(20)} ${Math.round(opsPerSec).toLocaleString("en-US").padStart(10)} ops/s`);
    }
  } finally {
    await server?.stop();
  }
  const of = (mode: WorkerBenchMode) => rows.find((r) => r.library === mode)?.opsPerSec ?? NaN;
  return { rows, sharedVsOwn: of("shared owner") / of("resplex per worker"), sharedVsIoredis: of("shared owner") / of("ioredis per worker") };
}

async function measure(mode: WorkerBenchMode, url: string, count: number, loops: number, rounds: number, roundMs: number, warmupMs: number): Promise<number> {
  const shared = mode === "shared owner" ? createClient(url) : undefined;
  const workers = await Promise.all(Array.from({ length: count }, () => startBenchWorker<Control, Report>(import.meta.url, ROLE)));
  const owners = shared ? workers.map((w) => exposeClient(shared, w.endpoint)) : [];
  try {
    await Promise.all(workers.map((w) => w.ask({ bench: "setup", mode, url })));
    let best = 0;
    for (let round = 0; round <= rounds; round++) {
      const ms = round === 0 ? warmupMs : roundMs;
      const ran = await Promise.all(workers.map((w) => w.ask({ bench: "run", ms, loops })));
      const opsPerSec = ran.reduce((sum, r) => sum + (r.bench === "ran" ? r.ops / (r.ms / 1000) : 0), 0);
      if (round > 0) best = Math.max(best, opsPerSec);
    }
    await Promise.all(workers.map((w) => w.ask({ bench: "close" })));
    return best;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
    await Promise.all(owners.map((o) => o.close()));
    await shared?.close();
  }
}

/** The worker side: set up a client as told, run GET loops for as long as told, report the count. */
async function serveBench(endpoint: Endpoint): Promise<void> {
  let get: () => Promise<unknown> = () => Promise.reject(new Error("not set up"));
  let close = async () => {};
  const reply = (report: Report) => (endpoint as { postMessage(m: unknown): void }).postMessage(report);
  const handle = async (control: Control) => {
    if (control.bench === "setup") {
      if (control.mode === "shared owner") {
        const redis = wrapClient(endpoint);
        get = () => redis.get(KEY);
        close = () => redis.close();
      } else if (control.mode === "resplex per worker") {
        const redis = createClient(control.url);
        get = () => redis.get(KEY);
        close = () => redis.close();
      } else {
        const { Redis } = await import("ioredis");
        const redis = new Redis(control.url, { enableAutoPipelining: true });
        get = () => redis.get(KEY);
        close = async () => void redis.disconnect();
      }
      await get();
      reply({ bench: "ready" });
    } else if (control.bench === "run") {
      let ops = 0;
      let stop = false;
      const timer = setTimeout(() => (stop = true), control.ms);
      const start = performance.now();
      await Promise.all(Array.from({ length: control.loops }, async () => {
        while (!stop) {
          await get();
          ops++;
        }
      }));
      clearTimeout(timer);
      reply({ bench: "ran", ops, ms: performance.now() - start });
    } else {
      await close();
      reply({ bench: "closed" });
    }
  };
  onControls(endpoint, handle);
}

const asWorker = await benchWorkerEndpoint(ROLE);
if (asWorker) {
  await serveBench(asWorker);
} else if (startedDirectly(import.meta)) {
  console.log(`worker threads (${runtime}): 4 workers × 250 concurrent GET loops, 100-byte value, ops/s (best of 3)`);
  const result = await benchWorkers({ url: (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.REDIS_URL, progress: console.log });
  console.log(`  shared owner / resplex per worker: ${result.sharedVsOwn.toFixed(2)}   (bar: ≥ 0.60)`);
  console.log(`  shared owner / ioredis per worker: ${result.sharedVsIoredis.toFixed(2)}   (bar: > 1)`);
}
