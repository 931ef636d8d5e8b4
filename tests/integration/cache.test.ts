import assert from "node:assert/strict";
import { createClient, raw, type RedisClient } from "../../mod.ts";
import type { RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";
import { killClients, serverCalls, startCacheServer, stopCacheServer } from "./cache-helpers.ts";

describe("client-side cache on the multiplexer (RESP3)", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  beforeAll(async () => void ({ server, admin, writer } = await startCacheServer()));
  afterAll(() => stopCacheServer({ server, admin, writer }));

  /** A caching client, and a function that closes it. */
  function reader(cache: NonNullable<Parameters<typeof createClient>[0] & object>["cache"] = true, name = "cache-reader"): RedisClient {
    return createClient({ url: server.url, cache, clientName: name });
  }

  test("a repeated read is answered from memory: counted as a hit, not sent to Redis", async () => {
    const r = reader();
    try {
      await writer.set("c:hit", "v1");
      await admin.send(["CONFIG", "RESETSTAT"]);
      assert.equal(await r.get("c:hit"), "v1");
      assert.equal(await r.get("c:hit"), "v1");
      assert.equal(await r.send(["GET", "c:hit"]), "v1");
      assert.equal(await serverCalls(admin, "get"), 1);
      const stats = r.stats().cache!;
      assert.equal(stats.hits, 2);
      assert.equal(stats.misses, 1);
      assert.equal(stats.entries, 1);
      assert.ok(stats.bytes > 0);
    } finally {
      await r.close();
    }
  });

  test("another client's write invalidates: a read after a PING on the tracking connection sees it", async () => {
    const r = reader();
    try {
      await writer.set("c:inv", "old");
      assert.equal(await r.get("c:inv"), "old");
      assert.equal(await r.get("c:inv"), "old");
      await writer.set("c:inv", "new");
      await r.send(["PING"]); // orders behind the invalidation Redis pushed on the same connection
      assert.equal(await r.get("c:inv"), "new");
      assert.equal(r.stats().cache!.invalidations, 1);
    } finally {
      await r.close();
    }
  });

  test("hashes, sets, sorted sets, lists, EXISTS and MGET are cached; TTL and SRANDMEMBER are not", async () => {
    const r = reader();
    try {
      await writer.hset("c:h", { f: "1" });
      await writer.sadd("c:s", "a");
      await writer.zadd("c:z", [{ score: 1, member: "m" }]);
      await writer.rpush("c:l", "x");
      await writer.set("c:m1", "1");
      await writer.expire("c:m1", 100);
      const reads: Array<() => Promise<unknown>> = [
        () => r.hgetall("c:h"), () => r.hget("c:h", "f"), () => r.hmget("c:h", "f", "g"),
        () => r.smembers("c:s"), () => r.sismember("c:s", "a"),
        () => r.zrange("c:z", 0, -1), () => r.lrange("c:l", 0, -1),
        () => r.exists("c:h", "c:s"), () => r.mget("c:m1", "c:m2"),
      ];
      for (const read of reads) await read();
      const first = r.stats().cache!;
      assert.equal(first.misses, reads.length);
      for (const read of reads) await read();
      assert.equal(r.stats().cache!.hits, reads.length);

      await admin.send(["CONFIG", "RESETSTAT"]);
      await r.ttl("c:m1");
      await r.ttl("c:m1");
      await r.srandmember("c:s", 1);
      await r.srandmember("c:s", 1);
      assert.equal(await serverCalls(admin, "ttl"), 2);
      assert.equal(await serverCalls(admin, "srandmember"), 2);
      assert.equal(r.stats().cache!.misses, reads.length, "uncacheable reads are neither hits nor misses");
    } finally {
      await r.close();
    }
  });

  test("MGET is cached as a whole and dropped when any of its keys changes", async () => {
    const r = reader();
    try {
      await writer.mset({ "c:ma": "1", "c:mb": "2" });
      assert.deepEqual(await r.mget("c:ma", "c:mb"), ["1", "2"]);
      assert.deepEqual(await r.mget("c:ma", "c:mb"), ["1", "2"]);
      await writer.set("c:mb", "3");
      await r.send(["PING"]);
      assert.deepEqual(await r.mget("c:ma", "c:mb"), ["1", "3"]);
    } finally {
      await r.close();
    }
  });

  test("a write through each entry point drops the entry before it is even sent", async () => {
    const r = reader();
    try {
      const writes: Record<string, (key: string, value: string) => Promise<unknown>> = {
        send: (k, v) => r.send(["SET", k, v]),
        typed: (k, v) => r.set(k, v),
        multi: (k, v) => r.multi().set(k, v).exec(),
        pipeline: (k, v) => r.pipeline().set(k, v).exec(),
        transaction: (k, v) => r.transaction([raw(["SET", k, v])]),
        "with()": (k, v) => r.with({ timeout: 2_000 }).set(k, v),
      };
      for (const [entry, write] of Object.entries(writes)) {
        const key = `c:ryw:${entry}`;
        await writer.set(key, "before");
        assert.equal(await r.get(key), "before");
        assert.equal(await r.get(key), "before"); // cached now
        const written = write(key, "after");
        const read = r.get(key); // same tick: a hit would still say "before"
        await written;
        assert.equal(await read, "after", `a write through ${entry} left a stale entry`);
      }
    } finally {
      await r.close();
    }
  });

  test("a write on a dedicated connection (isolated(), blocking commands) drops the entry, and again once answered", async () => {
    const r = reader();
    try {
      await writer.set("c:iso", "before");
      await r.get("c:iso");
      await r.get("c:iso");
      await r.isolated(async (c) => {
        const written = c.set("c:iso", "after");
        assert.equal(r.stats().cache!.entries, 0, "the entry outlived the write's creation");
        await written;
      });
      assert.equal(await r.get("c:iso"), "after");

      await writer.del("c:q");
      await writer.rpush("c:q", "a");
      assert.deepEqual(await r.lrange("c:q", 0, -1), ["a"]);
      assert.deepEqual(await r.lrange("c:q", 0, -1), ["a"]);
      assert.equal(await r.send(["BLMOVE", "c:q", "c:q2", "LEFT", "RIGHT", 1]), "a");
      assert.deepEqual(await r.lrange("c:q", 0, -1), []);
    } finally {
      await r.close();
    }
  });

  test("identical reads issued while the first is on its way share its reply: Redis sees one", async () => {
    const r = reader();
    try {
      await writer.set("c:herd", "v");
      await r.send(["PING"]);
      await admin.send(["CONFIG", "RESETSTAT"]);
      const replies = await Promise.all(Array.from({ length: 20 }, () => r.get("c:herd")));
      assert.deepEqual(replies, Array(20).fill("v"));
      assert.equal(await serverCalls(admin, "get"), 1);
      // A read with a deadline of its own is sent on its own.
      await writer.set("c:herd", "w");
      await r.send(["PING"]);
      await Promise.all(Array.from({ length: 3 }, () => r.with({ timeout: 2_000 }).get("c:herd")));
      assert.equal(await serverCalls(admin, "get"), 4);
    } finally {
      await r.close();
    }
  });

  test("a read does not join one with a signal of its own: aborting that one does not fail it", async () => {
    const r = reader();
    try {
      await writer.set("c:join-abort", "v");
      await r.send(["PING"]);
      const controller = new AbortController();
      const own = r.with({ signal: controller.signal }).get("c:join-abort");
      const plain = r.get("c:join-abort");
      controller.abort();
      await assert.rejects(own, { name: "AbortError" });
      assert.equal(await plain, "v");
    } finally {
      await r.close();
    }
  });

  test("a read that fails as it is created (an aborted signal) leaves nothing behind: the key is still invalidated", async () => {
    const r = reader();
    try {
      await writer.set("c:aborted", "v1");
      await assert.rejects(r.send(["GET", "c:aborted"], { signal: AbortSignal.abort() }), { name: "AbortError" });
      assert.equal(await r.get("c:aborted"), "v1");
      for (const value of ["v2", "v3"]) {
        await writer.set("c:aborted", value);
        await r.send(["PING"]);
        assert.equal(await r.get("c:aborted"), value);
      }
    } finally {
      await r.close();
    }
  });

  test("a connection replaced after an error reply (reconnectOnError) empties the cache: its tracking is gone", async () => {
    const r = createClient({ url: server.url, cache: true, reconnectOnError: (err) => /unknown command/.test(err.message) });
    try {
      await writer.set("c:replaced", "v1");
      assert.equal(await r.get("c:replaced"), "v1");
      assert.equal(await r.get("c:replaced"), "v1");
      await assert.rejects(r.send(["NOSUCHCMD"]));
      await r.send(["PING"]); // on the new connection
      await writer.set("c:replaced", "v2");
      await r.send(["PING"]);
      assert.equal(await r.get("c:replaced"), "v2");
    } finally {
      await r.close();
    }
  });

  test("a key given as bytes that are not UTF-8 is never cached", async () => {
    const r = reader();
    try {
      const key = new Uint8Array([0x63, 0x3a, 0xff]);
      await writer.send(["SET", key, "v"]);
      await admin.send(["CONFIG", "RESETSTAT"]);
      await r.send(["GET", key]);
      await r.send(["GET", key]);
      assert.equal(await serverCalls(admin, "get"), 2);
    } finally {
      await r.close();
    }
  });

  test("with({ cache: false }) reads from Redis and does not fill the cache", async () => {
    const r = reader();
    try {
      await writer.set("c:bypass", "v");
      await admin.send(["CONFIG", "RESETSTAT"]);
      await r.with({ cache: false }).get("c:bypass");
      await r.with({ cache: false }).get("c:bypass");
      await r.send(["GET", "c:bypass"], { cache: false });
      assert.equal(await serverCalls(admin, "get"), 3);
      assert.deepEqual({ ...r.stats().cache!, bytes: 0 }, { hits: 0, misses: 0, invalidations: 0, evictions: 0, entries: 0, bytes: 0 });
    } finally {
      await r.close();
    }
  });

  test("FLUSHALL by another client empties the cache (a null invalidation)", async () => {
    const r = reader();
    try {
      await writer.mset({ "c:f1": "1", "c:f2": "2" });
      await r.get("c:f1");
      await r.get("c:f2");
      assert.equal(r.stats().cache!.entries, 2);
      await writer.send(["FLUSHALL"]);
      await r.send(["PING"]);
      assert.equal(r.stats().cache!.entries, 0);
      assert.equal(await r.get("c:f1"), null);
    } finally {
      await r.close();
    }
  });

  test("a killed tracking connection empties the cache; after reconnecting, a write made meanwhile is seen", async () => {
    const r = reader(true, "cache-killed");
    try {
      await writer.set("c:kill", "before");
      await r.get("c:kill");
      await r.get("c:kill");
      assert.equal(await killClients(admin, "cache-killed"), 1);
      await writer.set("c:kill", "after"); // its invalidation has no connection to go to
      await until(() => r.stats().cache!.entries === 0, "the cache to be flushed");
      assert.equal(await r.get("c:kill"), "after");
      assert.equal(await r.get("c:kill"), "after");
      assert.equal(r.stats().cache!.hits, 2, "caching resumes on the new connection");
    } finally {
      await r.close();
    }
  });

  test("maxEntries evicts the least recently used entry", async () => {
    const r = reader({ maxEntries: 3 });
    try {
      await writer.mset({ "c:l1": "1", "c:l2": "2", "c:l3": "3", "c:l4": "4" });
      await r.get("c:l1");
      await r.get("c:l2");
      await r.get("c:l3");
      await r.get("c:l1"); // hit: now the most recently used
      await r.get("c:l4"); // evicts c:l2
      const stats = r.stats().cache!;
      assert.equal(stats.entries, 3);
      assert.equal(stats.evictions, 1);
      await r.get("c:l1");
      await r.get("c:l3");
      await r.get("c:l4");
      assert.equal(r.stats().cache!.hits, 4);
      await r.get("c:l2");
      assert.equal(r.stats().cache!.misses, 5);
    } finally {
      await r.close();
    }
  });

  test("maxBytes bounds the estimated size; an entry larger than it is not kept", async () => {
    const r = reader({ maxBytes: 10_000 });
    try {
      const value = "x".repeat(1_000);
      for (let i = 0; i < 20; i++) await writer.set(`c:b${i}`, value);
      for (let i = 0; i < 20; i++) await r.get(`c:b${i}`);
      const stats = r.stats().cache!;
      assert.ok(stats.bytes <= 10_000, `bytes ${stats.bytes}`);
      assert.ok(stats.entries >= 3 && stats.entries < 20, `entries ${stats.entries}`);
      assert.equal(stats.evictions, 20 - stats.entries);
      await writer.set("c:huge", "y".repeat(20_000));
      await r.get("c:huge");
      assert.ok(r.stats().cache!.bytes <= 10_000);
      await admin.send(["CONFIG", "RESETSTAT"]);
      await r.get("c:huge");
      assert.equal(await serverCalls(admin, "get"), 1);
    } finally {
      await r.close();
    }
  });

  test("ttl: an entry older than ttl is read from Redis again", async () => {
    const r = reader({ ttl: 100 });
    try {
      await writer.set("c:ttl", "v");
      await r.get("c:ttl");
      await r.get("c:ttl");
      assert.equal(r.stats().cache!.hits, 1);
      await sleep(150);
      await r.get("c:ttl");
      assert.equal(r.stats().cache!.misses, 2);
      assert.equal(r.stats().cache!.evictions, 1);
    } finally {
      await r.close();
    }
  });

  test("cache.clear() drops every entry", async () => {
    const r = reader();
    try {
      await writer.set("c:clear", "v");
      await r.get("c:clear");
      r.cache!.clear();
      assert.equal(r.stats().cache!.entries, 0);
      await r.get("c:clear");
      assert.equal(r.stats().cache!.misses, 2);
    } finally {
      await r.close();
    }
  });

  test("each caller gets its own copy: changing a returned reply does not change the cached one", async () => {
    const r = reader();
    try {
      await writer.del("c:copy");
      await writer.rpush("c:copy", "a", "b");
      const first = (await r.send(["LRANGE", "c:copy", 0, -1])) as string[];
      first.push("mine");
      const second = (await r.send(["LRANGE", "c:copy", 0, -1])) as string[];
      second[0] = "changed";
      assert.deepEqual(await r.send(["LRANGE", "c:copy", 0, -1]), ["a", "b"]);
    } finally {
      await r.close();
    }
  });

  test("string and bytes replies are cached apart", async () => {
    const r = reader();
    try {
      await writer.set("c:bytes", "v");
      assert.equal(await r.get("c:bytes"), "v");
      assert.deepEqual(await r.getBuffer("c:bytes"), new TextEncoder().encode("v"));
      assert.deepEqual(await r.getBuffer("c:bytes"), new TextEncoder().encode("v"));
      assert.equal(await r.get("c:bytes"), "v");
      assert.equal(r.stats().cache!.entries, 2);
      assert.equal(r.stats().cache!.hits, 2);
    } finally {
      await r.close();
    }
  });

  test("a key given as bytes is the same key as its text", async () => {
    const r = reader();
    try {
      await writer.set("c:asbytes", "1");
      const key = new TextEncoder().encode("c:asbytes");
      assert.equal(await r.send(["GET", key]), "1");
      assert.equal(await r.send(["GET", key]), "1");
      await r.set("c:asbytes", "2");
      assert.equal(await r.send(["GET", key]), "2");
    } finally {
      await r.close();
    }
  });

  test("a command hook sees hits too, though they never reach a connection", async () => {
    const seen: string[] = [];
    const r = createClient({ url: server.url, cache: true, hooks: { command: ({ name }) => () => void seen.push(name) } });
    try {
      await writer.set("c:hooked", "v");
      await r.get("c:hooked");
      await r.get("c:hooked");
      await Promise.all([r.get("c:hooked2"), r.get("c:hooked2")]); // the second joins the first
      assert.deepEqual(seen, ["GET", "GET", "GET", "GET"]);
      assert.equal(r.stats().cache!.hits, 1);
    } finally {
      await r.close();
    }
  });

  test("with decode: \"bytes\", invalidations (read as bytes too) still find their entries", async () => {
    const r = createClient({ url: server.url, cache: true, decode: "bytes" });
    try {
      await writer.set("c:rawkey", "1");
      assert.deepEqual(await r.get("c:rawkey"), new TextEncoder().encode("1"));
      await r.get("c:rawkey");
      assert.equal(r.stats().cache!.hits, 1);
      await writer.set("c:rawkey", "2");
      await r.send(["PING"]);
      assert.deepEqual(await r.get("c:rawkey"), new TextEncoder().encode("2"));
    } finally {
      await r.close();
    }
  });

  test("a server that refuses CLIENT TRACKING refuses the connection, and commands say why", async () => {
    await admin.send(["ACL", "SETUSER", "notrack", "on", ">pw", "~*", "+@all", "-client"]);
    const r = createClient({ url: server.url, username: "notrack", password: "pw", cache: true, reconnect: { maxAttempts: 1 } });
    try {
      const err = (await r.get("c:any").catch((e) => e)) as Error & { cause?: { code?: string } };
      assert.equal(err.cause?.code, "NOPERM", String(err));
    } finally {
      await r.close();
      await admin.send(["ACL", "DELUSER", "notrack"]);
    }
  });

  test("a client without the option has no cache", () => {
    assert.equal(writer.cache, undefined);
    assert.equal(writer.stats().cache, undefined);
  });

  test("bad cache options throw before connecting", () => {
    assert.throws(() => createClient({ url: server.url, cache: { maxEntries: 0 } }), /cache\.maxEntries/);
    assert.throws(() => createClient({ url: server.url, cache: { ttl: -1 } }), /cache\.ttl/);
    assert.throws(() => createClient({ url: server.url, cache: { prefixes: ["a:"] } }), /broadcast/);
    // Over RESP2 the invalidation connection would not follow the master the sentinels name.
    assert.throws(() => createClient({ sentinel: { name: "mymaster", sentinels: ["127.0.0.1:1"] }, protocol: 2, cache: true, lazyConnect: true }), /protocol 3/);
  });
});
