/**
 * Multiplexer throughput (issue 3): one resplex `createClient` vs ioredis (auto-pipelining on) vs
 * node-redis, and on Bun also Bun's own `RedisClient` — all in the same run, against the same server.
 *
 *   npx tsx bench/mux.ts                       node --expose-gc --import tsx bench/mux.ts
 *   node_modules/.bin/bun bench/mux.ts         node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/mux.ts
 *
 * - GET and SET of a 100-byte value by 1, 100 and 1000 concurrent callers, each a loop awaiting
 *   its reply before sending again; ops/s and resplex/peer
 * - memory (JS heap + external) per in-flight command, with 100,000 GETs issued at once
 *
 * Peers load by dynamic import: one that does not load on this runtime is skipped, not fatal.
 * @module
 */
import { createClient } from "../src/mux/client.ts";
import { isMain, measureCase, memoryPerCommand, runStandalone, throughput, type BenchContext, type BenchResult } from "./lib.ts";

/** The two commands each library runs, and how to let it go. */
interface Subject {
  library: string;
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Bun's built-in client, typed here because the project type-checks without bun-types. */
interface BunRedisClient {
  connect(): Promise<void>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  close(): void;
}

const KEY = "bench:mux:k";
const VALUE = "x".repeat(100);
const CALLERS = [1, 100, 1000] as const;
const IN_FLIGHT = 100_000;

async function resplexSubject(url: string): Promise<Subject> {
  const client = createClient(url);
  await client.ping();
  return { library: "resplex", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: () => client.close() };
}

async function ioredisSubject(url: string): Promise<Subject> {
  const { Redis } = await import("ioredis");
  const client = new Redis(url, { enableAutoPipelining: true, lazyConnect: true });
  await client.connect();
  return { library: "ioredis", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: async () => void client.disconnect() };
}

async function nodeRedisSubject(url: string): Promise<Subject> {
  const { createClient: createNodeRedis } = await import("redis");
  const client = createNodeRedis({ url });
  await client.connect();
  return { library: "node-redis", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: async () => client.destroy() };
}

async function bunSubject(url: string): Promise<Subject> {
  const specifier = "bun"; // a variable, so neither tsc nor Node/Deno try to resolve it
  const { RedisClient } = (await import(specifier)) as { RedisClient: new (url: string) => BunRedisClient };
  const client = new RedisClient(url);
  await client.connect();
  return { library: "bun", get: (k) => client.get(k), set: (k, v) => client.set(k, v), close: async () => client.close() };
}

/** Every library that loads and connects here; resplex first, since the others are compared with it. */
async function connectAll(url: string, result: BenchResult): Promise<Subject[]> {
  const factories: Array<[string, (url: string) => Promise<Subject>]> = [
    ["resplex", resplexSubject],
    ["ioredis", ioredisSubject],
    ["node-redis", nodeRedisSubject],
  ];
  if ("Bun" in globalThis) factories.push(["bun", bunSubject]);
  const subjects: Subject[] = [];
  for (const [library, connect] of factories) {
    try {
      subjects.push(await connect(url));
    } catch (err) {
      (result.skipped ??= []).push(`${library}: ${(err as Error).message}`);
    }
  }
  return subjects;
}

/**
 * Run the multiplexer benchmark against the server at `ctx.url`.
 *
 * @example
 * ```ts
 * const { rows, memory } = await benchMux({ url, timing: STANDALONE_TIMING, progress: consoleProgress() });
 * ```
 */
export async function benchMux(ctx: BenchContext): Promise<BenchResult> {
  const result: BenchResult = { rows: [], memory: [] };
  const subjects = await connectAll(ctx.url, result);
  try {
    await subjects[0]!.set(KEY, VALUE);
    for (const op of ["GET", "SET"] as const) {
      for (const callers of CALLERS) {
        for (const subject of subjects) {
          const call = op === "GET" ? () => subject.get(KEY) : () => subject.set(KEY, VALUE);
          const name = `${op} ${callers} caller${callers === 1 ? "" : "s"}`;
          await measureCase(ctx, result, { group: "multiplexer", case: name, library: subject.library }, () => throughput(call, callers, ctx.timing));
        }
      }
    }
    for (const subject of subjects) {
      ctx.progress.start(`multiplexer · memory · ${subject.library}`);
      try {
        const row = await memoryPerCommand(subject.library, () => subject.get(KEY), IN_FLIGHT, ctx.timing.memorySamples);
        result.memory!.push(row);
        ctx.progress.done(`${Math.round(row.bytesPerCommand)} bytes per in-flight command`);
      } catch (err) {
        // 100,000 commands at once can pass a peer's own command timeout on a busy machine: skip it, go on.
        (result.skipped ??= []).push(`multiplexer · memory · ${subject.library}: ${(err as Error).message || (err as Error).name}`);
        ctx.progress.done(`failed: ${(err as Error).message || (err as Error).name}`);
      }
    }
  } finally {
    await Promise.all(subjects.map((s) => s.close()));
  }
  return result;
}

if (isMain(import.meta)) await runStandalone("multiplexer: one connection shared by every caller", benchMux);
