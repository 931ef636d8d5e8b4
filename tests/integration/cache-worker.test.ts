import assert from "node:assert/strict";
import { createClient, createPool, type RedisClient } from "../../mod.ts";
import { exposeClient, type OwnerHandle } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";
import { killClients, serverCalls } from "./cache-helpers.ts";
import { spawnWorker, type TestWorker } from "./worker-fixtures/spawn.ts";

type Stats = { hits: number; misses: number; entries: number; invalidations: number };

describe("client-side cache shared with worker threads: a cache per worker, fed by the owner", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  let owned: RedisClient;
  let readerWorker: TestWorker;
  let writerWorker: TestWorker;
  let owners: OwnerHandle[];
  beforeAll(async () => {
    server = await startRedis();
    admin = createClient({ url: server.url });
    writer = createClient({ url: server.url });
    owned = createClient({ url: server.url, cache: true, clientName: "cache-owner" });
    [readerWorker, writerWorker] = await Promise.all([spawnWorker("cache-agent.ts"), spawnWorker("cache-agent.ts")]);
    owners = [exposeClient(owned, readerWorker.endpoint), exposeClient(owned, writerWorker.endpoint)];
  }, 60_000);
  afterAll(async () => {
    for (const w of [readerWorker, writerWorker]) {
      await w?.call("close").catch(() => {});
      await w?.terminate();
    }
    for (const o of owners ?? []) await o.close();
    await owned?.close();
    await admin?.close();
    await writer?.close();
    await server?.stop();
  });

  const stats = async (w: TestWorker) => (await w.call("stats")) as Stats;

  test("a worker's repeated read is answered in the worker: Redis sees it once", async () => {
    await writer.set("w:hit", "v");
    await admin.send(["CONFIG", "RESETSTAT"]);
    const before = await stats(readerWorker);
    assert.equal(await readerWorker.call("get", ["w:hit"]), "v");
    assert.equal(await readerWorker.call("get", ["w:hit"]), "v");
    assert.equal(await readerWorker.call("get", ["w:hit"]), "v");
    assert.equal(await serverCalls(admin, "get"), 1);
    const after = await stats(readerWorker);
    assert.equal(after.hits - before.hits, 2);
    assert.equal(owned.stats().cache!.entries, 0, "the owner's own cache holds nothing: the worker's read was the worker's");
  });

  test("one worker writes, the other reads: after the write resolved and a PING, the reader sees it, every time", async () => {
    for (let i = 0; i < 300; i++) {
      const key = `w:two:${i % 7}`;
      await readerWorker.call("get", [key]);
      await readerWorker.call("get", [key]);
      await writerWorker.call("set", [key, String(i)]);
      await readerWorker.call("ping");
      assert.equal(await readerWorker.call("get", [key]), String(i), `round ${i}`);
    }
    assert.ok((await stats(readerWorker)).hits >= 300);
  }, 60_000);

  test("read-your-writes on the worker that wrote: send, multi(), pipeline()", async () => {
    for (const op of ["writeThenRead", "multiThenRead", "pipelineThenRead"]) {
      const key = `w:ryw:${op}`;
      await writer.set(key, "before");
      await writerWorker.call("get", [key]);
      assert.equal(await writerWorker.call("get", [key]), "before");
      assert.equal(await writerWorker.call(op, [key, "after"]), "after", op);
    }
  });

  test("FLUSHALL and a lost owner connection empty the workers' caches", async () => {
    await writer.set("w:flush", "1");
    await readerWorker.call("get", ["w:flush"]);
    assert.ok((await stats(readerWorker)).entries > 0);
    await writer.send(["FLUSHALL"]);
    await until(async () => (await stats(readerWorker)).entries === 0, "the flush to reach the worker");

    await writer.set("w:lost", "before");
    await readerWorker.call("get", ["w:lost"]);
    assert.ok((await stats(readerWorker)).entries > 0);
    assert.equal(await killClients(admin, "cache-owner"), 1);
    await writer.set("w:lost", "after");
    await until(async () => (await stats(readerWorker)).entries === 0, "the flush to reach the worker");
    assert.equal(await readerWorker.call("get", ["w:lost"]), "after");
  });

  test("a worker sharing a pool with a cache gets a cache too, fed by every pool connection", async () => {
    const pool = createPool({ url: server.url, max: 2, cache: true });
    const worker = await spawnWorker("cache-agent.ts");
    const owner = exposeClient(pool, worker.endpoint);
    try {
      await writer.set("w:pool", "1");
      await stats(worker); // connected: the cache comes with the owner's answer
      await worker.call("get", ["w:pool"]);
      assert.equal(await worker.call("get", ["w:pool"]), "1");
      assert.equal((await stats(worker)).hits, 1);
      await writer.set("w:pool", "2");
      await until(async () => (await worker.call("get", ["w:pool"])) === "2", "the invalidation to reach the worker");
    } finally {
      await worker.call("close");
      await worker.terminate();
      await owner.close();
      await pool.close();
    }
  }, 60_000);

  test("a worker of an owner without a cache has none", async () => {
    const plain = createClient({ url: server.url });
    const worker = await spawnWorker("cache-agent.ts");
    const owner = exposeClient(plain, worker.endpoint);
    try {
      assert.equal(await worker.call("stats"), null);
    } finally {
      await worker.call("close");
      await worker.terminate();
      await owner.close();
      await plain.close();
    }
  }, 60_000);
});
