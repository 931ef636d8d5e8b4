/**
 * The suite's results as an SVG of grouped horizontal bars, written by hand (no dependency).
 *
 * One block per case (`GET 100 callers`), one bar per library. Each case is scaled to its own
 * fastest library: ops/s differ a hundredfold between 1 and 1000 callers, and on one shared axis
 * the 1-caller bars would vanish. The number at each bar's end is its ops/s, and the ratio after it
 * is the case's first library (resplex) divided by that bar's.
 * @module
 */
import { baselineOf, formatOps, formatRatio, ratioVsBaseline, type Row } from "./lib.ts";

/** Title lines above the chart. */
export interface ChartText {
  title: string;
  subtitle?: string;
}

const WIDTH = 1000;
const LABEL_WIDTH = 230;
const BAR_AREA = 480;
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const CASE_GAP = 14;
const GROUP_HEADING = 34;
const FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'";
/** One color per library family, so ioredis is the same blue in every group; resplex is orange. */
const COLORS: Record<string, string> = {
  resplex: "#e8590c",
  "shared owner": "#e8590c",
  "resplex per worker": "#ffa94d",
  ioredis: "#1c7ed6",
  "ioredis per worker": "#1c7ed6",
  "node-redis": "#2f9e44",
  bun: "#ae3ec9",
};
/** For libraries not named above. */
const SPARE = ["#495057", "#0ca678", "#f08c00", "#c2255c"];

/** Escape text for SVG. */
function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Rows grouped by group, then by case, in the order they were measured. */
function blocks(rows: readonly Row[]): Map<string, Map<string, Row[]>> {
  const groups = new Map<string, Map<string, Row[]>>();
  for (const row of rows) {
    const cases = groups.get(row.group) ?? groups.set(row.group, new Map()).get(row.group)!;
    (cases.get(row.case) ?? cases.set(row.case, []).get(row.case)!).push(row);
  }
  return groups;
}

/**
 * Render `rows` as a standalone SVG document.
 *
 * @example
 * ```ts
 * const svg = renderChart(rows, { title: "resplex vs peers", subtitle: "node 20, best of 3" });
 * writeFileSync(".tmp/bench/results.svg", svg);
 * ```
 */
export function renderChart(rows: readonly Row[], text: ChartText): string {
  const libraries = [...new Set(rows.map((r) => r.library))];
  const spare = libraries.filter((l) => !COLORS[l]);
  const color = (library: string) => COLORS[library] ?? SPARE[spare.indexOf(library) % SPARE.length]!;
  const out: string[] = [];
  let y = 30;
  out.push(`<text x='20' y='${y}' font-size='20' font-weight='bold' fill='#212529'>${esc(text.title)}</text>`);
  if (text.subtitle) out.push(`<text x='20' y='${(y += 22)}' font-size='13' fill='#495057'>${esc(text.subtitle)}</text>`);
  y += 26;
  let x = 20;
  for (const library of libraries) {
    out.push(`<rect x='${x}' y='${y - 11}' width='14' height='14' rx='2' fill='${color(library)}'/>`);
    out.push(`<text x='${x + 20}' y='${y}' font-size='13' fill='#212529'>${esc(library)}</text>`);
    x += 20 + 8 * library.length + 28;
  }
  y += 8;
  for (const [group, cases] of blocks(rows)) {
    y += GROUP_HEADING;
    out.push(`<text x='20' y='${y - 8}' font-size='15' font-weight='bold' fill='#212529'>${esc(group)}</text>`);
    out.push(`<line x1='20' y1='${y - 2}' x2='${WIDTH - 20}' y2='${y - 2}' stroke='#ced4da'/>`);
    for (const [name, caseRows] of cases) {
      y += CASE_GAP;
      const max = Math.max(...caseRows.map((r) => r.opsPerSec));
      const height = caseRows.length * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
      out.push(`<text x='${LABEL_WIDTH - 10}' y='${y + height / 2 + 5}' font-size='13' text-anchor='end' fill='#212529'>${esc(name)}</text>`);
      for (const row of caseRows) {
        const width = max > 0 ? Math.max(1, (row.opsPerSec / max) * BAR_AREA) : 1;
        const ratio = ratioVsBaseline(rows, row);
        const label = `${formatOps(row.opsPerSec)} ops/s${ratio === undefined ? "" : `   (${baselineOf(rows, row).library} ${formatRatio(ratio)})`}`;
        out.push(`<rect x='${LABEL_WIDTH}' y='${y}' width='${width.toFixed(1)}' height='${BAR_HEIGHT}' rx='2' fill='${color(row.library)}'><title>${esc(`${row.library}: ${formatOps(row.opsPerSec)} ops/s`)}</title></rect>`);
        out.push(`<text x='${LABEL_WIDTH + width + 6}' y='${y + BAR_HEIGHT - 4}' font-size='12' fill='#343a40'>${esc(label)}</text>`);
        y += BAR_HEIGHT + BAR_GAP;
      }
      y -= BAR_GAP;
    }
  }
  y += 30;
  out.push(`<text x='20' y='${y}' font-size='11' fill='#868e96'>${esc("Each case is scaled to its fastest library. \"(resplex 4.00x)\": resplex did 4 times the ops/s of that bar's library in that case.")}</text>`);
  y += 16;
  const height = y;
  return [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${WIDTH}' height='${height}' viewBox='0 0 ${WIDTH} ${height}' ${FONT}>`,
    `<rect width='100%' height='100%' fill='white'/>`,
    ...out,
    `</svg>`,
    "",
  ].join("\n");
}
