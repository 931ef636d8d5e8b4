/**
 * Every TypeScript and JavaScript block of README.md runs, as a module, against a private redis-server: what a
 * newcomer copies must work. Imports of "resplex" and "resplex/worker" point at this checkout and
 * `redis://localhost:6379` at the test's server. A block whose fence names a file (```ts job.ts)
 * is only written out, for another block to load (a worker script, for instance).
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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

describe("README.md code blocks", () => {
  let server: RedisServer;
  // Per runtime: the three runners may run this file at the same time.
  const dir = join(root, ".tmp", `readme-${runtime}`);

  // Blocks that name sentinel-1:26379 ... get a Sentinel group of their own (data password "secret").
  let group: SentinelGroup | undefined;
  beforeAll(async () => {
    server = await startRedis();
    if (blocks.some((b) => b.code.includes("sentinel-1:26379"))) group = await startSentinelGroup("mymaster", "secret");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const [i, block] of blocks.entries()) {
      const code = localize(block.code, server.url, group);
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
});

/** Point the block's imports at this checkout and its URLs at the test server (sentinel-N:26379 at the group's sentinels). */
function localize(code: string, url: string, group?: SentinelGroup): string {
  return code
    .replaceAll(`"resplex/worker"`, JSON.stringify(pathToFileURL(join(root, "worker.ts")).href))
    .replaceAll(`"resplex"`, JSON.stringify(pathToFileURL(join(root, "mod.ts")).href))
    .replaceAll(`"jsr:@resplex/resplex"`, JSON.stringify(pathToFileURL(join(root, "mod.ts")).href))
    .replaceAll("redis://localhost:6379", url)
    .replace(/sentinel-(\d):26379/g, (name, n) => (group ? `127.0.0.1:${group.sentinels[Number(n) - 1]!.port}` : name))
    .replace(/\{ host: "sentinel-(\d)", port: 26379 \}/g, (name, n) => (group ? `{ host: "127.0.0.1", port: ${group.sentinels[Number(n) - 1]!.port} }` : name));
}
