import assert from "node:assert/strict";
import { createClient, RedisError, type RedisClient } from "../../mod.ts";
import { freePort, type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

const redisError = (pattern: RegExp) => (err: unknown) => err instanceof RedisError && pattern.test(err.message);

// A one-node cluster serving every slot: enough to read every CLUSTER reply's shape.
describe("typed cluster commands on a one-node cluster", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let myid: string;
  beforeAll(async () => {
    const busPort = await freePort(); // the default (port + 10000) may be taken, or above 65535
    server = await startRedis({ args: ["--cluster-enabled", "yes", "--cluster-port", String(busPort)] });
    admin = createClient({ url: server.url });
    assert.equal(await admin.clusterAddslotsrange([[0, 16383]]), "OK");
    await until(async () => (await admin.clusterInfo()).cluster_state === "ok", "the cluster to be ok");
    myid = await admin.clusterMyid();
    await admin.set("foo", "bar");
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    describe(`on RESP${protocol}`, () => {
      let redis: RedisClient;
      beforeAll(() => {
        redis = createClient({ url: server.url, protocol });
      });
      afterAll(() => redis?.close());

      test("info, myid, keyslot and the keys of a slot", async () => {
        const info = await redis.clusterInfo();
        assert.equal(info.cluster_state, "ok");
        assert.equal(info.cluster_slots_assigned, 16384);
        assert.equal(info.cluster_known_nodes, 1);
        assert.match(myid, /^[0-9a-f]{40}$/);
        assert.equal(await redis.clusterKeyslot("foo"), 12182);
        assert.equal(await redis.clusterKeyslot("{foo}.other"), 12182);
        assert.equal(await redis.clusterCountkeysinslot(12182), 1);
        assert.deepEqual(await redis.clusterGetkeysinslot(12182, 10), ["foo"]);
        assert.equal(await redis.clusterCountFailureReports(myid), 0);
      });

      test("nodes, shards, slots and links, parsed", async () => {
        const [node, ...others] = await redis.clusterNodes();
        assert.deepEqual(others, []);
        assert.equal(node!.id, myid);
        assert.equal(node!.port, server.port);
        assert.equal(typeof node!.busPort, "number");
        assert.deepEqual(node!.flags, ["myself", "master"]);
        assert.equal(node!.masterId, null);
        assert.equal(node!.linkState, "connected");
        assert.deepEqual(node!.slots, [[0, 16383]]);
        assert.deepEqual([node!.migrating, node!.importing], [[], []]);
        const [shard] = await redis.clusterShards();
        assert.deepEqual(shard!.slots, [[0, 16383]]);
        const [shardNode] = shard!.nodes;
        assert.deepEqual([shardNode!.id, shardNode!.port, shardNode!.role, shardNode!.health], [myid, server.port, "master", "online"]);
        assert.equal(typeof shardNode!.replicationOffset, "number");
        const [range] = await redis.clusterSlots();
        assert.deepEqual(range, {
          start: 0,
          end: 16383,
          master: { host: "", port: server.port, id: myid, metadata: Object.create(null) }, // a lone node knows no IP of its own
          replicas: [],
        });
        assert.deepEqual(await redis.clusterLinks(), []);
        assert.deepEqual(await redis.clusterReplicas(myid), []);
        assert.deepEqual(await redis.clusterSlaves(myid), []);
      });
    });
  }

  test("slot assignment, epochs and membership commands send what they say", async () => {
    assert.equal(await admin.clusterSetConfigEpoch(1), "OK"); // a lone node's epoch is still 0
    assert.match(await admin.clusterBumpepoch(), /^(BUMPED|STILL) \d+$/);
    assert.equal(await admin.clusterDelslots(5, 6), "OK");
    assert.equal(await admin.clusterAddslots(5, 6), "OK");
    assert.equal(await admin.clusterDelslotsrange([[10, 20], [30, 40]]), "OK");
    assert.deepEqual((await admin.clusterNodes())[0]!.slots, [[0, 9], [21, 29], [41, 16383]]);
    assert.equal(await admin.clusterAddslotsrange([[10, 20], [30, 40]]), "OK");
    assert.equal(await admin.clusterSetslot(100, { node: myid }), "OK");
    assert.equal(await admin.clusterSetslot(100, { stable: true }), "OK");
    await assert.rejects(admin.clusterSetslot(100, { importing: myid }), redisError(/myself|already the owner/i));
    assert.equal(await admin.clusterSaveconfig(), "OK");
    await assert.rejects(admin.clusterMeet("127.0.0.1", 99_999), redisError(/Invalid node address/));
    await assert.rejects(admin.clusterForget(myid), redisError(/forget myself/));
    await assert.rejects(admin.clusterReplicate(myid), redisError(/replicate myself/));
    await assert.rejects(admin.clusterFailover("FORCE"), redisError(/replica/));
    await assert.rejects(admin.clusterAddslots(), TypeError);
    await admin.flushall();
    assert.equal(await admin.clusterFlushslots(), "OK");
    assert.equal(await admin.clusterReset("SOFT"), "OK");
    assert.equal((await admin.clusterInfo()).cluster_slots_assigned, 0);
  });
});
