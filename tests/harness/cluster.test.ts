import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "./runner.ts";
import { startCluster, type RedisCluster } from "./cluster.ts";

describe("test harness: startCluster", () => {
  let cluster: RedisCluster;
  beforeAll(async () => { cluster = await startCluster(); }, 60_000);
  afterAll(() => cluster?.stop());

  test("three masters cover all 16384 slots, each with one replica, on ports whose bus port is port + 10000", async () => {
    const nodes = await cluster.nodes();
    const masters = nodes.filter((n) => n.role === "master");
    assert.equal(masters.length, 3);
    assert.equal(nodes.filter((n) => n.role === "replica").length, 3);
    for (const m of masters) assert.equal(nodes.filter((n) => n.masterId === m.id).length, 1);
    assert.equal(masters.reduce((sum, m) => sum + m.slots.reduce((a, [x, y]) => a + y - x + 1, 0), 0), 16_384);
    for (const s of cluster.servers) assert.notEqual(s.port, 6379);
    assert.match(await cluster.cli(cluster.servers[0]!.port, "CLUSTER", "INFO"), /cluster_state:ok/);
  });

  test("reshard() moves slots between masters; failover() promotes a replica", async () => {
    const before = await cluster.nodes();
    const [a, b] = before.filter((n) => n.role === "master");
    await cluster.reshard(a!.port, b!.port, 10);
    const after = await cluster.nodes();
    const count = (port: number) => after.find((n) => n.port === port)!.slots.reduce((s, [x, y]) => s + y - x + 1, 0);
    const countBefore = (port: number) => before.find((n) => n.port === port)!.slots.reduce((s, [x, y]) => s + y - x + 1, 0);
    assert.equal(count(a!.port), countBefore(a!.port) - 10);
    assert.equal(count(b!.port), countBefore(b!.port) + 10);
    const replica = after.find((n) => n.masterId === a!.id)!;
    await cluster.failover(replica.port);
    assert.equal(await cluster.masterOf(after.find((n) => n.port === a!.port)!.slots[0]![0]), replica.port);
  }, 60_000);
});
