#!/usr/bin/env node
/**
 * Runs the behaviour suite on Node (vitest), Deno (deno test) and Bun (bun test), one after the
 * other, and sums what each reported into one closing line: `N passed, N failed[, N skipped]`.
 * The project checks of scripts/checks.mjs (type check; on full runs also the npm pack smoke test
 * and the JSR dry run) count as one test each.
 *
 *   node scripts/test.mjs                 # the checks, then every runtime, every test
 *   node scripts/test.mjs --only=deno     # one runtime
 *   node scripts/test.mjs --only=checks   # the project checks alone
 *   node scripts/test.mjs tests/unit      # a subset (path prefix); of the checks only the type check
 *   TEST_REPORTS_DIR=.tmp/mine node scripts/test.mjs   # reports elsewhere, so two runs can overlap
 *
 * Exits non-zero when any runner fails, reports a failure, or runs no test at all.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { projectChecks, runCheck } from "./checks.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = resolve(root, process.env.TEST_REPORTS_DIR ?? ".tmp/test-reports");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const prefixes = args.filter((a) => !a.startsWith("--"));
// Runners disagree on path filters (deno wants files), so prefixes become the test files they match.
const allTests = readdirSync(join(root, "tests"), { recursive: true })
  .map((f) => join("tests", String(f)))
  .filter((f) => f.endsWith(".test.ts"))
  .sort();
const paths = prefixes.length ? allTests.filter((f) => prefixes.some((p) => f.startsWith(p.replace(/^\.\//, "")))) : [];
if (prefixes.length && paths.length === 0) {
  console.error(`no test file matches ${prefixes.join(" ")}`);
  process.exit(1);
}
const bin = (name) => join(root, "node_modules", ".bin", name);

const runtimes = [
  {
    name: "node",
    cmd: [bin("vitest"), "run", "--reporter=default", "--reporter=json", `--outputFile=${join(out, "vitest.json")}`, ...paths],
    count() {
      const r = JSON.parse(readFileSync(join(out, "vitest.json"), "utf8"));
      return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
    },
  },
  {
    name: "deno",
    cmd: [bin("deno"), "test", "-A", "--no-check", `--junit-path=${join(out, "deno.xml")}`, ...(paths.length ? paths : ["tests/"])],
    count: () => countJunit(readFileSync(join(out, "deno.xml"), "utf8"), true),
  },
  {
    name: "bun",
    cmd: [bin("bun"), "test", "--timeout=60000", "--reporter=junit", `--reporter-outfile=${join(out, "bun.xml")}`, ...(paths.length ? paths : ["tests/"])],
    count: () => countJunit(readFileSync(join(out, "bun.xml"), "utf8"), false),
  },
].filter((r) => !only || only.includes(r.name));

/**
 * Leaf test cases of a JUnit report. Deno reports each describe() group as a test case too, named
 * "group" with its tests named "group > test": a case is a group when another case's name starts
 * with its name and " > ".
 */
function countJunit(xml, dropGroups) {
  const cases = [...xml.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    name: m[1],
    body: m[3] ?? "",
  }));
  const names = cases.map((c) => c.name);
  const leaves = dropGroups ? cases.filter((c) => !names.some((n) => n.startsWith(`${c.name} &gt; `))) : cases;
  const failed = leaves.filter((c) => /<(failure|error)\b/.test(c.body)).length;
  const skipped = leaves.filter((c) => /<skipped\b/.test(c.body)).length;
  return { passed: leaves.length - failed - skipped, failed, skipped };
}

const total = { passed: 0, failed: 0, skipped: 0 };
let broken = false;
const lines = [];

// Each check counts as one test: strict types and a publishable package are part of what the suite promises.
if (!only || only.includes("checks")) {
  for (const check of projectChecks(root, { wholePackage: prefixes.length === 0 })) {
    const ok = runCheck(root, check);
    total[ok ? "passed" : "failed"]++;
    broken ||= !ok;
    lines.push(`${check.name}: ${ok ? "passed" : "failed"}`);
  }
}
for (const runtime of runtimes) {
  console.log(`\n=== ${runtime.name}: ${runtime.cmd.slice(1).join(" ")}`);
  const started = Date.now();
  const res = spawnSync(runtime.cmd[0], runtime.cmd.slice(1), { cwd: root, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
  let counts;
  try {
    counts = runtime.count();
  } catch (err) {
    counts = { passed: 0, failed: 1, skipped: 0 };
    console.error(`${runtime.name}: no report (${err.message})`);
  }
  if (res.status !== 0 && counts.failed === 0) counts.failed = 1; // the runner itself failed
  if (res.status !== 0 || counts.failed > 0 || counts.passed === 0) broken = true;
  for (const k of Object.keys(total)) total[k] += counts[k];
  lines.push(`${runtime.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${((Date.now() - started) / 1000).toFixed(1)} s, exit ${res.status})`);
}

console.log(`\n${lines.join("\n")}`);
const summary = `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`;
writeFileSync(join(out, "summary.txt"), `${summary}\n`);
console.log(summary);
process.exit(broken ? 1 : 0);
