import assert from "node:assert/strict";
import { createClient, createPool, type RedisClient } from "../../mod.ts";
import type { RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";
import { clientIds, killClients, serverCalls, startCacheServer, stopCacheServer } from "./cache-helpers.ts";

/** Read `key` until the second read is a hit: caching has started (on RESP2, once tracking redirects). */
async function cachingStarted(redis: RedisClient, key: string): Promise<void> {
  await until(async () => {
    const before = redis.stats().cache!.hits;
    await redis.get(key);
    await redis.get(key);
    return redis.stats().cache!.hits > before;
  }, "caching to start");
}

describe("client-side cache over RESP2: invalidations redirected to a connection of their own", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  beforeAll(async () => void ({ server, admin, writer } = await startCacheServer()));
  afterAll(() => stopCacheServer({ server, admin, writer }));

  test("tracking redirects to a connection subscribed to __redis__:invalidate; writes by others invalidate", async () => {
    const r = createClient({ url: server.url, protocol: 2, cache: true, clientName: "resp2-reader" });
    try {
      await writer.set("r2:k", "old");
      await cachingStarted(r, "r2:k");
      assert.equal((await clientIds(admin, "resp2-reader", true)).length, 1, "one subscribed invalidation connection");
      const info = String(await admin.send(["CLIENT", "LIST"])).split("\n").find((line) => line.includes("name=resp2-reader") && line.includes(" sub=0 "))!;
      assert.match(info, /flags=\S*t/, "the reader's connection is tracking");
      await admin.send(["CONFIG", "RESETSTAT"]);
      assert.equal(await r.get("r2:k"), "old");
      assert.equal(await serverCalls(admin, "get"), 0);
      await writer.set("r2:k", "new");
      await until(async () => (await r.get("r2:k")) === "new", "the invalidation");
      // A write through the client is seen at once.
      const written = r.set("r2:k", "mine");
      assert.equal(await r.get("r2:k"), "mine");
      await written;
    } finally {
      await r.close();
    }
  });

  test("while the invalidation connection is down nothing is cached; a write made meanwhile is seen after", async () => {
    const r = createClient({ url: server.url, protocol: 2, cache: true, clientName: "resp2-killed" });
    try {
      await writer.set("r2:kill", "before");
      await cachingStarted(r, "r2:kill");
      assert.equal(await killClients(admin, "resp2-killed", true), 1);
      await until(() => r.stats().cache!.entries === 0, "the cache to be flushed");
      await writer.set("r2:kill", "after"); // its invalidation has nowhere to go, or goes to the new connection
      assert.equal(await r.get("r2:kill"), "after");
      await cachingStarted(r, "r2:kill");
      assert.equal(await r.get("r2:kill"), "after");
      await writer.set("r2:kill", "later");
      await until(async () => (await r.get("r2:kill")) === "later", "the invalidation on the new connection");
    } finally {
      await r.close();
    }
  });

  test("a lost data connection flushes the cache; tracking is redirected again on the next one", async () => {
    const r = createClient({ url: server.url, protocol: 2, cache: true, clientName: "resp2-data" });
    try {
      await writer.set("r2:data", "before");
      await cachingStarted(r, "r2:data");
      assert.equal(await killClients(admin, "resp2-data", false), 1);
      await writer.set("r2:data", "after");
      await until(() => r.stats().cache!.entries === 0, "the cache to be flushed");
      assert.equal(await r.get("r2:data"), "after");
      await cachingStarted(r, "r2:data");
      await writer.set("r2:data", "later");
      await until(async () => (await r.get("r2:data")) === "later", "the invalidation after the reconnect");
    } finally {
      await r.close();
    }
  });
});

describe("client-side cache in broadcast mode", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  beforeAll(async () => void ({ server, admin, writer } = await startCacheServer()));
  afterAll(() => stopCacheServer({ server, admin, writer }));

  test("with prefixes: keys under them are cached and invalidated, others are read from Redis", async () => {
    const r = createClient({ url: server.url, cache: { mode: "broadcast", prefixes: ["user:", "cfg:"] } });
    try {
      await writer.mset({ "user:1": "ada", "cfg:x": "1", "other": "o" });
      await r.get("user:1");
      await r.get("cfg:x");
      await admin.send(["CONFIG", "RESETSTAT"]);
      assert.equal(await r.get("user:1"), "ada");
      assert.equal(await r.get("cfg:x"), "1");
      assert.equal(await r.get("other"), "o");
      assert.equal(await r.get("other"), "o");
      assert.deepEqual(await r.mget("user:1", "other"), ["ada", "o"]);
      assert.deepEqual(await r.mget("user:1", "other"), ["ada", "o"]);
      assert.equal(await serverCalls(admin, "get"), 2, "keys outside the prefixes are not cached");
      assert.equal(await serverCalls(admin, "mget"), 2, "a read with one key outside the prefixes is not cached");
      await writer.set("user:1", "grace");
      await r.send(["PING"]);
      assert.equal(await r.get("user:1"), "grace");
      const tracking = (await admin.send(["CLIENT", "LIST"])) as string;
      assert.match(tracking, /flags=\S*t\S*B|flags=\S*B\S*t/, "the connection tracks in BCAST mode");
    } finally {
      await r.close();
    }
  });

  test("without prefixes every key is cached and invalidated", async () => {
    const r = createClient({ url: server.url, cache: { mode: "broadcast" } });
    try {
      await writer.set("any", "1");
      await r.get("any");
      assert.equal(await r.get("any"), "1");
      assert.equal(r.stats().cache!.hits, 1);
      await writer.set("any", "2");
      await r.send(["PING"]);
      assert.equal(await r.get("any"), "2");
    } finally {
      await r.close();
    }
  });

  test("on a pool, and over RESP2 (BCAST with REDIRECT)", async () => {
    const pool = createPool({ url: server.url, max: 2, cache: { mode: "broadcast", prefixes: ["p:"] } });
    const resp2 = createClient({ url: server.url, protocol: 2, cache: { mode: "broadcast", prefixes: ["p:"] } });
    try {
      await writer.set("p:b", "1");
      await pool.get("p:b");
      assert.equal(await pool.get("p:b"), "1");
      assert.equal(pool.stats().cache!.hits, 1);
      await cachingStarted(resp2, "p:b");
      await writer.set("p:b", "2");
      await until(async () => (await pool.get("p:b")) === "2", "the pool's invalidation");
      await until(async () => (await resp2.get("p:b")) === "2", "the RESP2 client's invalidation");
    } finally {
      await pool.close();
      await resp2.close();
    }
  });
});
