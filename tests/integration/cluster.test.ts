import assert from "node:assert/strict";
import { createCluster, type RedisCluster as Client } from "../../src/cluster/client.ts";
import { keySlot } from "../../src/cluster/slot.ts";
import { LimitError, RedisError } from "../../src/errors.ts";
import { exposeClient } from "../../worker.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";
import { spawnWorker } from "./worker-fixtures/spawn.ts";
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
    const keys = (await cluster.cli(from, "CLUSTER", "GETKEYSINSLOT", String(slot), "1000")).split("\n");
    await cluster.cli(from, "MIGRATE", "127.0.0.1", String(to.port), "", "0", "5000", "KEYS", ...keys);
    for (const node of await cluster.nodes()) {
      if (node.role === "master") await cluster.cli(node.port, "CLUSTER", "SETSLOT", String(slot), "NODE", to.id);
    }
    assert.equal(await redis.get(key), "before");
    assert.equal(await redis.set(key, "after"), "OK");
    assert.equal(await cluster.cli(to.port, "GET", key), "after");
  });

  test("pipeline() across slots runs each command on its slot's master and returns replies in call order", async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `pipe:${i}`);
    const pipeline = redis.pipeline();
    for (const [i, key] of keys.entries()) pipeline.set(key, String(i)).incr(key);
    pipeline.get("pipe:none");
    const replies = await pipeline.exec();
    assert.deepEqual(replies, [...keys.flatMap((_, i) => ["OK", i + 1]), null]);
    assert.ok(new Set(keys.map(keySlot)).size > 40);
  });

  test("multi() on one slot runs as a transaction; across slots it rejects with CROSSSLOT before anything is written", async () => {
    assert.deepEqual(await redis.multi().set("{tx}:a", "1").incr("{tx}:a").get("{tx}:a").exec(), ["OK", 2, "2"]);
    await assert.rejects(redis.multi().set("tx:a", "x").set("tx:b", "y").exec(), (err: RedisError) => err instanceof RedisError && err.code === "CROSSSLOT");
    assert.equal(await redis.exists("tx:a"), 0);
  });

  test("isolated(key, fn) lends a connection to the key's master, so WATCH ... MULTI works", async () => {
    await redis.set("{acct}:balance", 100);
    const result = await redis.isolated("{acct}:balance", async (c) => {
      await c.send(["WATCH", "{acct}:balance"]);
      const balance = Number(await c.get("{acct}:balance"));
      return c.multi().set("{acct}:balance", balance - 10).exec();
    });
    assert.deepEqual(result, ["OK"]);
    assert.equal(await redis.get("{acct}:balance"), "90");
    await assert.rejects(redis.isolated(async () => 1), TypeError);
  });

  test("blocking commands run on a dedicated connection of their key's master", async () => {
    const popped = redis.blpop("queue:1", 5);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await redis.get("rt:1"), "v1"); // the multiplexed connections are not blocked
    await redis.rpush("queue:1", "job");
    assert.deepEqual(await popped, ["queue:1", "job"]);
  });

  test("nodes() gives a client per node; scanIterator() walks every master", async () => {
    const masters = await redis.nodes("master");
    const replicas = await redis.nodes("replica");
    assert.equal(masters.length, 3);
    assert.equal(replicas.length, 3);
    assert.equal((await redis.nodes("all")).length, 6);
    const sizes = await Promise.all(masters.map((m) => m.send(["DBSIZE"])));
    let scanned = 0;
    for await (const key of redis.scanIterator({ match: "rt:*", count: 1000 })) if (key.startsWith("rt:")) scanned++;
    assert.equal(scanned, 10_000);
    assert.ok(sizes.every((n) => (n as number) > 0));
  });

  test("scanIterator() still walks every master for a user whose ACL refuses CLUSTER NODES (what it reads to rescan after slot moves)", async () => {
    await Promise.all(cluster.servers.map((s) => cluster.cli(s.port, "ACL", "SETUSER", "scanner", "on", ">scan-pw", "~*", "&*", "+@all", "-cluster|nodes")));
    const scanner = createCluster({ nodes: cluster.seeds.slice(0, 1), username: "scanner", password: "scan-pw" });
    try {
      await assert.rejects(scanner.send(["CLUSTER", "NODES"]), (err: Error) => err instanceof RedisError && err.code === "NOPERM");
      let scanned = 0;
      for await (const key of scanner.scanIterator({ match: "rt:*", count: 1000 })) if (key.startsWith("rt:")) scanned++;
      assert.equal(scanned, 10_000);
    } finally {
      await scanner.close();
      await Promise.all(cluster.servers.map((s) => cluster.cli(s.port, "ACL", "DELUSER", "scanner")));
    }
  });

  test("subscribe() hears PUBLISH from any node; ssubscribe() hears SPUBLISH on its slot's master", async () => {
    const heard: string[] = [];
    const off = await redis.subscribe("news", (message, channel) => heard.push(`${channel}:${message}`));
    const offSharded = await redis.ssubscribe("orders:{eu}", (message, channel) => heard.push(`${channel}:${message}`));
    await redis.publish("news", "hello");
    await redis.send(["SPUBLISH", "orders:{eu}", "order-1"]);
    const end = Date.now() + 5_000;
    while (heard.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(heard.sort(), ["news:hello", "orders:{eu}:order-1"]);
    assert.equal(redis.stats().subscriptions, 2);
    await off();
    await offSharded();
    assert.equal(redis.stats().subscriptions, 0);
  });

  test("a command redirected more than maxRedirections times rejects with LimitError quoting the last redirection", async () => {
    // An addressMap that sends every node to one master: commands for other slots get MOVED forever.
    const first = cluster.servers[0]!.port;
    const lost = createCluster({ nodes: cluster.seeds.slice(0, 1), maxRedirections: 3, addressMap: ({ host }) => ({ host, port: first }) });
    const firstSlots = (await cluster.nodes()).find((n) => n.port === first)!.slots;
    const key = Array.from({ length: 100 }, (_, i) => `elsewhere:${i}`).find((k) => !firstSlots.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= b))!;
    await assert.rejects(lost.get(key), (err: LimitError) => err instanceof LimitError && err.limit === "maxRedirections" && /MOVED/.test(err.message));
    await lost.close();
  });

  test("hooks see each command once, however many hops it took; the topology event names every node", async () => {
    const names: string[] = [];
    const topologies: Array<{ masters: string[]; replicas: string[] }> = [];
    const hooked = createCluster({ nodes: cluster.seeds.slice(0, 1), hooks: { command: ({ name }) => () => void names.push(name) } });
    hooked.on("topology", (t) => topologies.push(t));
    await hooked.set("hooked", "1");
    assert.deepEqual(names, ["SET"]);
    assert.equal(topologies[0]!.masters.length, 3);
    assert.equal(topologies[0]!.masters.length + topologies[0]!.replicas.length, 6);
    await hooked.close();
  });

  test("exposeClient(cluster, worker): a worker's commands are routed by the owner, across slots", async () => {
    const agents = await Promise.all([spawnWorker("agent.ts"), spawnWorker("agent.ts")]);
    const owners = agents.map((agent) => exposeClient(redis, agent.endpoint));
    try {
      const keys = ["w:count:a", "w:count:b", "w:count:c"];
      assert.equal(new Set(keys.map((k) => keySlot(k))).size, 3);
      await Promise.all(agents.flatMap((agent) => keys.map((key) => agent.call("incr", [key, 100, 10]))));
      assert.deepEqual(await Promise.all(keys.map((k) => redis.get(k))), ["200", "200", "200"]);
      const typed = (await agents[0]!.call("typed", ["{w}"])) as Record<string, unknown>;
      assert.equal(typed.get, "v");
      assert.equal(typed.exists, 1);
      assert.deepEqual(await agents[1]!.call("multi", ["{w}:multi"]), ["OK", 2, "2"]);
    } finally {
      await Promise.all(agents.map((agent) => agent.call("close")));
      await Promise.all(agents.map((agent) => agent.terminate()));
      await Promise.all(owners.map((owner) => owner.close()));
    }
  }, 60_000);

  test("typed mget/mset/del/unlink/exists/touch split by slot and merge in call order; send() does not split", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `split:${i}`);
    assert.ok(new Set(keys.map(keySlot)).size > 10);
    assert.equal(await redis.mset(keys.map((k, i): [string, string] => [k, `v${i}`])), "OK");
    assert.deepEqual(await redis.mget(...keys, "split:none", keys[0]!), [...keys.map((_, i) => `v${i}`), null, "v0"]);
    assert.deepEqual((await redis.mgetBuffer(keys[1]!, keys[2]!)).map((b) => new TextDecoder().decode(b!)), ["v1", "v2"]);
    assert.equal(await redis.exists(...keys, "split:none"), 20);
    assert.equal(await redis.touch(...keys.slice(0, 5)), 5);
    const [mgot] = await redis.pipeline().mget(keys[3]!, keys[4]!).exec();
    assert.deepEqual(mgot, ["v3", "v4"]);
    await assert.rejects(redis.send(["MGET", ...keys]), (err: RedisError) => err.code === "CROSSSLOT");
    assert.equal(await redis.unlink(...keys.slice(0, 10)), 10);
    assert.equal(await redis.del(...keys), 10);
    assert.equal(await redis.exists(...keys), 0);
  });

  test("with() views apply their options to typed, split, isolated and scanned commands", async () => {
    await redis.mset({ "view:a": "1", "view:b": "2" });
    const bytes = redis.with({ bytes: true });
    const isBytes = (value: unknown) => value instanceof Uint8Array;
    assert.ok(isBytes(await bytes.get("view:a")));
    assert.ok((await bytes.mget("view:a", "view:b")).every(isBytes));
    assert.ok(isBytes(await bytes.isolated("view:a", (c) => c.get("view:a"))));
    const aborted = redis.with({ signal: AbortSignal.abort() });
    await assert.rejects(aborted.get("view:a"), (err: Error) => err.name === "AbortError");
    await assert.rejects(aborted.mget("view:a", "view:b"), (err: Error) => err.name === "AbortError");
    await assert.rejects(aborted.scanIterator().next(), (err: Error) => err.name === "AbortError");
  });

  test("keyPrefix: keys are prefixed and routed by the prefixed key's slot, splits, transactions and scans included", async () => {
    const prefixed = createCluster({ nodes: cluster.seeds.slice(0, 1), keyPrefix: "app:" });
    const keys = Array.from({ length: 20 }, (_, i) => `pfx:${i}`);
    assert.equal(await prefixed.mset(keys.map((k, i): [string, string] => [k, `v${i}`])), "OK");
    assert.deepEqual(await prefixed.mget(...keys), keys.map((_, i) => `v${i}`));
    assert.equal(await redis.get("app:pfx:3"), "v3");
    assert.deepEqual(await prefixed.multi().incr("{t}n").incr("{t}n").exec(), [1, 2]);
    assert.equal(await redis.get("app:{t}n"), "2");
    assert.equal(await prefixed.blpop("pfx:none", 0.05), null);
    const scanned = [];
    for await (const key of prefixed.scanIterator({ match: "pfx:*", count: 1000 })) scanned.push(key);
    assert.deepEqual(scanned.sort(), [...keys].sort());
    assert.equal(await prefixed.isolated("pfx:1", (c) => c.get("pfx:1")), "v1");
    await prefixed.close();
  });

  test("watch(keys, fn) runs an optimistic transaction on the keys' master", async () => {
    await redis.set("{w}:balance", 100);
    const [, balance] = await redis.watch("{w}:balance", async (tx) => {
      const current = Number(await tx.get("{w}:balance"));
      return tx.multi().set("{w}:balance", current - 10).get("{w}:balance");
    });
    assert.equal(balance, "90");
    await assert.rejects(redis.watch(["{w}:a", "{x}:b"], (tx) => tx.multi().get("{w}:a")), (err: RedisError) => err.code === "CROSSSLOT");
  });

  /** Start moving `slot` to another master by hand, as `redis-cli --cluster reshard` does; returns how to finish. */
  async function startMigration(slot: number) {
    const nodes = await cluster.nodes();
    const from = nodes.find((n) => n.role === "master" && n.slots.some(([a, b]) => slot >= a && slot <= b))!;
    const to = nodes.find((n) => n.role === "master" && n !== from)!;
    await cluster.cli(to.port, "CLUSTER", "SETSLOT", String(slot), "IMPORTING", from.id);
    await cluster.cli(from.port, "CLUSTER", "SETSLOT", String(slot), "MIGRATING", to.id);
    const migrate = (...keys: string[]) => cluster.cli(from.port, "MIGRATE", "127.0.0.1", String(to.port), "", "0", "5000", "KEYS", ...keys);
    const finish = async () => {
      const left = (await cluster.cli(from.port, "CLUSTER", "GETKEYSINSLOT", String(slot), "1000")).split("\n").filter(Boolean);
      if (left.length > 0) await migrate(...left);
      for (const node of [to, from, ...nodes.filter((n) => n.role === "master" && n !== to && n !== from)]) {
        await cluster.cli(node.port, "CLUSTER", "SETSLOT", String(slot), "NODE", to.id);
      }
    };
    return { from, to, migrate, finish };
  }

  test("a key already moved to the importing node is read there through ASK (ASKING written with it)", async () => {
    await redis.mset({ "{ask}:1": "one", "{ask}:2": "two" });
    const { to, migrate, finish } = await startMigration(keySlot("{ask}"));
    await migrate("{ask}:1");
    assert.equal(await redis.get("{ask}:1"), "one"); // the source answers ASK; the target needs ASKING
    assert.equal(await redis.get("{ask}:2"), "two"); // still on the source
    assert.match(await cluster.cli(to.port, "GET", "{ask}:1"), /MOVED/); // without ASKING the target refuses
    await finish();
    assert.deepEqual(await redis.send(["MGET", "{ask}:1", "{ask}:2"]), ["one", "two"]);
  });

  test("TRYAGAIN during a migration is retried within the deadline until the slot has moved", async () => {
    await redis.mset({ "{try}:1": "one", "{try}:2": "two" });
    const { migrate, finish } = await startMigration(keySlot("{try}"));
    await migrate("{try}:1"); // the keys are split between two nodes: multi-key commands get TRYAGAIN
    const both = redis.send(["MGET", "{try}:1", "{try}:2"]);
    await sleep(300);
    await finish();
    assert.deepEqual(await both, ["one", "two"]);
  });

  test("readFrom: \"replica\" sends read-only commands to replicas (READONLY first) and writes to masters", async () => {
    // Replicas report health "loading" until they replicated something; reads skip them until then.
    await until(async () => !(await cluster.cli(cluster.servers[0]!.port, "CLUSTER", "SHARDS")).includes("loading"), "replicas online", 10_000);
    const reader = createCluster({ nodes: cluster.seeds.slice(0, 1), readFrom: "replica" });
    const gets = async (port: number) => Number(/cmdstat_get:calls=(\d+)/.exec(await cluster.cli(port, "INFO", "commandstats"))?.[1] ?? 0);
    const nodes = await cluster.nodes();
    const replicas = nodes.filter((n) => n.role === "replica").map((n) => n.port);
    const masters = nodes.filter((n) => n.role === "master").map((n) => n.port);
    const before = await Promise.all([...replicas, ...masters].map(gets));
    const keys = Array.from({ length: 300 }, (_, i) => `rt:${i}`);
    assert.deepEqual(await Promise.all(keys.map((k) => reader.get(k))), keys.map((_, i) => `v${i}`));
    assert.equal(await reader.set("written-by-reader", "1"), "OK");
    const after = await Promise.all([...replicas, ...masters].map(gets));
    const delta = after.map((n, i) => n - before[i]!);
    assert.equal(delta.slice(0, 3).reduce((a, b) => a + b, 0), 300, `replicas served every GET: ${delta}`);
    assert.ok(delta.slice(0, 3).every((d) => d > 0), `every replica served some: ${delta}`);
    assert.deepEqual(delta.slice(3), [0, 0, 0], "masters served none");
    await reader.close();
  });
  test("readFrom: \"prefer-replica\" reads from the master until a replica's connection is up, then from replicas", async () => {
    const reader = createCluster({ nodes: cluster.seeds.slice(0, 1), readFrom: "prefer-replica" });
    const gets = async (port: number) => Number(/cmdstat_get:calls=(\d+)/.exec(await cluster.cli(port, "INFO", "commandstats"))?.[1] ?? 0);
    const nodes = await cluster.nodes();
    const replicas = nodes.filter((n) => n.role === "replica").map((n) => n.port);
    const masters = nodes.filter((n) => n.role === "master").map((n) => n.port);
    const keys = Array.from({ length: 300 }, (_, i) => `rt:${i}`);
    const before = await Promise.all(masters.map(gets));
    assert.deepEqual(await Promise.all(keys.map((k) => reader.get(k))), keys.map((_, i) => `v${i}`));
    const fromMasters = (await Promise.all(masters.map(gets))).reduce((sum, n, i) => sum + n - before[i]!, 0);
    assert.equal(fromMasters, 300, "no replica connection was up yet: the masters served");
    await until(() => reader.stats().nodes.filter((n) => n.role === "replica" && n.state === "ready").length === 3, "replica connections");
    const replicasBefore = await Promise.all(replicas.map(gets));
    await Promise.all(keys.map((k) => reader.get(k)));
    const fromReplicas = (await Promise.all(replicas.map(gets))).reduce((sum, n, i) => sum + n - replicasBefore[i]!, 0);
    assert.equal(fromReplicas, 300);
    await reader.close();
  });
});
