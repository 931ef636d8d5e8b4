/**
 * The main job, `npm start`: every benchmark in one run — the multiplexer, the pool and
 * worker-thread sharing against one redis-server, each next to its peers; what observing costs; the
 * same load on pools of 1 to 32 connections; then a Redis Cluster of six private nodes against the
 * peers' cluster clients — then a table, the issues' bars, and the results as JSON and as two SVG
 * charts (the comparison with the peers, and pool sizing).
 *
 *   npm start                                   # a private redis-server on a free loopback port
 *   REDIS_URL=redis://127.0.0.1:6380 npm start  # a server of yours (it writes bench:* keys)
 *
 * Sized to finish within about three and a half minutes on a 2-core machine: each case is the best
 * of three 0.7 s rounds after a 0.2 s warm-up (the pool sizes take three 0.3 s turns per load; the
 * instrumentation variants take eight 0.4 s turns each). Other processes on the machine lower the
 * numbers.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.ts";
import {
  benchServer,
  consoleProgress,
  formatMemory,
  formatOps,
  formatRatio,
  formatTable,
  isMain,
  ratioVsBaseline,
  runtimeLabel,
  type BenchContext,
  type BenchResult,
  type Timing,
} from "./lib.ts";
import { benchCluster } from "./cluster.ts";
import { benchCache } from "./cache.ts";
import { benchMux } from "./mux.ts";
import { benchOverhead, formatOverheadRows, NOOP, OVERHEAD_CASE, OVERHEAD_GROUP } from "./otel.ts";
import { benchPoolSizing, formatSizing } from "./pool-sizing.ts";
import { renderSizingChart } from "./sizing-chart.ts";
import { benchPool } from "./pool.ts";
import { benchWorkers, type WorkerBenchMode } from "./worker.ts";

const SUITE_TIMING: Timing = { rounds: 3, roundMs: 700, warmupMs: 200, memorySamples: 1 };
const OUT_DIR = fileURLToPath(new URL("../.tmp/bench/", import.meta.url));

/**
 * A target from the issues: the case's first row / `library`'s should be at least `min` (resplex
 * against a peer), or at most `max` (no instrumentation against an instrumented client).
 */
interface Bar {
  group: string;
  case: string;
  library: string;
  min?: number;
  max?: number;
  source: string;
}

const BARS: Bar[] = [
  ...(["GET", "SET"] as const).flatMap((op) => [
    { group: "multiplexer", case: `${op} 1 caller`, library: "ioredis", min: 1, source: "issue 3: not slower at 1 caller" },
    { group: "multiplexer", case: `${op} 100 callers`, library: "ioredis", min: 1.5, source: "issue 3" },
    { group: "multiplexer", case: `${op} 1000 callers`, library: "ioredis", min: 2, source: "issue 3" },
    { group: "multiplexer", case: `${op} 1000 callers`, library: "bun", min: 1, source: "issue 3, on Bun" },
  ]),
  ...(["GET", "SET"] as const).flatMap((op) => [
    { group: "cluster", case: `${op} 100 callers`, library: "ioredis", min: 1.5, source: "issue 12" },
    { group: "cluster", case: `${op} 1000 callers`, library: "ioredis", min: 2, source: "issue 12" },
  ]),
  { group: "worker threads", case: "", library: "resplex per worker", min: 0.6, source: "issue 5" },
  { group: "client-side cache", case: "", library: "resplex uncached", min: 5, source: "issue 16" },
  { group: "client-side cache", case: "", library: "node-redis cached", min: 2, source: "issue 16" },
  { group: "worker threads", case: "", library: "ioredis per worker", min: 1, source: "issue 5" },
  { group: OVERHEAD_GROUP, case: OVERHEAD_CASE, library: NOOP, max: 1.1, source: "issue 15: at most 10% fewer ops/s with the no-op providers" },
];

/** Whether each bar was met, as lines; bars whose rows were not measured here are left out. */
export function checkBars(result: BenchResult): Array<{ line: string; met: boolean }> {
  const out: Array<{ line: string; met: boolean }> = [];
  for (const bar of BARS) {
    const row = result.rows.find((r) => r.group === bar.group && (bar.case === "" || r.case === bar.case) && r.library === bar.library);
    const ratio = row && ratioVsBaseline(result.rows, row);
    if (!row || ratio === undefined) continue;
    const met = ratio >= (bar.min ?? 0) && ratio <= (bar.max ?? Infinity);
    const limit = bar.max === undefined ? `≥ ${bar.min}x` : `≤ ${bar.max}x`;
    out.push({ met, line: `${met ? "met   " : "MISSED"}  ${row.group} · ${row.case}: vs ${row.library} ${formatRatio(ratio)} (bar ${limit}, ${bar.source})` });
  }
  return out;
}

/** Worker-thread sharing, one progress line per mode (each mode starts and stops its own workers). */
async function benchWorkerSharing(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [] };
  const modes: WorkerBenchMode[] = ["shared owner", "resplex per worker", "ioredis per worker"];
  for (const mode of modes) {
    ctx.progress.start(`worker threads · ${mode}`);
    try {
      const { rounds, roundMs, warmupMs } = ctx.timing;
      const { rows } = await benchWorkers({ url: ctx.url, modes: [mode], rounds, roundMs, warmupMs });
      result.rows.push(...rows);
      const ratio = ratioVsBaseline(result.rows, result.rows.at(-1)!);
      ctx.progress.done(`${formatOps(rows[0]!.opsPerSec).padStart(10)} ops/s${ratio === undefined ? "" : `   shared owner/${mode} ${formatRatio(ratio)}`}`);
    } catch (err) {
      (result.skipped ??= []).push(`worker threads · ${mode}: ${(err as Error).message}`);
      ctx.progress.done(`failed: ${(err as Error).message}`);
    }
  }
  return result;
}

/** The benchmarks the suite runs, in order. */
const SECTIONS: Array<{ title: string; run: (ctx: BenchContext) => Promise<BenchResult> }> = [
  { title: "multiplexer: one connection shared by every caller", run: benchMux },
  { title: "pool: 8 connections", run: benchPool },
  { title: "worker threads: 4 workers × 250 GET loops", run: benchWorkerSharing },
  { title: "instrumentation: what observing the multiplexer costs (variants take turns)", run: benchOverhead },
  { title: "pool sizing: the same GET load on pools of 1 to 32 connections and on the multiplexer", run: benchPoolSizing },
  { title: "cluster: 3 masters, 3 replicas (a private cluster of its own)", run: benchCluster },
  { title: "client-side cache: 95% GET / 5% SET over 1,000 hot keys, 100 callers", run: benchCache },
];

/**
 * Run every benchmark, print the table and bars, write results.json and results.svg.
 *
 * @example
 * ```ts
 * const { rows } = await runSuite();
 * ```
 */
export async function runSuite(): Promise<BenchResult> {
  const started = performance.now();
  const server = await benchServer();
  const progress = consoleProgress();
  const ctx: BenchContext = { url: server.url, timing: SUITE_TIMING, progress };
  const about = `${runtimeLabel()}, ${server.label}, best of ${SUITE_TIMING.rounds} × ${SUITE_TIMING.roundMs} ms`;
  progress.note(`resplex benchmark suite — ${about}`);
  const all: Required<BenchResult> = { rows: [], memory: [], overhead: [], sizing: [], skipped: [] };
  try {
    for (const section of SECTIONS) {
      progress.note(`\n${section.title}`);
      const result = await section.run(ctx);
      all.rows.push(...result.rows);
      all.memory.push(...(result.memory ?? []));
      all.overhead.push(...(result.overhead ?? []));
      all.sizing.push(...(result.sizing ?? []));
      all.skipped.push(...(result.skipped ?? []));
    }
  } finally {
    await server.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const bars = checkBars(all);
  progress.note(`\n${formatTable(all.rows)}`);
  if (all.memory.length) progress.note(`\nmemory per in-flight command (multiplexer, JS heap + external)\n${formatMemory(all.memory)}`);
  if (all.overhead.length) progress.note(`\nwhat observing costs (multiplexer, ${OVERHEAD_CASE}; best round of each)\n${formatOverheadRows(all.overhead)}`);
  if (all.sizing.length) progress.note(`\npool sizing (ops/s; p99 wait for a lease)\n${formatSizing(all.sizing)}`);
  if (bars.length) progress.note(`\nbars from the issues\n${bars.map((b) => `  ${b.line}`).join("\n")}`);
  if (all.skipped.length) progress.note(`\nskipped\n${all.skipped.map((s) => `  ${s}`).join("\n")}`);

  mkdirSync(OUT_DIR, { recursive: true });
  const json = `${OUT_DIR}results.json`;
  const svg = `${OUT_DIR}results.svg`;
  const sizingSvg = `${OUT_DIR}pool-sizing.svg`;
  const when = new Date().toISOString();
  writeFileSync(json, `${JSON.stringify({ when, runtime: runtimeLabel(), server: server.label, timing: SUITE_TIMING, seconds, ...all, bars }, null, 2)}\n`);
  writeFileSync(svg, renderChart(all.rows, { title: "resplex vs ioredis, node-redis and Bun's client: ops/s", subtitle: `${about}, ${when.slice(0, 16).replace("T", " ")} UTC` }));
  if (all.sizing.length) writeFileSync(sizingSvg, renderSizingChart(all.sizing, `${about}, ${when.slice(0, 16).replace("T", " ")} UTC`));
  progress.note(`\ncharts: ${svg}${all.sizing.length ? `, ${sizingSvg}` : ""}\nJSON:   ${json}\ntook ${seconds.toFixed(0)} s`);
  return all;
}

if (isMain(import.meta)) await runSuite();
