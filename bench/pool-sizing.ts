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
 * acquires of the best round (`pool.stats().acquireWaitP99`), and the smallest size past which
 * throughput rose by less than 5%. `npx tsx bench/pool-sizing.ts` (also `bun`, `deno run -A`) writes no chart; the
 * suite draws one (bench/sizing-chart.ts).
 * @module
 */
import { createClient } from "../src/mux/client.ts";
import { createPool } from "../src/pool/pool.ts";
import { formatOps, isMain, runStandalone, throughput, type BenchContext, type BenchResult, type SizingLoad, type SizingPoint, type Timing } from "./lib.ts";

const KEY = "bench:sizing:k";
export const SIZES = [1, 2, 4, 8, 16, 32] as const;
export const CALLERS = [100, 1000] as const;
/** Per load and caller count, every pool (and the multiplexer) takes this many turns, in rotated order. */
const ROUNDS = 3;
const ROUND_TIMING: Timing = { rounds: 1, roundMs: 300, warmupMs: 100, memorySamples: 0 };

/** One pool (or the multiplexer, size 0) under test. */
interface Subject {
  size: number;
  get(): Promise<unknown>;
  lease(): Promise<unknown>;
  waitP99(): number | undefined;
  close(): Promise<void>;
}

/**
 * Run the pool-sizing benchmark against the server at `ctx.url`; the points are in `sizing`. Every
 * pool is open at once, and for each load and caller count they take turns round by round (in
 * rotated order), each keeping its best round: on a busy machine a slow moment then does not land
 * on one pool size only.
 *
 * @example
 * ```ts
 * const { sizing } = await benchPoolSizing({ url, timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchPoolSizing(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [], sizing: [] };
  const mux = createClient(ctx.url);
  await mux.set(KEY, "x".repeat(100));
  const subjects: Subject[] = [{ size: 0, get: () => mux.get(KEY), lease: () => mux.get(KEY), waitP99: () => undefined, close: () => mux.close() }];
  for (const size of SIZES) {
    const pool = createPool({ url: ctx.url, max: size, min: size, acquireTimeout: 30_000, maxWaiters: 100_000 });
    subjects.push({
      size,
      get: () => pool.get(KEY),
      lease: () => pool.withConnection((c) => c.get(KEY)),
      waitP99: () => pool.stats().acquireWaitP99,
      close: () => pool.close(),
    });
    // Every connection open before measuring: the point is the steady state, not the ramp-up.
    await Promise.all(Array.from({ length: size }, () => pool.withConnection((c) => c.ping())));
  }
  try {
    for (const callers of CALLERS) {
      for (const load of ["leases", "pool commands"] as const) {
        // The multiplexer needs no lease: it runs once per caller count, with the pool commands.
        const turn = subjects.filter((s) => s.size > 0 || load === "pool commands");
        ctx.progress.start(`pool sizing · ${load} · ${callers} callers · ${turn.length} subjects × ${ROUNDS} rounds`);
        const best = new Map<Subject, SizingPoint>();
        for (let r = 0; r < ROUNDS; r++) {
          for (const subject of [...turn.slice(r % turn.length), ...turn.slice(0, r % turn.length)]) {
            const ops = await throughput(load === "leases" ? subject.lease : subject.get, callers, ROUND_TIMING);
            if (ops <= (best.get(subject)?.opsPerSec ?? 0)) continue;
            const point: SizingPoint = { load: subject.size === 0 ? "multiplexer" : load, callers, size: subject.size, opsPerSec: ops };
            if (load === "leases") point.waitP99Ms = subject.waitP99();
            best.set(subject, point);
          }
        }
        result.sizing!.push(...turn.map((s) => best.get(s)!));
        ctx.progress.done(turn.map((s) => `${s.size || "mux"}: ${formatOps(best.get(s)!.opsPerSec)}`).join(", "));
      }
    }
  } finally {
    await Promise.all(subjects.map((s) => s.close()));
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
