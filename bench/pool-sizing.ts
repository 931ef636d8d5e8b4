/**
 * How big a pool should be (issue 15): the same load — GET of a 100-byte value by 100 and by
 * 1000 concurrent callers, each awaiting its reply before the next — against pools of 1, 2, 4,
 * 8, 16 and 32 connections and against the multiplexer, two ways of using the pool:
 *
 * - leases: each command in `pool.withConnection()`, a connection to itself for the command, as a
 *   jedis or go-redis user (or one holding connections for WATCH/MULTI) does. This is where the
 *   size matters: a caller waits until a connection comes back.
 * - pool commands: `pool.get()`, which pipelines onto connections nobody leased.
 *
 * Reports ops/s and, for leases, the 99th percentile of the wait for a connection over the last
 * acquires (`pool.stats().acquireWaitP99`), and the smallest size past which throughput rose by
 * less than 5%. `npx tsx bench/pool-sizing.ts` (also `bun`, `deno run -A`) writes no chart; the
 * suite draws one (bench/sizing-chart.ts).
 * @module
 */
import { createClient } from "../src/mux/client.ts";
import { createPool } from "../src/pool/pool.ts";
import { formatOps, isMain, runStandalone, throughput, type BenchContext, type BenchResult, type SizingLoad, type SizingPoint, type Timing } from "./lib.ts";

const KEY = "bench:sizing:k";
export const SIZES = [1, 2, 4, 8, 16, 32] as const;
export const CALLERS = [100, 1000] as const;
/** Shorter rounds than the suite's: 26 cases. */
const SIZING_TIMING: Timing = { rounds: 2, roundMs: 400, warmupMs: 150, memorySamples: 0 };

/**
 * Run the pool-sizing benchmark against the server at `ctx.url`; the points are in `sizing`.
 *
 * @example
 * ```ts
 * const { sizing } = await benchPoolSizing({ url, timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchPoolSizing(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [], sizing: [] };
  const timing = { ...SIZING_TIMING, rounds: Math.min(SIZING_TIMING.rounds, ctx.timing.rounds) };
  const setup = createClient(ctx.url);
  await setup.set(KEY, "x".repeat(100));
  for (const callers of CALLERS) {
    ctx.progress.start(`multiplexer · ${callers} callers`);
    const ops = await throughput(() => setup.get(KEY), callers, timing);
    result.sizing!.push({ load: "multiplexer", callers, size: 0, opsPerSec: ops });
    ctx.progress.done(`${formatOps(ops).padStart(10)} ops/s`);
  }
  await setup.close();
  for (const size of SIZES) {
    // Every connection open before measuring: the point is the steady state, not the ramp-up.
    const pool = createPool({ url: ctx.url, max: size, min: size, acquireTimeout: 30_000, maxWaiters: 100_000 });
    try {
      await Promise.all(Array.from({ length: size }, () => pool.withConnection((c) => c.ping())));
      for (const callers of CALLERS) {
        for (const load of ["leases", "pool commands"] as const) {
          ctx.progress.start(`pool of ${size} · ${load} · ${callers} callers`);
          const op = load === "leases" ? () => pool.withConnection((c) => c.get(KEY)) : () => pool.get(KEY);
          const ops = await throughput(op, callers, timing);
          const point: SizingPoint = { load, callers, size, opsPerSec: ops };
          if (load === "leases") point.waitP99Ms = pool.stats().acquireWaitP99;
          result.sizing!.push(point);
          ctx.progress.done(`${formatOps(ops).padStart(10)} ops/s${point.waitP99Ms === undefined ? "" : `   p99 wait ${point.waitP99Ms.toFixed(2)} ms`}`);
        }
      }
    } finally {
      await pool.close();
    }
  }
  return result;
}

/**
 * For each load and caller count: the smallest pool past which doubling the size raised
 * throughput by less than `gain` (5%), or the largest measured when it kept rising.
 *
 * @example
 * ```ts
 * kneeOf(points, "leases", 1000); // 8: 16 and 32 connections did not do 5% better than 8
 * ```
 */
export function kneeOf(points: readonly SizingPoint[], load: SizingLoad, callers: number, gain = 0.05): number | undefined {
  const line = points.filter((p) => p.load === load && p.callers === callers).sort((a, b) => a.size - b.size);
  for (const [i, point] of line.entries()) {
    const later = line.slice(i + 1);
    if (later.every((p) => p.opsPerSec < point.opsPerSec * (1 + gain))) return point.size;
  }
  return line.at(-1)?.size;
}

/** The points as a text table: one row per size, one column per load and caller count. */
export function formatSizing(points: readonly SizingPoint[]): string {
  const columns = CALLERS.flatMap((callers) => (["leases", "pool commands"] as const).map((load) => ({ load, callers })));
  const head = ["connections", ...columns.map((c) => `${c.load} ${c.callers}`), ...CALLERS.map((c) => `p99 wait ${c}`)];
  const cell = (load: SizingLoad, callers: number, size: number) => points.find((p) => p.load === load && p.callers === callers && p.size === size);
  const rows = SIZES.map((size) => [
    String(size),
    ...columns.map((c) => formatOps(cell(c.load, c.callers, size)?.opsPerSec ?? 0)),
    ...CALLERS.map((callers) => `${(cell("leases", callers, size)?.waitP99Ms ?? 0).toFixed(2)} ms`),
  ]);
  rows.push(["multiplexer", ...columns.map((c) => formatOps(cell("multiplexer", c.callers, 0)?.opsPerSec ?? 0)), ...CALLERS.map(() => "—")]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("   ");
  const knees = CALLERS.flatMap((callers) => (["leases", "pool commands"] as const).map((load) => `${load}, ${callers} callers: ${kneeOf(points, load, callers)}`));
  return [line(head), widths.map((w) => "-".repeat(w)).join("   "), ...rows.map(line), "", `throughput stopped rising (< 5% more from any larger pool) at: ${knees.join("; ")}`].join("\n");
}

if (isMain(import.meta)) {
  await runStandalone("pool sizing: the same load on pools of 1 to 32 connections", async (ctx) => {
    const result = await benchPoolSizing(ctx);
    ctx.progress.note(`\n${formatSizing(result.sizing!)}`);
    return result;
  });
}
