import assert from "node:assert/strict";
import type { SizingPoint } from "../../bench/lib.ts";
import { kneeOf } from "../../bench/pool-sizing.ts";
import { renderSizingChart } from "../../bench/sizing-chart.ts";
import { describe, test } from "../harness/runner.ts";

/** Lease points for 100 callers with these ops/s at sizes 1, 2, 4, 8, 16, 32. */
function leases(ops: number[], waits: number[] = ops.map(() => 1)): SizingPoint[] {
  return [1, 2, 4, 8, 16, 32].map((size, i) => ({ load: "leases", callers: 100, size, opsPerSec: ops[i]!, waitP99Ms: waits[i]! }));
}

describe("pool-sizing report", () => {
  test("the knee is the smallest pool no larger one beats by 5%", () => {
    assert.equal(kneeOf(leases([10, 20, 40, 41, 41.5, 40]), "leases", 100), 4);
    assert.equal(kneeOf(leases([10, 20, 40, 80, 160, 320]), "leases", 100), 32, "still rising: the largest measured");
    assert.equal(kneeOf(leases([50, 20, 20, 20, 20, 20]), "leases", 100), 1);
    // A dip does not hide a later rise.
    assert.equal(kneeOf(leases([10, 30, 25, 25, 40, 40]), "leases", 100), 16);
    assert.equal(kneeOf([], "leases", 100), undefined);
  });

  test("the chart draws a line per load and caller count, the multiplexer dashed, and no NaN", () => {
    const points: SizingPoint[] = [
      ...leases([10_000, 20_000, 40_000, 41_000, 42_000, 40_000], [9, 5, 0, 0.5, 0.2, 0]),
      ...[1, 2, 4, 8, 16, 32].map((size): SizingPoint => ({ load: "pool commands", callers: 100, size, opsPerSec: 300_000 })),
      { load: "multiplexer", callers: 100, size: 0, opsPerSec: 500_000 },
    ];
    const svg = renderSizingChart(points, "test");
    assert.ok(svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>"));
    assert.doesNotMatch(svg, /NaN|Infinity|undefined/);
    assert.equal(svg.match(/<polyline /g)?.length, 4, "leases, pool commands, multiplexer, and the waits of leases");
    assert.equal(svg.match(/stroke-dasharray/g)?.length, 2, "the multiplexer's line and its legend");
  });
});
