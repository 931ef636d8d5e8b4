import assert from "node:assert/strict";
import { createPool, type Pool, type RedisClient } from "../../mod.ts";
import type { RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";
import { killClients, serverCalls, startCacheServer, stopCacheServer } from "./cache-helpers.ts";

describe("client-side cache on the pool (RESP3)", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  beforeAll(async () => void ({ server, admin, writer } = await startCacheServer()));
  afterAll(() => stopCacheServer({ server, admin, writer }));

  const cachingPool = (name = "cache-pool"): Pool => createPool({ url: server.url, max: 4, cache: true, clientName: name });

  test("pool commands are answered from memory once read, on whichever connection they went", async () => {
    const pool = cachingPool();
    try {
      await writer.mset({ "p:a": "1", "p:b": "2" });
      await admin.send(["CONFIG", "RESETSTAT"]);
      for (let i = 0; i < 5; i++) {
        await Promise.all([pool.get("p:a"), pool.get("p:b"), pool.send(["GET", "p:a"])]);
      }
      assert.equal(await serverCalls(admin, "get"), 2);
      const stats = pool.stats().cache!;
      assert.equal(stats.entries, 2);
      assert.equal(stats.misses, 3); // the third read of the first round joined the first
      assert.equal(stats.hits, 12);
    } finally {
      await pool.close();
    }
  });

  test("another client's write invalidates the entry, through whichever connection tracked it", async () => {
    const pool = cachingPool();
    try {
      await writer.set("p:inv", "old");
      assert.equal(await pool.get("p:inv"), "old");
      assert.equal(await pool.get("p:inv"), "old");
      await writer.set("p:inv", "new");
      await until(async () => (await pool.get("p:inv")) === "new", "the invalidation");
      assert.equal(pool.stats().cache!.invalidations, 1);
    } finally {
      await pool.close();
    }
  });

  test("a pool read that fails as it is created (an aborted signal) leaves nothing behind: the key is still invalidated", async () => {
    const pool = cachingPool("cache-pool-aborted");
    try {
      await writer.set("p:aborted", "v1");
      await assert.rejects(pool.send(["GET", "p:aborted"], { signal: AbortSignal.abort() }), { name: "AbortError" });
      assert.equal(await pool.get("p:aborted"), "v1");
      assert.equal(await pool.get("p:aborted"), "v1");
      await writer.set("p:aborted", "v2");
      await until(async () => (await pool.get("p:aborted")) === "v2", "the invalidation");
      assert.equal(pool.stats().cache!.invalidations, 1);
    } finally {
      await pool.close();
    }
  });

  test("a write through each entry point drops the entry before it is sent; once it resolved, reads see it", async () => {
    const pool = cachingPool();
    try {
      const writes: Record<string, (key: string, value: string) => Promise<unknown>> = {
        send: (k, v) => pool.send(["SET", k, v]),
        typed: (k, v) => pool.set(k, v),
        multi: (k, v) => pool.multi().set(k, v).exec(),
        pipeline: (k, v) => pool.pipeline().set(k, v).exec(),
        lease: (k, v) => pool.withConnection((lease) => lease.set(k, v)),
        "with()": (k, v) => pool.with({ timeout: 2_000 }).set(k, v),
      };
      for (const [entry, write] of Object.entries(writes)) {
        const key = `p:ryw:${entry}`;
        await writer.set(key, "before");
        assert.equal(await pool.get(key), "before");
        assert.equal(await pool.get(key), "before");
        const entries = pool.stats().cache!.entries;
        const written = write(key, "after");
        if (entry !== "lease" && entry !== "pipeline" && entry !== "multi") {
          assert.equal(pool.stats().cache!.entries, entries - 1, `a write through ${entry} left its entry in place`);
        }
        await written;
        assert.equal(await pool.get(key), "after", `a read after a write through ${entry} was stale`);
      }
      // A lease's write drops the entry when it is created, before the lease sends it.
      await pool.get("p:ryw:lease");
      const cached = pool.stats().cache!.entries;
      await pool.withConnection(async (lease) => {
        const written = lease.set("p:ryw:lease", "again");
        assert.equal(pool.stats().cache!.entries, cached - 1, "a lease's write left its entry in place");
        await written;
      });
      assert.equal(await pool.get("p:ryw:lease"), "again");
    } finally {
      await pool.close();
    }
  });

  test("losing a pool connection empties the cache; a write made meanwhile is seen", async () => {
    const pool = cachingPool("cache-pool-killed");
    try {
      await writer.set("p:kill", "before");
      await pool.get("p:kill");
      await pool.get("p:kill");
      assert.equal(pool.stats().cache!.entries, 1);
      assert.ok((await killClients(admin, "cache-pool-killed")) >= 1);
      await writer.set("p:kill", "after");
      await until(() => pool.stats().cache!.entries === 0, "the cache to be flushed");
      assert.equal(await pool.get("p:kill"), "after");
    } finally {
      await pool.close();
    }
  });

  test("FLUSHALL by another client empties the cache", async () => {
    const pool = cachingPool();
    try {
      await writer.set("p:f", "1");
      await pool.get("p:f");
      await writer.send(["FLUSHALL"]);
      await until(() => pool.stats().cache!.entries === 0, "the flush");
      assert.equal(await pool.get("p:f"), null);
    } finally {
      await pool.close();
    }
  });

  test("with({ cache: false }), and the pool's cache counters and clear()", async () => {
    const pool = cachingPool();
    try {
      await writer.set("p:bypass", "v");
      await admin.send(["CONFIG", "RESETSTAT"]);
      await pool.with({ cache: false }).get("p:bypass");
      await pool.with({ cache: false }).get("p:bypass");
      assert.equal(await serverCalls(admin, "get"), 2);
      assert.equal(pool.stats().cache!.entries, 0);
      await pool.get("p:bypass");
      pool.cache!.clear();
      assert.equal(pool.stats().cache!.entries, 0);
      const plain = createPool({ url: server.url });
      assert.equal(plain.cache, undefined);
      assert.equal(plain.stats().cache, undefined);
      await plain.close();
    } finally {
      await pool.close();
    }
  });

  test("a pool cache needs RESP3", () => {
    assert.throws(() => createPool({ url: server.url, protocol: 2, cache: true }), /protocol 3/);
  });
});
