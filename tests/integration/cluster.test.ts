import assert from "node:assert/strict";
import { createCluster, type RedisCluster as Client } from "../../src/cluster/client.ts";
import { keySlot } from "../../src/cluster/slot.ts";
import { RedisError } from "../../src/errors.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { startCluster, type RedisCluster } from "../harness/cluster.ts";

describe("createCluster: routing", () => {
  let cluster: RedisCluster;
  let redis: Client;
  beforeAll(async () => {
    cluster = await startCluster();
    redis = createCluster({ nodes: cluster.seeds.slice(0, 1) });
  }, 60_000);
  afterAll(async () => {
    await redis?.close();
    await cluster?.stop();
  });

  test("keySlot() agrees with the server's CLUSTER KEYSLOT, hash tags, UTF-8 and binary keys included", async () => {
    const keys: Array<string | Uint8Array> = [];
    for (let i = 0; i < 300; i++) {
      keys.push(`key:${i}:${Math.random().toString(36).slice(2)}`, `{tag${i}}:x`, `a{}b{c${i}}`, `ключ-${i}-é`);
      keys.push(Uint8Array.from({ length: 1 + (i % 20) }, () => Math.floor(Math.random() * 256)));
    }
    const server = await Promise.all(keys.map((key) => redis.send(["CLUSTER", "KEYSLOT", key])));
    assert.deepEqual(keys.map((key) => keySlot(key)), server);
  });

  test("10,000 keys round-trip across every master", async () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `rt:${i}`);
    assert.deepEqual(await Promise.all(keys.map((k, i) => redis.set(k, `v${i}`))), keys.map(() => "OK"));
    assert.deepEqual(await Promise.all(keys.map((k) => redis.get(k))), keys.map((_, i) => `v${i}`));
    const counts = await Promise.all((await cluster.nodes()).filter((n) => n.role === "master").map((n) => cluster.cli(n.port, "DBSIZE")));
    assert.equal(counts.length, 3);
    for (const count of counts) assert.ok(Number(count) > 2_500, `every master holds its share: ${counts}`);
  });

  test("a multi-key command whose keys span slots rejects with the server's CROSSSLOT RedisError", async () => {
    assert.notEqual(keySlot("cross:a"), keySlot("cross:b"));
    await assert.rejects(redis.send(["MSET", "cross:a", "1", "cross:b", "2"]), (err: RedisError) => err instanceof RedisError && err.code === "CROSSSLOT");
    assert.equal(await redis.send(["MSET", "{cross}:a", "1", "{cross}:b", "2"]), "OK");
    assert.deepEqual(await redis.send(["MGET", "{cross}:a", "{cross}:b"]), ["1", "2"]);
  });

  test("a stale slot is followed through MOVED to its new master", async () => {
    const key = "moving:key";
    await redis.set(key, "before");
    const slot = keySlot(key);
    const from = await cluster.masterOf(slot);
    const to = (await cluster.nodes()).find((n) => n.role === "master" && n.port !== from)!;
    const fromId = (await cluster.nodes()).find((n) => n.port === from)!.id;
    // Move just this slot by hand, as `redis-cli --cluster reshard` does for each slot.
    await cluster.cli(to.port, "CLUSTER", "SETSLOT", String(slot), "IMPORTING", fromId);
    await cluster.cli(from, "CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id);
    await cluster.cli(from, "MIGRATE", "127.0.0.1", String(to.port), "", "0", "5000", "KEYS", key);
    for (const node of await cluster.nodes()) {
      if (node.role === "master") await cluster.cli(node.port, "CLUSTER", "SETSLOT", String(slot), "NODE", to.id);
    }
    assert.equal(await redis.get(key), "before");
    assert.equal(await redis.set(key, "after"), "OK");
    assert.equal(await cluster.cli(to.port, "GET", key), "after");
  });
});
