/**
 * The pool-sizing points as an SVG (no dependency): throughput against pool size, and the 99th
 * percentile wait for a connection against pool size, one line per load and caller count. Pool
 * sizes double from point to point, so the x axis is logarithmic, and so is the throughput axis
 * (leases and pipelined commands differ tenfold); the multiplexer is drawn as a dashed line across
 * the throughput panel, a reference a pool has to beat.
 * @module
 */
import { formatOps, type SizingLoad, type SizingPoint } from "./lib.ts";

const WIDTH = 1000;
const PANEL_HEIGHT = 300;
const LEFT = 90;
const RIGHT = 250;
const FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'";
/** Leases in orange, pool commands in blue; the darker shade is 1000 callers. */
const COLORS: Record<string, string> = {
  "leases 100": "#ffa94d",
  "leases 1000": "#e8590c",
  "pool commands 100": "#74c0fc",
  "pool commands 1000": "#1864ab",
  "multiplexer 100": "#adb5bd",
  "multiplexer 1000": "#495057",
};

interface Series {
  name: string;
  points: Array<{ size: number; value: number }>;
  dashed?: boolean;
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Round numbers (1, 2 or 5 times a power of ten) around `values`: the axis' bottom, top and ticks. */
function niceScale(values: number[], log: boolean): { low: number; high: number; ticks: number[] } {
  const max = Math.max(...values, 0);
  const steps = (power: number) => [1, 2, 5].map((m) => m * power);
  const power = 10 ** Math.floor(Math.log10(max || 1));
  const high = [...steps(power), 10 * power].find((v) => v >= max)!;
  const positive = values.filter((v) => v > 0);
  if (!log || positive.length === 0) return { low: 0, high, ticks: [0, 1, 2, 3, 4].map((i) => (high * i) / 4) };
  const min = Math.min(...positive);
  const lowPower = 10 ** Math.floor(Math.log10(min));
  const low = [...steps(lowPower)].reverse().find((v) => v <= min)!;
  const ticks: number[] = [];
  for (let p = lowPower; p <= high; p *= 10) for (const v of steps(p)) if (v >= low && v <= high) ticks.push(v);
  return { low, high, ticks };
}

/** One panel: axes, grid, lines, a legend on the right; returns its SVG elements. */
function panel(top: number, title: string, series: Series[], sizes: number[], format: (v: number) => string, log: boolean): string[] {
  const out: string[] = [];
  const bottom = top + PANEL_HEIGHT - 40;
  const plotTop = top + 30;
  const right = WIDTH - RIGHT;
  const scale = niceScale(series.flatMap((s) => s.points.map((p) => p.value)), log);
  const x = (size: number) => LEFT + (Math.log2(size) / Math.log2(sizes.at(-1)!)) * (right - LEFT);
  const share = scale.low > 0
    ? (value: number) => (Math.log(Math.max(value, scale.low)) - Math.log(scale.low)) / (Math.log(scale.high) - Math.log(scale.low))
    : (value: number) => value / scale.high;
  const y = (value: number) => bottom - share(value) * (bottom - plotTop);
  out.push(`<text x='${LEFT}' y='${top + 16}' font-size='15' font-weight='bold' fill='#212529'>${esc(title)}</text>`);
  for (const value of scale.ticks) {
    out.push(`<line x1='${LEFT}' y1='${y(value).toFixed(1)}' x2='${right}' y2='${y(value).toFixed(1)}' stroke='#e9ecef'/>`);
    out.push(`<text x='${LEFT - 8}' y='${(y(value) + 4).toFixed(1)}' font-size='11' text-anchor='end' fill='#495057'>${esc(format(value))}</text>`);
  }
  for (const size of sizes) {
    out.push(`<line x1='${x(size)}' y1='${plotTop}' x2='${x(size)}' y2='${bottom}' stroke='#f1f3f5'/>`);
    out.push(`<text x='${x(size)}' y='${bottom + 16}' font-size='11' text-anchor='middle' fill='#495057'>${size}</text>`);
  }
  out.push(`<text x='${(LEFT + right) / 2}' y='${bottom + 32}' font-size='12' text-anchor='middle' fill='#495057'>pool size (connections)</text>`);
  out.push(`<line x1='${LEFT}' y1='${bottom}' x2='${right}' y2='${bottom}' stroke='#868e96'/>`);
  let legend = plotTop + 6;
  for (const s of series) {
    const color = COLORS[s.name] ?? "#212529";
    const dash = s.dashed ? " stroke-dasharray='6 4'" : "";
    const path = s.points.map((p) => `${x(p.size).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
    out.push(`<polyline points='${path}' fill='none' stroke='${color}' stroke-width='2.5'${dash}/>`);
    if (!s.dashed) for (const p of s.points) out.push(`<circle cx='${x(p.size).toFixed(1)}' cy='${y(p.value).toFixed(1)}' r='3.5' fill='${color}'><title>${esc(`${s.name}, ${p.size}: ${format(p.value)}`)}</title></circle>`);
    out.push(`<line x1='${right + 20}' y1='${legend}' x2='${right + 44}' y2='${legend}' stroke='${color}' stroke-width='2.5'${dash}/>`);
    out.push(`<text x='${right + 50}' y='${legend + 4}' font-size='12' fill='#212529'>${esc(`${s.name} callers`)}</text>`);
    legend += 20;
  }
  return out;
}

/**
 * Render the pool-sizing points as a standalone SVG document.
 *
 * @example
 * ```ts
 * writeFileSync(".tmp/bench/pool-sizing.svg", renderSizingChart(points, "node 20, 2 cores"));
 * ```
 */
export function renderSizingChart(points: readonly SizingPoint[], subtitle: string): string {
  const sizes = [...new Set(points.filter((p) => p.size > 0).map((p) => p.size))].sort((a, b) => a - b);
  const callers = [...new Set(points.map((p) => p.callers))].sort((a, b) => a - b);
  const line = (load: SizingLoad, n: number, value: (p: SizingPoint) => number | undefined): Series => ({
    name: `${load} ${n}`,
    points: points.filter((p) => p.load === load && p.callers === n && p.size > 0 && value(p) !== undefined).sort((a, b) => a.size - b.size).map((p) => ({ size: p.size, value: value(p)! })),
  });
  const throughput: Series[] = [];
  for (const n of callers) {
    for (const load of ["leases", "pool commands"] as const) throughput.push(line(load, n, (p) => p.opsPerSec));
    const mux = points.find((p) => p.load === "multiplexer" && p.callers === n);
    if (mux) throughput.push({ name: `multiplexer ${n}`, dashed: true, points: [sizes[0]!, sizes.at(-1)!].map((size) => ({ size, value: mux.opsPerSec })) });
  }
  const waits = callers.map((n) => line("leases", n, (p) => p.waitP99Ms));
  const out: string[] = [];
  out.push(`<text x='20' y='30' font-size='20' font-weight='bold' fill='#212529'>${esc("resplex pool sizing: GET, 100 and 1000 concurrent callers")}</text>`);
  out.push(`<text x='20' y='52' font-size='13' fill='#495057'>${esc(subtitle)}</text>`);
  out.push(...panel(70, "throughput (ops/s, log scale): where more connections stop helping", throughput, sizes, (v) => formatOps(v), true));
  out.push(...panel(70 + PANEL_HEIGHT, "leases: 99th percentile wait for a connection (ms, log scale)", waits, sizes, (v) => `${v < 1 ? v : v.toFixed(0)} ms`, true));
  const notes = [
    "leases: each GET in pool.withConnection(), a connection to itself; pool commands: pool.get(), pipelined onto connections nobody leased.",
    "dashed: one createClient() multiplexer under the same load. Waits from pool.stats().acquireWaitP99 (the last 1024 acquires).",
  ];
  let y = 70 + 2 * PANEL_HEIGHT + 10;
  for (const note of notes) out.push(`<text x='20' y='${(y += 16)}' font-size='11' fill='#868e96'>${esc(note)}</text>`);
  const height = y + 16;
  return [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${WIDTH}' height='${height}' viewBox='0 0 ${WIDTH} ${height}' ${FONT}>`,
    `<rect width='100%' height='100%' fill='white'/>`,
    ...out,
    `</svg>`,
    "",
  ].join("\n");
}
