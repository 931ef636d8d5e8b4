/**
 * What every benchmark here shares: the measuring loops, the result shape, the redis-server to
 * measure against, progress lines and number formatting. Bench code may use runtime APIs (it is
 * not part of the runtime-neutral core); it runs on Node (tsx), Bun and Deno.
 * @module
 */
import { pathToFileURL } from "node:url";
import { startRedis } from "../tests/harness/redis.ts";

/** One measured case: `library` did `opsPerSec` operations per second of `case` in `group`. */
export interface Row {
  group: string;
  case: string;
  library: string;
  opsPerSec: number;
}

/** Bytes per command while `inFlight` commands await their replies. */
export interface MemoryRow {
  library: string;
  bytesPerCommand: number;
  inFlight: number;
  /** Reads the value is the median of. */
  samples: number;
  /** Whether a forced GC preceded each read (else garbage adds noise the median only damps). */
  method: "gc" | "no-gc";
}

/**
 * What observing costs (bench/otel.ts): one variant's best round, and how it compares with the
 * uninstrumented client's (`throughputLoss` 0.05: 5% fewer ops/s; `cpuIncrease` 0.05: 5% more CPU).
 */
export interface OverheadRow {
  library: string;
  opsPerSec: number;
  cpuMicrosPerCommand: number;
  throughputLoss: number;
  cpuIncrease: number;
}

/** How a pool-sizing load uses the pool (bench/pool-sizing.ts); `multiplexer` is one `createClient()` for comparison. */
export type SizingLoad = "leases" | "pool commands" | "multiplexer";

/** One pool-sizing point: `load` by `callers` callers on a pool of `size` connections (0 for the multiplexer). */
export interface SizingPoint {
  load: SizingLoad;
  callers: number;
  size: number;
  opsPerSec: number;
  /** Leases only: the 99th percentile wait for a connection, ms. */
  waitP99Ms?: number;
}

/** What each bench module's exported function returns. */
export interface BenchResult {
  rows: Row[];
  memory?: MemoryRow[];
  overhead?: OverheadRow[];
  sizing?: SizingPoint[];
  /** Libraries or cases left out, and why (a peer that does not load on this runtime, say). */
  skipped?: string[];
}

/** How long to measure; the suite passes shorter rounds than a standalone run. */
export interface Timing {
  rounds: number;
  roundMs: number;
  warmupMs: number;
  /** Reads of memory per in-flight command to take the median of (each issues 100,000 commands). */
  memorySamples: number;
}

/** What a bench function gets from its caller. */
export interface BenchContext {
  url: string;
  timing: Timing;
  progress: Progress;
}

/** Standalone runs: best of three 1 s rounds after a 300 ms warm-up. */
export const STANDALONE_TIMING: Timing = { rounds: 3, roundMs: 1_000, warmupMs: 300, memorySamples: 3 };

export type Runtime = "node" | "bun" | "deno";

/** The runtime running this code. */
export function runtime(): Runtime {
  if ("Bun" in globalThis) return "bun";
  if ("Deno" in globalThis) return "deno";
  return "node";
}

/** `node 20.20.2`, `bun 1.4.5`, `deno 2.9.5`. */
export function runtimeLabel(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } }; process?: { versions: { node: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process?.versions.node ?? "?"}`;
}

/**
 * True when the module whose `import.meta` is given was started directly (`tsx bench/mux.ts`,
 * `bun bench/mux.ts`, `deno run bench/mux.ts`), false when the suite imported it.
 */
export function isMain(meta: ImportMeta): boolean {
  const main = (meta as { main?: boolean }).main; // Bun and Deno
  if (typeof main === "boolean") return main;
  const script = (globalThis as { process?: { argv: string[] } }).process?.argv[1];
  return script !== undefined && pathToFileURL(script).href === meta.url;
}

/** A redis-server to measure against: `REDIS_URL` if set, else a private one on a free loopback port. */
export async function benchServer(): Promise<{ url: string; label: string; stop(): Promise<void> }> {
  const given = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.REDIS_URL;
  if (given) return { url: given, label: "REDIS_URL", stop: async () => {} };
  const server = await startRedis();
  return { url: server.url, label: `private redis-server at ${server.url}`, stop: () => server.stop() };
}

/**
 * Best ops/s of `callers` concurrent loops, each awaiting `op()` before calling it again, over
 * `timing.rounds` rounds after one warm-up round. Best, not mean: a GC pause or another process
 * taking the CPU only ever makes a round slower.
 */
export async function throughput(op: () => Promise<unknown>, callers: number, timing: Timing): Promise<number> {
  let best = 0;
  for (let round = 0; round <= timing.rounds; round++) {
    let ops = 0;
    let stop = false;
    const timer = setTimeout(() => (stop = true), round === 0 ? timing.warmupMs : timing.roundMs);
    const start = performance.now();
    const loop = async (): Promise<void> => {
      while (!stop) {
        await op();
        ops++;
      }
    };
    await Promise.all(Array.from({ length: callers }, loop));
    clearTimeout(timer);
    if (round > 0) best = Math.max(best, ops / ((performance.now() - start) / 1000));
  }
  return best;
}

/** Best (lowest) microseconds per `once()` over the rounds, one call at a time. */
export async function latency(once: () => Promise<unknown>, timing: Timing): Promise<number> {
  let best = Infinity;
  for (let round = 0; round <= timing.rounds; round++) {
    let n = 0;
    const start = performance.now();
    const ms = round === 0 ? timing.warmupMs : timing.roundMs;
    while (performance.now() - start < ms) {
      await once();
      n++;
    }
    if (round > 0) best = Math.min(best, ((performance.now() - start) * 1000) / n);
  }
  return best;
}

/** A full collection now, if this runtime lets us ask for one; false if it does not. */
export function forceGc(): boolean {
  const g = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
  if (g.Bun) {
    g.Bun.gc(true);
    return true;
  }
  if (typeof g.gc === "function") {
    g.gc();
    return true;
  }
  return false;
}

/** Bytes of JS heap plus memory outside it that JS objects hold (Uint8Array backing stores, socket buffers). */
export function memoryUsed(): number {
  type Usage = { heapUsed: number; external: number };
  const g = globalThis as { Deno?: { memoryUsage(): Usage }; process?: { memoryUsage(): Usage } };
  const usage = g.Deno ? g.Deno.memoryUsage() : g.process!.memoryUsage();
  return usage.heapUsed + usage.external;
}

/**
 * Bytes per in-flight command: issue `n` commands with `issue` (not awaited), read the memory in
 * use, then await them all; the median of `samples` tries after one that warms up. With a forced GC before each read only
 * live objects count; without one the median damps the garbage that happens to be around. Each try
 * starts by awaiting one command, so a client that drops its settled commands lazily (on the next
 * command) does not carry the previous try's into the baseline.
 */
export async function memoryPerCommand(library: string, issue: () => Promise<unknown>, n: number, samples = 3): Promise<MemoryRow> {
  const gc = forceGc();
  const seen: number[] = [];
  for (let t = 0; t <= samples; t++) {
    await issue();
    forceGc();
    const before = memoryUsed();
    const pending = new Array<Promise<unknown>>(n);
    for (let i = 0; i < n; i++) pending[i] = issue();
    forceGc();
    const after = memoryUsed();
    await Promise.all(pending);
    if (t > 0) seen.push((after - before) / n); // the first try warms up the code paths
  }
  seen.sort((a, b) => a - b);
  const middle = seen.length / 2;
  const median = seen.length % 2 ? seen[Math.floor(middle)]! : (seen[middle - 1]! + seen[middle]!) / 2;
  return { library, bytesPerCommand: median, inFlight: n, samples: seen.length, method: gc ? "gc" : "no-gc" };
}

/** Progress lines: one per case, written when it starts and completed when it ends. */
export interface Progress {
  start(label: string): void;
  done(result: string): void;
  note(line: string): void;
}

/** Progress on stdout (or nowhere, for `silent`). */
export function consoleProgress(silent = false): Progress {
  const g = globalThis as { process?: { stdout: { write(s: string): unknown } }; Deno?: { stdout: { writeSync(b: Uint8Array): number } } };
  const encoder = new TextEncoder();
  const write = g.Deno
    ? (s: string) => void g.Deno!.stdout.writeSync(encoder.encode(s))
    : (s: string) => void g.process!.stdout.write(s);
  let open = false;
  let started = 0;
  return {
    start(label) {
      if (silent) return;
      if (open) write("\n");
      write(`  ${label.padEnd(46)} `);
      open = true;
      started = performance.now();
    },
    done(result) {
      if (silent) return;
      write(`${result}  (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
      open = false;
    },
    note(line) {
      if (silent) return;
      if (open) write("\n");
      open = false;
      write(`${line}\n`);
    },
  };
}

/** `305,123` */
export function formatOps(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** `2.61x` (resplex divided by the peer: above 1 means resplex is faster). */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}x`;
}

/**
 * The row every other row of its group and case is compared with: the first one. Each bench lists
 * the resplex variant under test first (`resplex`, or the worker bench's `shared owner`).
 */
export function baselineOf(rows: readonly Row[], row: Row): Row {
  return rows.find((r) => r.group === row.group && r.case === row.case)!;
}

/** The baseline's ops/s divided by `row`'s (above 1: resplex is faster); undefined for the baseline itself. */
export function ratioVsBaseline(rows: readonly Row[], row: Row): number | undefined {
  const baseline = baselineOf(rows, row);
  return baseline !== row && row.opsPerSec > 0 ? baseline.opsPerSec / row.opsPerSec : undefined;
}

/** The rows as an aligned text table: case, library, ops/s, and the case's first row (resplex) / this row. */
export function formatTable(rows: readonly Row[]): string {
  const cells = rows.map((row) => {
    const ratio = ratioVsBaseline(rows, row);
    return [`${row.group} · ${row.case}`, row.library, formatOps(row.opsPerSec), ratio === undefined ? "" : formatRatio(ratio)];
  });
  const head = ["case", "library", "ops/s", "resplex/lib"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i >= 2 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("   ").trimEnd();
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("   ")];
  let previous = "";
  for (const [i, c] of cells.entries()) {
    const key = `${rows[i]!.group} · ${rows[i]!.case}`;
    out.push(line(key === previous ? ["", ...c.slice(1)] : c));
    previous = key;
  }
  return out.join("\n");
}

/** The memory rows as text lines. */
export function formatMemory(memory: readonly MemoryRow[]): string {
  return memory
    .map((m) => `  ${m.library.padEnd(12)} ${Math.round(m.bytesPerCommand).toLocaleString("en-US").padStart(6)} bytes per in-flight command (${m.inFlight.toLocaleString("en-US")} in flight, ${`${m.samples === 1 ? "one read" : `median of ${m.samples} reads`}, ${m.method === "gc" ? "forced GC" : "no GC available"}`})`)
    .join("\n");
}

/**
 * Measure `op` as one row, with a progress line. A library that fails mid-run (a peer that does not
 * work on this runtime) is reported and skipped, not fatal.
 */
export async function measureCase(
  ctx: BenchContext,
  result: BenchResult,
  row: Omit<Row, "opsPerSec">,
  measure: () => Promise<number>,
): Promise<void> {
  ctx.progress.start(`${row.group} · ${row.case} · ${row.library}`);
  try {
    const opsPerSec = await measure();
    result.rows.push({ ...row, opsPerSec });
    const measured = result.rows.at(-1)!;
    const ratio = ratioVsBaseline(result.rows, measured);
    const versus = ratio === undefined ? "" : `   ${baselineOf(result.rows, measured).library}/${row.library} ${formatRatio(ratio)}`;
    ctx.progress.done(`${formatOps(opsPerSec).padStart(10)} ops/s${versus}`);
  } catch (err) {
    (result.skipped ??= []).push(`${row.group} · ${row.case} · ${row.library}: ${(err as Error).message}`);
    ctx.progress.done(`failed: ${(err as Error).message}`);
  }
}

/** Run one bench module's function standalone: server, progress, table. */
export async function runStandalone(title: string, bench: (ctx: BenchContext) => Promise<BenchResult>): Promise<void> {
  const server = await benchServer();
  const progress = consoleProgress();
  progress.note(`${title} — ${runtimeLabel()}, ${server.label}, best of ${STANDALONE_TIMING.rounds} × ${STANDALONE_TIMING.roundMs} ms`);
  try {
    const result = await bench({ url: server.url, timing: STANDALONE_TIMING, progress });
    progress.note(`\n${formatTable(result.rows)}`);
    if (result.memory?.length) progress.note(`\nmemory\n${formatMemory(result.memory)}`);
    if (result.skipped?.length) progress.note(`\nskipped\n${result.skipped.map((s) => `  ${s}`).join("\n")}`);
  } finally {
    await server.stop();
  }
}
