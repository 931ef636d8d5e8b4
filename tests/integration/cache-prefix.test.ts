import assert from "node:assert/strict";
import { createClient, createPool, type CommandApi, type RedisClient } from "../../mod.ts";
import { exposeClient } from "../../worker.ts";
import type { RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";
import { startCacheServer, stopCacheServer } from "./cache-helpers.ts";
import { spawnWorker } from "./worker-fixtures/spawn.ts";

/**
 * With `keyPrefix`, Redis names the keys it invalidates with their prefix, and the client's own
 * writes reach Redis prefixed too: the cache must find its entries under those names.
 */
describe("client-side cache with keyPrefix", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  beforeAll(async () => void ({ server, admin, writer } = await startCacheServer()));
  afterAll(() => stopCacheServer({ server, admin, writer }));

  /**
   * Another client's write, then one of the reader's own: each is seen by the next read.
   * `invalidated` waits for Redis's invalidation of `key` to arrive (a PING on the tracking
   * connection; polling where it comes on a connection of its own, or on any of a pool's).
   */
  async function neverStale(reader: CommandApi, key: string, invalidated: () => Promise<unknown>): Promise<void> {
    await writer.set(`app:${key}`, "old");
    await until(async () => (await reader.get(key)) === "old", "the reader to see the first value");
    assert.equal(await reader.get(key), "old");
    await writer.set(`app:${key}`, "theirs");
    await invalidated();
    assert.equal(await reader.get(key), "theirs", "another client's write");
    assert.equal(await reader.get(key), "theirs");
    await reader.set(key, "mine");
    assert.equal(await reader.get(key), "mine", "the reader's own write");
    assert.equal(await writer.get(`app:${key}`), "mine");
  }

  test("on the multiplexer (RESP3)", async () => {
    const reader = createClient({ url: server.url, keyPrefix: "app:", cache: true });
    try {
      await neverStale(reader, "pfx:mux", () => reader.ping());
      assert.ok(reader.stats().cache!.hits > 0, "it did cache");
    } finally {
      await reader.close();
    }
  });

  test("on the multiplexer over RESP2 (invalidations redirected)", async () => {
    const reader = createClient({ url: server.url, protocol: 2, keyPrefix: "app:", cache: true });
    try {
      // The invalidation comes on a connection of its own, in no order with the replies.
      await neverStale(reader, "pfx:resp2", () => until(async () => (await reader.get("pfx:resp2")) === "theirs", "the invalidation"));
    } finally {
      await reader.close();
    }
  });

  test("on the pool", async () => {
    const pool = createPool({ url: server.url, max: 2, keyPrefix: "app:", cache: true });
    try {
      // The invalidation comes on the pool connection that read the key, whichever that was.
      await neverStale(pool, "pfx:pool", () => until(async () => (await pool.get("pfx:pool")) === "theirs", "the invalidation"));
      assert.ok(pool.stats().cache!.hits > 0, "it did cache");
    } finally {
      await pool.close();
    }
  });

  test("on a worker client of an owner with a prefix", async () => {
    const owned = createClient({ url: server.url, keyPrefix: "app:", cache: true });
    const worker = await spawnWorker("cache-agent.ts");
    const owner = exposeClient(owned, worker.endpoint);
    try {
      await writer.set("app:pfx:worker", "old");
      assert.equal(await worker.call("get", ["pfx:worker"]), "old");
      assert.equal(await worker.call("get", ["pfx:worker"]), "old");
      await writer.set("app:pfx:worker", "theirs");
      await worker.call("ping");
      assert.equal(await worker.call("get", ["pfx:worker"]), "theirs", "another client's write");
      assert.equal(await worker.call("writeThenRead", ["pfx:worker", "mine"]), "mine", "the worker's own write");
      assert.equal(await writer.get("app:pfx:worker"), "mine");
      assert.equal(await worker.call("get", ["pfx:worker"]), "mine");
      assert.equal(await worker.call("multiThenRead", ["pfx:worker", "in multi"]), "in multi", "the worker's own write in multi()");
      assert.equal(await worker.call("pipelineThenRead", ["pfx:worker", "in pipeline"]), "in pipeline", "the worker's own write in pipeline()");
    } finally {
      await worker.call("close").catch(() => {});
      await worker.terminate();
      await owner.close();
      await owned.close();
    }
  });
});
