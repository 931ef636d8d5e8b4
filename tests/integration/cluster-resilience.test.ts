import assert from "node:assert/strict";
import { createCluster, type RedisCluster as Client } from "../../src/cluster/client.ts";
import { keySlot } from "../../src/cluster/slot.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { startCluster, type RedisCluster } from "../harness/cluster.ts";
import { sleep, until } from "../harness/wait.ts";

/** What a load of callers saw: commands run, failures by message, the slowest command. */
interface Load {
  ok: number;
  failed: number;
  errors: Map<string, number>;
  maxLatencyMs: number;
  stop(): Promise<void>;
}

/** `callers` loops running `op(i)` back to back until `stop()`. */
function runLoad(callers: number, op: (caller: number, n: number) => Promise<unknown>): Load {
  let stopping = false;
  const load: Load = {
    ok: 0, failed: 0, errors: new Map(), maxLatencyMs: 0,
    stop: async () => {
      stopping = true;
      await loops;
    },
  };
  const loops = Promise.all(Array.from({ length: callers }, async (_, caller) => {
    for (let n = 0; !stopping; n++) {
      const started = Date.now();
      try {
        await op(caller, n);
        load.ok++;
      } catch (err) {
        load.failed++;
        const message = (err as Error).message.replace(/\d+/g, "N");
        load.errors.set(message, (load.errors.get(message) ?? 0) + 1);
        await sleep(5); // a failing cluster must not turn the loop into a busy spin
      }
      load.maxLatencyMs = Math.max(load.maxLatencyMs, Date.now() - started);
    }
  }));
  return load;
}

function report(what: string, load: Load): string {
  return `${what}: ${load.ok} ok, ${load.failed} failed, max latency ${load.maxLatencyMs} ms ${JSON.stringify([...load.errors])}`;
}

describe("createCluster: resharding and failover under traffic", () => {
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

  test("resharding 600 slots while 200 callers INCR: no command fails, every counter equals its acknowledged INCRs", async () => {
    const nodes = await cluster.nodes();
    const source = nodes.find((n) => n.role === "master" && n.slots.some(([a]) => a === 0))!;
    const target = nodes.find((n) => n.role === "master" && n !== source)!;
    // Counters spread over all slots, a third of them in the slots about to move (0-599).
    const counters = Array.from({ length: 300 }, (_, i) => `counter:${i}`);
    for (let i = 0; counters.filter((k) => keySlot(k) < 600).length < 100; i++) {
      if (keySlot(`moving:${i}`) < 600) counters.push(`moving:${i}`);
    }
    const acked = new Map<string, number>(counters.map((k) => [k, 0]));
    const load = runLoad(200, async (caller, n) => {
      const key = counters[(caller * 7 + n) % counters.length]!;
      await redis.incr(key);
      acked.set(key, acked.get(key)! + 1);
    });
    await sleep(200);
    await cluster.reshard(source.port, target.port, 600);
    await sleep(300);
    await load.stop();
    console.log(report("resharding", load));
    assert.equal(load.failed, 0, report("resharding", load));
    assert.ok(load.ok > 1000);
    const values = await Promise.all(counters.map((k) => redis.get(k)));
    assert.deepEqual(values.map(Number), counters.map((k) => acked.get(k)));
    assert.equal(await cluster.masterOf(0), target.port);
  }, 120_000);

  test("ssubscribe() keeps receiving after its slot migrates", async () => {
    const nodes = await cluster.nodes();
    const channel = Array.from({ length: 10_000 }, (_, i) => `news:${i}`).find((c) => keySlot(c) >= 600 && keySlot(c) < 700)!;
    const source = await cluster.masterOf(keySlot(channel));
    const target = nodes.find((n) => n.role === "master" && n.port !== source && n.slots.length > 0)!;
    const heard: string[] = [];
    const off = await redis.ssubscribe(channel, (message) => heard.push(String(message)));
    await redis.send(["SPUBLISH", channel, "before"]);
    await until(() => heard.includes("before"), "the message before the move");
    await cluster.reshard(source, target.port, 200); // slots 600-799 of the source
    assert.equal(await cluster.masterOf(keySlot(channel)), target.port);
    // Publishing finds the new owner by MOVED; the subscription follows the refreshed topology.
    let n = 0;
    await until(async () => {
      await redis.send(["SPUBLISH", channel, `after-${n++}`]);
      return heard.some((m) => m.startsWith("after-"));
    }, "a message after the move", 10_000);
    await off();
  }, 60_000);

  test("scanIterator() finds every key when slots move onto a master it already scanned", async () => {
    const keys = Array.from({ length: 3_000 }, (_, i) => `scan-move:${i}`);
    await Promise.all(keys.map((k) => redis.set(k, "v")));
    const masters = await redis.nodes("master"); // the order the iterator walks them in
    const first = masters[0]!;
    const last = masters[masters.length - 1]!;
    const firstKeys = new Set(await scanAll(first));
    const seen = new Set<string>();
    let moved = false;
    for await (const key of redis.scanIterator({ match: "scan-move:*", count: 100 })) {
      seen.add(key);
      if (!moved && [...firstKeys].every((k) => seen.has(k))) {
        // The first master is done: slots of the last one, not yet scanned, move onto it.
        moved = true;
        await cluster.reshard(portOf(last.address), portOf(first.address), 300);
      }
    }
    assert.ok(moved);
    assert.deepEqual(keys.filter((k) => !seen.has(k)), []);
  }, 120_000);

  test("scanIterator() finds keys migrated onto a master it already scanned while their slot is still migrating", async () => {
    const masters = await redis.nodes("master");
    const first = portOf(masters[0]!.address);
    const last = portOf(masters[masters.length - 1]!.address);
    const info = await cluster.nodes();
    const id = (port: number) => info.find((n) => n.port === port)!.id;
    const tagOn = async (port: number) => {
      for (let i = 0; ; i++) if ((await cluster.masterOf(keySlot(`t${i}`))) === port) return `t${i}`;
    };
    const firstTag = await tagOn(first);
    const lastTag = await tagOn(last);
    const slot = String(keySlot(lastTag));
    const onFirst = Array.from({ length: 20 }, (_, i) => `mig:{${firstTag}}:${i}`);
    const moving = Array.from({ length: 40 }, (_, i) => `mig:{${lastTag}}:${i}`);
    await Promise.all([...onFirst, ...moving].map((k) => redis.set(k, "v")));
    const seen = new Set<string>();
    let moved = false;
    for await (const key of redis.scanIterator({ match: "mig:*", count: 10 })) {
      seen.add(key);
      if (!moved && onFirst.every((k) => seen.has(k))) {
        // The first master is done: half of a slot of the last one's keys migrate onto it; the slot stays the last one's.
        moved = true;
        await cluster.cli(first, "CLUSTER", "SETSLOT", slot, "IMPORTING", id(last));
        await cluster.cli(last, "CLUSTER", "SETSLOT", slot, "MIGRATING", id(first));
        await cluster.cli(last, "MIGRATE", "127.0.0.1", String(first), "", "0", "5000", "KEYS", ...moving.slice(0, 20));
      }
    }
    assert.ok(moved);
    assert.deepEqual([...onFirst, ...moving].filter((k) => !seen.has(k)), []);
    // Finish the migration: the other tests take a cluster with every slot settled.
    await cluster.cli(last, "MIGRATE", "127.0.0.1", String(first), "", "0", "5000", "KEYS", ...moving.slice(20));
    // As redis-cli does: the new owner first, then the old one, then every other master.
    const others = info.filter((n) => n.role === "master" && n.port !== first && n.port !== last).map((n) => n.port);
    for (const port of [first, last, ...others]) await cluster.cli(port, "CLUSTER", "SETSLOT", slot, "NODE", id(first));
    await cluster.waitHealthy(30_000);
  }, 120_000);

  test("a master killed under traffic: every command settles, the promoted replica serves within node-timeout + a few seconds, subscriptions move off it", async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `fo:${i}`);
    await Promise.all(keys.map((k) => redis.set(k, "v")));
    const nodes = await cluster.nodes();
    // The master of slot 0: also the node plain subscriptions were made on.
    const victim = nodes.find((n) => n.port === nodes.find((m) => m.role === "master" && m.slots.some(([a]) => a === 0))!.port)!;
    const heard: string[] = [];
    const off = await redis.subscribe("alerts", (message) => heard.push(String(message)));
    const replica = nodes.find((n) => n.masterId === victim.id)!;
    const victimKey = keys.find((k) => victim.slots.some(([a, b]) => keySlot(k) >= a && keySlot(k) <= b))!;
    const commandTimeout = redis.options.connection.commandTimeout;
    const load = runLoad(100, async (caller, n) => {
      const key = keys[(caller + n) % keys.length]!;
      // Every command settles within its deadline (plus slack for a loaded machine): none hangs.
      const settled = await Promise.race([
        (n % 2 ? redis.get(key) : redis.set(key, "v")).then(() => "ok", (err: Error) => err),
        sleep(commandTimeout + 3_000).then(() => "hung"),
      ]);
      if (settled === "hung") throw new Error("a command never settled");
      if (settled instanceof Error) throw settled;
    });
    await sleep(300);
    const killedAt = Date.now();
    await cluster.kill(victim.port);
    await until(async () => (await cluster.cli(replica.port, "ROLE")).startsWith("master"), "the replica's promotion", 20_000);
    const promotedAt = Date.now();
    // From now on commands on the victim's slots succeed again, with no action from the caller.
    await until(() => redis.get(victimKey).then(() => true, () => false), "a command on the promoted replica", 5_000);
    const servedAfterMs = Date.now() - killedAt;
    const clientTookMs = Date.now() - promotedAt;
    const beforeRecovery = load.failed;
    await sleep(500);
    await load.stop();
    console.log(`${report("failover by SIGKILL", load)}; served by the promoted replica ${servedAfterMs} ms after the kill, ${clientTookMs} ms after its promotion`);
    assert.ok(![...load.errors.keys()].some((m) => m.includes("never settled")), report("failover", load));
    // The server takes node-timeout plus an election (about 2 s here) to promote; the client then follows at once.
    assert.ok(clientTookMs < 2_000, `served ${clientTookMs} ms after the promotion`);
    assert.ok(servedAfterMs < cluster.nodeTimeout + 6_000, `served ${servedAfterMs} ms after the kill`);
    assert.equal(load.failed, beforeRecovery, "no failures once the replica was promoted");
    await until(() => !redis.stats().nodes.some((n) => n.address === `127.0.0.1:${victim.port}`), "the dead node's connections closed", 5_000);
    let n = 0;
    await until(async () => (await redis.publish("alerts", `after-${n++}`), heard.length > 0), "a message on the subscription moved off the dead node", 5_000);
    await off();
    await cluster.restart(victim.port); // rejoins as a replica of its old shard (a full resync)
    await cluster.waitHealthy(60_000);
  }, 120_000);

  test("a graceful CLUSTER FAILOVER under traffic fails no command", async () => {
    const nodes = await cluster.nodes();
    const replica = nodes.find((n) => n.role === "replica" && !n.failing)!;
    const keys = Array.from({ length: 200 }, (_, i) => `gf:${i}`);
    const load = runLoad(100, (caller, n) => redis.incr(keys[(caller + n) % keys.length]!));
    await sleep(200);
    await cluster.failover(replica.port);
    await sleep(500);
    await load.stop();
    console.log(report("graceful failover", load));
    assert.equal(load.failed, 0, report("graceful failover", load));
  }, 60_000);

  test("scanIterator() completes when a master it already scanned dies before the scan ends", async () => {
    const scanner = createCluster({ nodes: cluster.seeds, commandTimeout: 2_000 });
    try {
      const keys = Array.from({ length: 300 }, (_, i) => `scan-kill:${i}`);
      await Promise.all(keys.map((k) => scanner.set(k, "v")));
      const first = (await scanner.nodes("master"))[0]!;
      const firstKeys = new Set<string>();
      for await (const key of first.scanIterator({ match: "scan-kill:*", count: 1_000 })) firstKeys.add(key);
      const seen = new Set<string>();
      let killed = false;
      for await (const key of scanner.scanIterator({ match: "scan-kill:*", count: 1_000 })) {
        seen.add(key);
        if (!killed && [...firstKeys].every((k) => seen.has(k))) {
          killed = true;
          await cluster.kill(portOf(first.address));
        }
      }
      assert.ok(killed);
      assert.equal(seen.size, keys.length);
    } finally {
      await scanner.close();
    }
  }, 60_000);
});

/** The keys under `scan-move:` one node holds, by SCAN on that node alone. */
async function scanAll(node: { scanIterator(options: { match: string; count: number }): AsyncIterable<string> }): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of node.scanIterator({ match: "scan-move:*", count: 1_000 })) keys.push(key);
  return keys;
}

/** The port of a node's "host:port" address. */
function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}
