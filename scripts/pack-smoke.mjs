#!/usr/bin/env node
/**
 * Checks what `npm publish` would ship: packs the package (its `prepack` builds dist/ with tsc),
 * installs the tarball into a fresh project outside the repository, then in that project
 *   - checks the tarball holds every file package.json's "exports" names and no TypeScript sources,
 *   - checks every relative import in the compiled JavaScript points at a file that exists
 *     (the runtime adapters load by dynamic import, so running on Node alone would not see theirs),
 *   - runs scripts/pack-smoke/smoke.mjs with plain `node` against a redis-server it starts,
 *     with `@opentelemetry/api` (the optional peer dependency `resplex/otel` needs) installed beside it,
 *   - type-checks scripts/pack-smoke/consumer.ts against the installed declarations (strict, NodeNext).
 *
 *   node scripts/pack-smoke.mjs      # exits non-zero on any failure; KEEP_PACK_SMOKE=1 keeps the temp dir
 *
 * It packs a copy of the working tree, so a run neither races another run's build nor leaves dist/
 * in the checkout. The install needs the npm registry or cache only for comlink and @opentelemetry/api.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "scripts", "pack-smoke");
const work = mkdtempSync(join(tmpdir(), "resplex-pack-smoke-"));
let failed = false;

try {
  const tarball = pack(join(work, "stage"), join(work, "tarballs"));
  const project = install(tarball, join(work, "project"));
  checkContents(tarball, join(project, "node_modules", "resplex"));
  checkRelativeImports(join(project, "node_modules", "resplex"));
  run("smoke (node)", process.execPath, ["smoke.mjs"], project);
  typecheck(project);
  console.log("pack smoke: passed");
} catch (err) {
  failed = true;
  console.error(`pack smoke: FAILED: ${err.message}`);
} finally {
  if (process.env.KEEP_PACK_SMOKE || failed) console.error(`pack smoke: left ${work} for inspection`);
  else rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** `npm pack` of a copy of the working tree (dependencies linked, not copied); returns npm's report. */
function pack(stage, destination) {
  const skipped = new Set(["node_modules", ".git", ".tmp", "dist"]);
  cpSync(root, stage, {
    recursive: true,
    filter: (src) => {
      const rel = relative(root, src);
      return !skipped.has(rel.split(/[\\/]/)[0]) && !rel.endsWith(".tgz");
    },
  });
  symlinkSync(join(root, "node_modules"), join(stage, "node_modules"), "dir");
  mkdirSync(destination);
  const out = run("npm pack", npm(), ["pack", "--json", "--pack-destination", destination], stage, { quiet: true });
  // Lifecycle scripts may print before npm's JSON array.
  const [report] = JSON.parse(out.slice(out.indexOf("[\n")));
  const file = join(destination, report.filename);
  console.log(
    `pack smoke: ${report.filename}: ${(statSync(file).size / 1024).toFixed(1)} kB packed, ` +
      `${(report.unpackedSize / 1024).toFixed(1)} kB unpacked, ${report.entryCount} files`,
  );
  return { file, files: report.files.map((f) => f.path) };
}

/** A fresh ESM project with the tarball installed, and the smoke files beside it. */
function install(tarball, project) {
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "resplex-pack-smoke", private: true, type: "module" }, null, 2));
  const started = Date.now();
  // The version our own tests run with: a user of resplex/otel installs the API next to resplex.
  const otelApi = `@opentelemetry/api@${JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies["@opentelemetry/api"]}`;
  run("npm install", npm(), ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-package-lock", tarball.file, otelApi], project, { quiet: true });
  console.log(`pack smoke: installed in a fresh project in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const name of ["smoke.mjs", "smoke-worker.mjs", "consumer.ts"]) cpSync(join(fixtures, name), join(project, name));
  return project;
}

/** Every file the package's entry points name is in the tarball; no TypeScript source is. */
function checkContents(tarball, installed) {
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  const named = [manifest.main, manifest.types, ...Object.values(manifest.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e)))];
  const missing = [...new Set(named)].map((p) => p.replace(/^\.\//, "")).filter((p) => !tarball.files.includes(p));
  if (missing.length) throw new Error(`package.json names files the tarball lacks: ${missing.join(", ")}`);
  for (const required of ["LICENSE", "README.md"]) {
    if (!tarball.files.includes(required)) throw new Error(`the tarball lacks ${required}`);
  }
  const strays = tarball.files.filter((p) => (p.endsWith(".ts") && !p.endsWith(".d.ts")) || !/^(dist\/|package\.json$|README\.md$|LICENSE$)/.test(p));
  if (strays.length) throw new Error(`the tarball holds files it should not: ${strays.slice(0, 10).join(", ")}`);
}

/**
 * The sources import `./x.ts`; every such specifier must have become a `.js` that exists, in the
 * compiled modules (tsc) and in the declarations (scripts/build.mjs), whose `.js` stands for the `.d.ts`.
 */
function checkRelativeImports(installed) {
  const dist = join(installed, "dist");
  const scripts = readdirSync(dist, { recursive: true }).map(String).filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"));
  const broken = [];
  let count = 0;
  for (const file of scripts) {
    // Comments go first: JSDoc examples quote `./x.ts` imports on purpose.
    const source = readFileSync(join(dist, file), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    for (const [, specifier] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)) {
      const module = resolve(dist, dirname(file), specifier);
      const target = file.endsWith(".d.ts") ? module.replace(/\.js$/, ".d.ts") : module;
      count++;
      if (!specifier.endsWith(".js") || !existsFile(target)) broken.push(`${file}: ${specifier}`);
    }
  }
  if (broken.length) throw new Error(`compiled imports that do not resolve:\n  ${broken.join("\n  ")}`);
  if (count === 0) throw new Error("found no relative import in the compiled modules: the scan is broken");
  console.log(`pack smoke: ${count} relative imports in ${scripts.length} compiled modules and declarations resolve`);
}

/** The consumer file compiled by the repository's tsc, as a strict NodeNext user would. */
function typecheck(project) {
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          // No @types/node: the declarations must stand on the standard libraries alone.
          lib: ["ES2022", "DOM", "ESNext.Disposable"],
          types: [],
          strict: true,
          skipLibCheck: false,
          noEmit: true,
        },
        files: ["consumer.ts"],
      },
      null,
      2,
    ),
  );
  run("tsc (consumer)", join(root, "node_modules", ".bin", "tsc"), ["-p", "."], project);
  console.log("pack smoke: consumer.ts type-checks against the installed declarations");
}

function existsFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function npm() {
  return process.platform === "win32" ? "npm.cmd" : "npm";
}

/** Runs a step to completion; throws with its output when it fails. Returns its stdout. */
function run(label, cmd, args, cwd, { quiet = false } = {}) {
  const res = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000, env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" } });
  if (!quiet) process.stdout.write(res.stdout ?? "");
  if (res.status !== 0) {
    throw new Error(`${label} failed (exit ${res.status}${res.signal ? `, ${res.signal}` : ""}${res.error ? `, ${res.error.message}` : ""}):\n${quiet ? res.stdout : ""}${res.stderr}`);
  }
  if (!quiet) process.stderr.write(res.stderr ?? "");
  return res.stdout;
}
