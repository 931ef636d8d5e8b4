import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { raw } from "../../mod.ts";
import { createCluster, type RedisCluster as Client } from "../../src/cluster/client.ts";
import type { NodeClient } from "../../src/cluster/node-client.ts";
import { keySlot } from "../../src/cluster/slot.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { startCluster, type RedisCluster } from "../harness/cluster.ts";
import { until } from "../harness/wait.ts";
import { killClients, serverCalls } from "./cache-helpers.ts";

describe("client-side cache on the cluster client (RESP3)", () => {
  let cluster: RedisCluster;
  /** A plain cluster client: the other client whose writes invalidate. */
  let writer: Client;
  beforeAll(async () => {
    cluster = await startCluster();
    writer = createCluster({ nodes: cluster.seeds.slice(0, 1) });
  }, 60_000);
  afterAll(async () => {
    await writer?.close();
    await cluster?.stop();
  });

  /** A caching cluster client; `name`: its connections' CLIENT SETNAME. */
  function reader(name = "cc-reader"): Client {
    return createCluster({ nodes: cluster.seeds.slice(0, 1), cache: true, clientName: name });
  }

  /** `client`'s node serving `key`'s slot now (asked of the cluster, not of the client's map). */
  async function nodeOf(client: Client, key: string): Promise<NodeClient> {
    const port = await cluster.masterOf(keySlot(key));
    return (await client.nodes("master")).find((node) => node.address.endsWith(`:${port}`))!;
  }

  /** Keys in `count` different slots, spread over every master. */
  function keysInSlots(prefix: string, count: number): string[] {
    const keys = Array.from({ length: count }, (_, i) => `${prefix}:${i}`);
    assert.equal(new Set(keys.map(keySlot)).size, count);
    return keys;
  }

  test("a repeated read is answered from memory on every master: hits and misses counted, Redis sees one GET per key", async () => {
    const r = reader();
    try {
      const keys = keysInSlots("cc:hit", 30);
      await Promise.all(keys.map((k) => writer.set(k, `v-${k}`)));
      const masters = await writer.nodes("master");
      await Promise.all(masters.map((m) => m.send(["CONFIG", "RESETSTAT"])));
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map((k) => `v-${k}`));
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map((k) => `v-${k}`));
      assert.deepEqual(await Promise.all(keys.map((k) => r.send(["GET", k]))), keys.map((k) => `v-${k}`));
      const gets = await Promise.all(masters.map((m) => serverCalls(m, "get")));
      assert.equal(gets.reduce((a, b) => a + b, 0), keys.length);
      assert.ok(gets.every((n) => n > 0), `every master served reads: ${gets}`);
      const stats = r.stats().cache!;
      assert.equal(stats.hits, 2 * keys.length);
      assert.equal(stats.misses, keys.length);
      assert.equal(stats.entries, keys.length);
      assert.deepEqual(r.stats().cache, r.cache!.stats());
    } finally {
      await r.close();
    }
  });

  test("another client's write invalidates: a read after a PING to the key's node sees it", async () => {
    const r = reader();
    try {
      for (const key of keysInSlots("cc:inv", 6)) {
        await writer.set(key, "old");
        assert.equal(await r.get(key), "old");
        assert.equal(await r.get(key), "old");
        await writer.set(key, "new");
        await (await nodeOf(r, key)).send(["PING"]); // answered after the invalidation pushed on that connection
        assert.equal(await r.get(key), "new");
      }
      assert.equal(r.stats().cache!.invalidations, 6);
    } finally {
      await r.close();
    }
  });

  test("with a keyPrefix, entries are kept under the prefixed keys Redis invalidates", async () => {
    const r = createCluster({ nodes: cluster.seeds.slice(0, 1), cache: true, keyPrefix: "app:" });
    try {
      await writer.set("app:cc:prefixed", "old");
      assert.equal(await r.get("cc:prefixed"), "old");
      assert.equal(await r.get("cc:prefixed"), "old");
      assert.equal(r.stats().cache!.hits, 1);
      await writer.set("app:cc:prefixed", "new");
      await (await nodeOf(r, "app:cc:prefixed")).send(["PING"]);
      assert.equal(await r.get("cc:prefixed"), "new");
      await r.set("cc:prefixed", "mine");
      assert.equal(await r.get("cc:prefixed"), "mine");
    } finally {
      await r.close();
    }
  });

  test("2,000 writes by another client racing reads across slots: no stale read after a PING to the key's node", async () => {
    const r = reader();
    const keys = keysInSlots("cc:race", 64);
    const nodes = new Map(await Promise.all(keys.map(async (k) => [k, await nodeOf(r, k)] as const)));
    let running = true;
    let reads = 0;
    let latest = 0;
    // Background readers keep reads of recently written keys in flight and hitting.
    const background = Array.from({ length: 20 }, async (_, n) => {
      for (let i = n; running; i++) {
        await r.get(keys[Math.max(0, latest - (i % 8)) % keys.length]!);
        reads++;
        await new Promise((resolve) => setImmediate(resolve)); // a loop of hits alone never reads a socket
      }
    });
    const stale: string[] = [];
    try {
      for (let i = 1; i <= 2_000; i++) {
        const key = keys[i % keys.length]!;
        latest = i;
        const racing = r.get(key); // a hit, or sent before the write and answered before or after it
        await writer.set(key, String(i));
        await racing;
        await nodes.get(key)!.send(["PING"]);
        const seen = await r.get(key);
        if (seen !== String(i)) stale.push(`${key}: wrote ${i}, read ${seen}`);
      }
    } finally {
      running = false;
      await Promise.all(background);
    }
    try {
      assert.deepEqual(stale.slice(0, 10), [], `${stale.length} stale reads`);
      const stats = r.stats().cache!;
      assert.ok(stats.hits > 1_000, `the cache answered reads: ${JSON.stringify(stats)}, ${reads} background reads`);
      assert.ok(stats.invalidations > 1_000, `invalidations arrived: ${JSON.stringify(stats)}`);
    } finally {
      await r.close();
    }
  }, 120_000);

  test("read your writes through send, typed methods, pipeline(), with(), split commands and a node's client: a read issued after the write sees it", async () => {
    const r = reader();
    try {
      const writes: Record<string, (key: string, value: string, node: NodeClient) => Promise<unknown>> = {
        send: (k, v) => r.send(["SET", k, v]),
        typed: (k, v) => r.set(k, v),
        pipeline: (k, v) => r.pipeline().set(k, v).exec(),
        "with()": (k, v) => r.with({ timeout: 2_000 }).set(k, v),
        "split mset": (k, v) => r.mset({ [k]: v, [`${k}:other`]: v }),
        "a node's client": (k, v, node) => node.set(k, v),
      };
      for (const [entry, write] of Object.entries(writes)) {
        const key = `cc:ryw:${entry}`;
        const node = await nodeOf(r, key);
        await writer.set(key, "before");
        assert.equal(await r.get(key), "before");
        assert.equal(await r.get(key), "before"); // cached now
        const written = write(key, "after", node);
        const read = r.get(key); // same tick: a hit would still say "before"
        await written;
        assert.equal(await read, "after", `a write through ${entry} left a stale entry`);
        assert.equal(await r.get(key), "after");
      }
    } finally {
      await r.close();
    }
  });

  test("read your writes through multi(), transaction(), isolated(), watch() and blocking commands: not answered from memory once issued, seen once answered", async () => {
    const r = reader();
    const notAHit = async (key: string, entry: string) => {
      const hits = r.stats().cache!.hits;
      await r.get(key);
      assert.equal(r.stats().cache!.hits, hits, `a read after a write through ${entry} was issued was answered from memory`);
    };
    try {
      // A transaction waits for its slot's node before its commands are created.
      const transactions: Record<string, (key: string, value: string) => Promise<unknown>> = {
        multi: (k, v) => r.multi().set(k, v).exec(),
        transaction: (k, v) => r.transaction([raw(["SET", k, v])]),
      };
      for (const [entry, write] of Object.entries(transactions)) {
        const key = `cc:ryw:${entry}`;
        await writer.set(key, "before");
        await r.get(key);
        await r.get(key);
        const written = write(key, "after");
        await notAHit(key, entry); // sent before the transaction: "before" from Redis, and not cached
        await written;
        assert.equal(await r.get(key), "after", `a write through ${entry} left a stale entry`);
      }
      // isolated() and watch() lend a dedicated connection of the key's master.
      const lent: Record<string, (key: string, body: (c: { set(k: string, v: string): Promise<unknown> }) => Promise<unknown>) => Promise<unknown>> = {
        "isolated()": (k, body) => r.isolated(k, body),
        "watch()": (k, body) => r.watch(k, async (tx) => { await body(tx); return tx.multi(); }),
      };
      for (const [entry, lend] of Object.entries(lent)) {
        const key = `cc:ryw:${entry}`;
        await writer.set(key, "before");
        await r.get(key);
        await r.get(key);
        await lend(key, async (c) => {
          const written = c.set(key, "after");
          await notAHit(key, entry);
          await written;
        });
        assert.equal(await r.get(key), "after", `a write through ${entry} left a stale entry`);
      }
      // A blocking command runs on a dedicated connection of the key's master.
      await writer.del("{cc:q}:a");
      await writer.rpush("{cc:q}:a", "x");
      assert.deepEqual(await r.lrange("{cc:q}:a", 0, -1), ["x"]);
      assert.deepEqual(await r.lrange("{cc:q}:a", 0, -1), ["x"]);
      assert.equal(await r.send(["BLMOVE", "{cc:q}:a", "{cc:q}:b", "LEFT", "RIGHT", 1]), "x");
      assert.deepEqual(await r.lrange("{cc:q}:a", 0, -1), []);
    } finally {
      await r.close();
    }
  });

  test("with({ cache: false }) reads from Redis and does not fill the cache; clear() drops every entry", async () => {
    const r = reader();
    try {
      await writer.set("cc:bypass", "v");
      const node = await nodeOf(writer, "cc:bypass");
      await node.send(["CONFIG", "RESETSTAT"]);
      await r.with({ cache: false }).get("cc:bypass");
      await r.send(["GET", "cc:bypass"], { cache: false });
      assert.equal(await serverCalls(node, "get"), 2);
      assert.equal(r.stats().cache!.entries, 0);
      await r.get("cc:bypass");
      await r.get("cc:bypass");
      assert.equal(await serverCalls(node, "get"), 3);
      assert.equal(r.stats().cache!.entries, 1);
      r.cache!.clear();
      assert.equal(r.stats().cache!.entries, 0);
      await r.get("cc:bypass");
      assert.equal(await serverCalls(node, "get"), 4);
    } finally {
      await r.close();
    }
  });

  test("FLUSHALL on a node empties the cache (a null invalidation)", async () => {
    const r = reader();
    try {
      const keys = keysInSlots("cc:flush", 12);
      await Promise.all(keys.map((k) => writer.set(k, "1")));
      await Promise.all(keys.map((k) => r.get(k)));
      assert.equal(r.stats().cache!.entries, keys.length);
      const node = await nodeOf(writer, keys[0]!);
      await node.send(["FLUSHALL"]);
      await (await nodeOf(r, keys[0]!)).send(["PING"]);
      assert.equal(r.stats().cache!.entries, 0);
      assert.equal(await r.get(keys[0]!), null);
    } finally {
      await r.close();
    }
  });

  test("a killed tracking connection empties the cache; after reconnecting, a write made meanwhile is seen", async () => {
    const r = reader("cc-killed");
    try {
      const key = "cc:kill";
      await writer.set(key, "before");
      await r.get(key);
      await r.get(key);
      assert.equal(await killClients(await nodeOf(writer, key), "cc-killed"), 1);
      await writer.set(key, "after"); // its invalidation has no connection to go to
      await until(() => r.stats().cache!.entries === 0, "the cache to be flushed");
      assert.equal(await r.get(key), "after");
      assert.equal(await r.get(key), "after");
      assert.equal(r.stats().cache!.hits, 2, "caching resumes on the new connection");
    } finally {
      await r.close();
    }
  });

  test("resharding a slot with cached keys (some read through ASK mid-migration): no stale read afterwards", async () => {
    const r = reader();
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `{cc:reshard}:${i}`);
      const slot = keySlot(keys[0]!);
      await Promise.all(keys.map((k) => writer.set(k, "v0")));
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map(() => "v0"));
      const all = await cluster.nodes();
      const from = await cluster.masterOf(slot);
      const fromId = all.find((n) => n.port === from)!.id;
      const to = all.find((n) => n.role === "master" && n.port !== from)!;
      // Move the slot by hand, as `redis-cli --cluster reshard` does, with cached reads in between.
      await cluster.cli(to.port, "CLUSTER", "SETSLOT", String(slot), "IMPORTING", fromId);
      await cluster.cli(from, "CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id);
      await cluster.cli(from, "MIGRATE", "127.0.0.1", String(to.port), "", "0", "5000", "KEYS", ...keys.slice(0, 10));
      // The source deleted the moved keys, which invalidated them; reads now go there and are ASKed to the target.
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map(() => "v0"));
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map(() => "v0"));
      // 10 unmoved keys hit in the second round; the 10 moved ones were read through ASK, cached, and hit in the third.
      assert.ok(r.stats().cache!.hits >= 30, `reads mid-migration were cached: ${JSON.stringify(r.stats().cache)}`);
      await cluster.cli(from, "MIGRATE", "127.0.0.1", String(to.port), "", "0", "5000", "KEYS", ...keys.slice(10));
      for (const node of all) {
        if (node.role === "master") await cluster.cli(node.port, "CLUSTER", "SETSLOT", String(slot), "NODE", to.id);
      }
      assert.equal(await cluster.masterOf(slot), to.port);
      await Promise.all(keys.map((k) => writer.set(k, "v1")));
      for (const node of await r.nodes("master")) await node.send(["PING"]);
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map(() => "v1"));
      await Promise.all(keys.map((k) => writer.set(k, "v2")));
      await (await nodeOf(r, keys[0]!)).send(["PING"]);
      assert.deepEqual(await Promise.all(keys.map((k) => r.get(k))), keys.map(() => "v2"));
    } finally {
      await r.close();
    }
  }, 60_000);

  test("a failover that demotes the key's master: no stale read once the new master answered a PING", async () => {
    const r = reader();
    try {
      const key = "cc:failover";
      await writer.set(key, "before");
      assert.equal(await r.get(key), "before");
      assert.equal(await r.get(key), "before");
      const nodes = await cluster.nodes();
      const master = nodes.find((n) => n.port === nodes.find((m) => m.role === "master" && m.slots.some(([a, b]) => keySlot(key) >= a && keySlot(key) <= b))!.port)!;
      const replica = nodes.find((n) => n.masterId === master.id)!;
      await cluster.failover(replica.port); // the old master stays up, a replica now
      assert.equal(await writer.set(key, "after"), "OK");
      const promoted = (await r.nodes("all")).find((node) => node.address.endsWith(`:${replica.port}`))!;
      await promoted.send(["PING"]);
      assert.equal(await r.get(key), "after");
    } finally {
      await r.close();
    }
  }, 60_000);

  test("a master that freezes with its connection open is noticed through a PING on the quiet connection: the cache empties", async () => {
    // Cache hits send nothing: without a PING of its own, nothing would be overdue, and the reads
    // of that master's keys would be served from memory while a replica took over.
    const r = createCluster({ nodes: cluster.seeds.slice(0, 1), cache: true, livenessTimeout: 500 });
    try {
      const key = "cc:frozen";
      await writer.set(key, "v");
      await r.get(key);
      assert.equal(await r.get(key), "v");
      assert.equal(r.stats().cache!.entries, 1);
      const port = await cluster.masterOf(keySlot(key));
      const server = cluster.servers.find((s) => s.port === port)!;
      server.pause();
      try {
        await until(() => r.stats().cache!.entries === 0, "the frozen master to be noticed and the cache emptied", 3_000);
      } finally {
        server.resume();
      }
      await cluster.waitHealthy();
    } finally {
      await r.close();
    }
  }, 60_000);

  test("a cluster cache needs RESP3 and readFrom: \"master\"", () => {
    const nodes = [{ host: "127.0.0.1", port: 1 }];
    assert.throws(() => createCluster({ nodes, cache: true, protocol: 2 }), (err: Error) => err instanceof TypeError && /protocol 3/.test(err.message));
    assert.throws(() => createCluster({ nodes, cache: true, readFrom: "replica" }), (err: Error) => err instanceof TypeError && /readFrom/.test(err.message));
    assert.throws(() => createCluster({ nodes, cache: { maxEntries: 0 } }), TypeError);
    const plain = createCluster({ nodes });
    assert.equal(plain.cache, undefined);
    assert.equal(plain.stats().cache, undefined);
    void plain.close();
  });
});
