/**
 * Every TypeScript and JavaScript block of README.md runs, as a module, against a private redis-server: what a
 * newcomer copies must work. Imports of "resplex", "resplex/worker" and "resplex/otel" point at this
 * checkout and `redis://localhost:6379` at the test's server (`redis://localhost:7000`, the cluster
 * examples', at a private cluster, started only when a block uses it). A block whose fence names a
 * file (```ts job.ts) is only written out, for another block to load (a worker script, for instance).
 * The examples the README points to run too, each in a process of the running runtime.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startCluster, type RedisCluster } from "../harness/cluster.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { startSentinelGroup, type SentinelGroup } from "../harness/sentinel.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

interface Block {
  line: number;
  file: string | undefined;
  code: string;
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /^```(?:ts|js)(?: +(\S+))?\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence)) {
    blocks.push({ line: markdown.slice(0, match.index).split("\n").length, file: match[1], code: match[2]! });
  }
  return blocks;
}

const blocks = codeBlocks(readme);
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = g.Deno ? "deno" : g.Bun ? "bun" : "node";
const CLUSTER_URL = "redis://localhost:7000";

describe("README.md code blocks", () => {
  let server: RedisServer;
  let cluster: RedisCluster | undefined;
  // Per runtime: the three runners may run this file at the same time.
  const dir = join(root, ".tmp", `readme-${runtime}`);

  // Blocks that name sentinel-1:26379 ... get a Sentinel group of their own (data password "secret").
  let group: SentinelGroup | undefined;
  beforeAll(async () => {
    server = await startRedis();
    if (blocks.some((b) => b.code.includes(CLUSTER_URL))) cluster = await startCluster();
    if (blocks.some((b) => b.code.includes("sentinel-1:26379"))) group = await startSentinelGroup("mymaster", "secret");
    const clusterUrl = cluster ? `redis://127.0.0.1:${cluster.seeds[0]!.port}` : CLUSTER_URL;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [i, block] of blocks.entries()) {
      const code = localize(block.code, server.url, group).replaceAll(CLUSTER_URL, clusterUrl);
      if (block.file && runtime === "node") {
        // A Node worker cannot load the TypeScript sources the block imports by itself: a shim
        // registers tsx first (the published package needs none of this: it ships JavaScript).
        writeFileSync(join(dir, `${block.file}.impl.mjs`), code);
        writeFileSync(join(dir, block.file), `import { register } from "tsx/esm/api";\nregister();\nawait import("./${block.file}.impl.mjs");\n`);
      } else writeFileSync(join(dir, block.file ?? `block-${i}.ts`), code);
    }
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await cluster?.stop();
    await group?.stop();
  });

  test("the README has TypeScript examples to run", () => {
    assert.ok(blocks.filter((b) => !b.file).length >= 3);
  });

  for (const [i, block] of blocks.entries()) {
    if (block.file) continue;
    test(`the block at README.md line ${block.line} runs`, async () => {
      await import(pathToFileURL(join(dir, `block-${i}.ts`)).href);
    });
  }

  test("examples/otel.ts prints the checkout's spans, children of its span, and the pool's metrics", async () => {
    const out = await runExample("examples/otel.ts", server.url);
    const checkout = /^span checkout (\w+) /m.exec(out)?.[1];
    assert.ok(checkout, `no checkout span in:\n${out}`);
    for (const name of ["SET", "GET", "LPUSH", "MULTI"]) assert.match(out, new RegExp(`^span ${name} \\w+ \\(in ${checkout}\\)`, "m"));
    assert.match(out, /^span LPUSH .* ERROR WRONGTYPE/m);
    assert.match(out, /^metric db\.client\.operation\.duration \[s\] .*db\.operation\.name="INCR": count 200,/m);
    for (const name of ["count", "max", "idle.min", "pending_requests", "wait_time", "create_time", "use_time"]) {
      assert.match(out, new RegExp(`^metric db\\.client\\.connection\\.${name.replace(".", "\\.")} .*pool\\.name="example"`, "m"));
    }
  }, 60_000);
});

/** Run an example script of this checkout with the running runtime against `url`; resolves to its output. */
function runExample(file: string, url: string): Promise<string> {
  const path = join(root, file);
  const args = runtime === "node" ? ["--import", "tsx", path] : runtime === "deno" ? ["run", "-A", path] : [path];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, env: { ...process.env, REDIS_URL: url, NO_COLOR: "1" }, timeout: 50_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Point the block's imports at this checkout and its URLs at the test server (sentinel-N:26379 at the group's sentinels). */
function localize(code: string, url: string, group?: SentinelGroup): string {
  return code
    .replaceAll(`"resplex/worker"`, JSON.stringify(pathToFileURL(join(root, "worker.ts")).href))
    .replaceAll(`"resplex/otel"`, JSON.stringify(pathToFileURL(join(root, "otel.ts")).href))
    .replaceAll(`"resplex"`, JSON.stringify(pathToFileURL(join(root, "mod.ts")).href))
    .replaceAll(`"jsr:@resplex/resplex"`, JSON.stringify(pathToFileURL(join(root, "mod.ts")).href))
    .replaceAll("redis://localhost:6379", url)
    .replace(/sentinel-(\d):26379/g, (name, n) => (group ? `127.0.0.1:${group.sentinels[Number(n) - 1]!.port}` : name))
    .replace(/\{ host: "sentinel-(\d)", port: 26379 \}/g, (name, n) => (group ? `{ host: "127.0.0.1", port: ${group.sentinels[Number(n) - 1]!.port} }` : name));
}
