/**
 * What observing costs (issue 15): the multiplexer, GET of a 100-byte value by 1000 concurrent
 * callers, on one client, with
 *
 * - no instrumentation,
 * - `instrument()` with the no-op providers (`@opentelemetry/api` with no SDK registered),
 * - a subscriber on the `resplex:command` diagnostics channel (what an APM agent does),
 * - `instrument()` with an SDK meter provider only: every duration recorded into a histogram,
 * - `instrument()` with SDK tracer and meter providers: also every span recorded and handed to a
 *   batch processor whose exporter drops it.
 *
 * The variants take turns round by round on the same client (instrumenting and removing it in
 * between), each round in a rotated order, so a slow moment of the machine or the JIT's state does
 * not land on one variant only; each reports its best round, in ops/s and in this process's CPU
 * time per command (user + system), which other processes on a busy machine disturb less than
 * wall-clock throughput. Many short rounds: on a busy machine a few long ones differ by 20%.
 * `npx tsx bench/otel.ts` (also `bun bench/otel.ts`, `deno run -A bench/otel.ts`).
 * @module
 */
import diagnostics from "node:diagnostics_channel";
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createClient } from "../src/mux/client.ts";
import { instrument } from "../otel.ts";
import process from "node:process";
import { formatOps, isMain, runStandalone, type BenchContext, type BenchResult, type OverheadRow, type Row } from "./lib.ts";

const KEY = "bench:otel:k";
const CALLERS = 1000;
/** Eight turns of 0.4 s (after 0.1 s of warm-up) per variant, whatever timing the caller passes. */
const ROUNDS = 8;
const ROUND_MS = 400;
const WARMUP_MS = 100;
export const OVERHEAD_GROUP = "instrumentation";
export const OVERHEAD_CASE = `GET ${CALLERS} callers`;
export const NONE = "no instrumentation";
export const NOOP = "instrument(), no-op providers";

/** Exporters that take everything and keep nothing: the cost measured is resplex's and the SDK's, not I/O. */
const dropSpans: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const dropMetrics: PushMetricExporter = {
  export: (_metrics, done) => done({ code: 0 }),
  forceFlush: async () => {},
  shutdown: async () => {},
  selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
};

/**
 * Run the overhead benchmark against the server at `ctx.url`.
 *
 * @example
 * ```ts
 * const { rows } = await benchOverhead({ url, timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchOverhead(ctx: BenchContext): Promise<BenchResult> {
  const client = createClient(ctx.url);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] });
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: dropMetrics, exportIntervalMillis: 60_000 })] });
  const channel = diagnostics.tracingChannel("resplex:command");
  const ignore = () => {};
  const subscriber = { start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore };
  const variants: Array<{ library: string; attach: () => () => void }> = [
    { library: NONE, attach: () => ignore },
    { library: NOOP, attach: () => instrument(client) },
    {
      library: "resplex:command subscriber",
      attach: () => {
        channel.subscribe(subscriber);
        return () => void channel.unsubscribe(subscriber);
      },
    },
    { library: "instrument(), SDK metrics", attach: () => instrument(client, { meterProvider }) },
    { library: "instrument(), SDK traces + metrics", attach: () => instrument(client, { tracerProvider, meterProvider }) },
  ];
  const best = new Map<string, { ops: number; cpu: number }>();
  const result: BenchResult = { rows: [], overhead: [] };
  try {
    await client.set(KEY, "x".repeat(100));
    ctx.progress.start(`${OVERHEAD_GROUP} · ${OVERHEAD_CASE} · ${variants.length} variants × ${ROUNDS} rounds`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const variant of [...variants.slice(r % variants.length), ...variants.slice(0, r % variants.length)]) {
        const detach = variant.attach();
        try {
          await round(() => client.get(KEY), WARMUP_MS);
          const { ops, cpu } = await round(() => client.get(KEY), ROUND_MS);
          const was = best.get(variant.library) ?? { ops: 0, cpu: Infinity };
          best.set(variant.library, { ops: Math.max(was.ops, ops), cpu: Math.min(was.cpu, cpu) });
        } finally {
          detach();
        }
      }
    }
    ctx.progress.done("done");
    const base = best.get(NONE)!;
    for (const { library } of variants) {
      const { ops, cpu } = best.get(library)!;
      result.rows.push({ group: OVERHEAD_GROUP, case: OVERHEAD_CASE, library, opsPerSec: ops } satisfies Row);
      result.overhead!.push({ library, opsPerSec: ops, cpuMicrosPerCommand: cpu, throughputLoss: 1 - ops / base.ops, cpuIncrease: cpu / base.cpu - 1 });
    }
    ctx.progress.note(formatOverheadRows(result.overhead!));
  } finally {
    await client.close();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  }
  return result;
}

/** One round of `CALLERS` loops for `ms`: ops/s, and this process's CPU µs per command. */
async function round(op: () => Promise<unknown>, ms: number): Promise<{ ops: number; cpu: number }> {
  let ops = 0;
  let stop = false;
  const timer = setTimeout(() => (stop = true), ms);
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (!stop) {
      await op();
      ops++;
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  clearTimeout(timer);
  return { ops: ops / seconds, cpu: (used.user + used.system) / ops };
}

/** The overhead rows as text lines: ops/s, CPU per command, and the change from no instrumentation. */
export function formatOverheadRows(rows: readonly OverheadRow[]): string {
  return rows
    .map((r) => {
      const versus = r.library === NONE ? "" : `   throughput ${formatChange(r.throughputLoss, "lower")}, CPU per command ${formatChange(r.cpuIncrease, "higher")}`;
      return `  ${r.library.padEnd(34)} ${formatOps(r.opsPerSec).padStart(10)} ops/s  ${r.cpuMicrosPerCommand.toFixed(2)} µs CPU per command${versus}`;
    })
    .join("\n");
}

/** `6.1% lower` for 0.061; negative changes in the other direction's words. */
export function formatChange(fraction: number, word: "lower" | "higher"): string {
  const other = word === "lower" ? "higher" : "lower";
  return fraction >= 0 ? `${(fraction * 100).toFixed(1)}% ${word}` : `${(-fraction * 100).toFixed(1)}% ${other}`;
}

if (isMain(import.meta)) await runStandalone("instrumentation overhead: the multiplexer, observed four ways", benchOverhead);
