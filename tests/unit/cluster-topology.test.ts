import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { MIN_GAP_MS, Refresher, type RefreshOutcome } from "../../src/cluster/refresh.ts";
import { slotMapFromShards, slotMapFromSlots } from "../../src/cluster/topology.ts";
import { resolveClusterOptions } from "../../src/cluster/options.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { sleep, until } from "../harness/wait.ts";

const seed = { host: "10.0.0.9", port: 7000 };
const same = (a: { host: string; port: number }) => a;

function node(fields: Record<string, RespValue>, resp3: boolean): RespValue {
  return resp3 ? new Map(Object.entries(fields)) : Object.entries(fields).flat();
}

function shardsReply(resp3: boolean): RespValue {
  const shard = (slots: number[], nodes: RespValue[]) => (resp3 ? new Map<RespValue, RespValue>([["slots", slots], ["nodes", nodes]]) : ["slots", slots, "nodes", nodes]);
  return [
    shard([0, 99, 200, 299], [
      node({ id: "a", port: 7001, ip: "10.0.0.1", endpoint: "10.0.0.1", role: "master", health: "online" }, resp3),
      node({ id: "a1", port: 7101, ip: "10.0.0.11", endpoint: "10.0.0.11", role: "replica", health: "online" }, resp3),
      node({ id: "a2", port: 7201, ip: "10.0.0.21", endpoint: "10.0.0.21", role: "replica", health: "loading" }, resp3),
    ]),
    shard([100, 199], [
      node({ id: "b", port: 7002, ip: "", endpoint: "?", role: "master", health: "online" }, resp3),
      node({ id: "b1", port: 7102, ip: "10.0.0.12", endpoint: "10.0.0.12", role: "replica", health: "failed" }, resp3),
    ]),
    shard([], [node({ id: "c", port: 7003, ip: "10.0.0.3", endpoint: "10.0.0.3", role: "master", health: "failed" }, resp3)]),
  ];
}

describe("cluster topology", () => {
  for (const resp3 of [true, false]) {
    test(`CLUSTER SHARDS (${resp3 ? "RESP3 maps" : "RESP2 arrays"}): slots to masters, replicas, failed and loading nodes`, () => {
      const map = slotMapFromShards(shardsReply(resp3), seed, same);
      assert.equal(map.shardOf(0)?.master.address, "10.0.0.1:7001");
      assert.equal(map.shardOf(250)?.master.address, "10.0.0.1:7001");
      assert.equal(map.shardOf(150)?.master.address, "10.0.0.9:7002", "an unknown endpoint means the answering node's host");
      assert.equal(map.shardOf(300), undefined);
      assert.equal(map.covered, 300);
      assert.deepEqual(map.shardOf(0)!.replicas.map((r) => [r.address, r.readable]), [["10.0.0.11:7101", true], ["10.0.0.21:7201", false]]);
      assert.deepEqual(map.shardOf(150)!.replicas, [], "failed replicas are left out");
      assert.deepEqual(map.nodes().map((n) => n.address), ["10.0.0.1:7001", "10.0.0.9:7002", "10.0.0.11:7101", "10.0.0.21:7201"], "masters first");
    });
  }

  test("CLUSTER SLOTS: the first node of a range is its master, the rest replicas", () => {
    const map = slotMapFromSlots([[0, 8191, ["10.0.0.1", 7001, "a"], ["10.0.0.11", 7101, "a1"]], [8192, 16383, ["", 7002, "b"]]], seed, same);
    assert.equal(map.shardOf(8191)?.master.address, "10.0.0.1:7001");
    assert.deepEqual(map.shardOf(0)?.replicas.map((r) => r.address), ["10.0.0.11:7101"]);
    assert.equal(map.shardOf(16383)?.master.address, "10.0.0.9:7002");
    assert.equal(map.covered, 16384);
  });

  test("addressMap turns announced addresses into reachable ones, as a table or a function", () => {
    const { addressMap } = resolveClusterOptions({ nodes: ["redis://h:1"], addressMap: { "10.0.0.1:7001": { host: "localhost", port: 17001 }, "10.0.0.11:7101": "localhost:17101" } });
    const map = slotMapFromShards(shardsReply(true), seed, addressMap);
    assert.equal(map.shardOf(0)?.master.address, "localhost:17001");
    assert.equal(map.shardOf(0)?.replicas[0]!.address, "localhost:17101");
    assert.equal(map.shardOf(150)?.master.address, "10.0.0.9:7002");
    const shifted = slotMapFromSlots([[0, 16383, ["10.0.0.1", 7001]]], seed, ({ host, port }) => ({ host: `nat-${host}`, port: port + 1 }));
    assert.equal(shifted.shardOf(5)?.master.address, "nat-10.0.0.1:7002");
  });

  test("options: seeds from URLs (credentials and TLS too) or objects; bad values throw TypeError", () => {
    const options = resolveClusterOptions({ nodes: ["rediss://user:pw@10.0.0.1:7000", { host: "10.0.0.2", port: 7001 }] });
    assert.deepEqual(options.seeds, [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7001 }]);
    assert.equal(options.connection.username, "user");
    assert.equal(options.connection.password, "pw");
    assert.ok(options.connection.tls);
    assert.equal(options.readFrom, "master");
    assert.equal(options.maxRedirections, 16);
    assert.throws(() => resolveClusterOptions({ nodes: [] }), TypeError);
    assert.throws(() => resolveClusterOptions({ nodes: ["redis://h:1"], readFrom: "nearest" as "master" }), TypeError);
    assert.throws(() => resolveClusterOptions({ nodes: ["redis://h:1"], maxRedirections: 0 }), TypeError);
    assert.throws(() => resolveClusterOptions({ nodes: ["redis+unix:///tmp/r.sock"] }), TypeError);
  });
});

describe("cluster topology refresher", () => {
  const policy = { initialDelay: 50, maxDelay: 2_000, maxAttempts: Infinity, strategy: undefined };

  test("requests made while a refresh runs are coalesced into one more refresh, and starts are rate-limited", async () => {
    const starts: number[] = [];
    let release!: () => void;
    const refresher = new Refresher(async (): Promise<RefreshOutcome> => {
      starts.push(Date.now());
      await new Promise<void>((resolve) => (release = resolve));
      return "ok";
    }, 0, policy);
    refresher.request();
    await until(() => starts.length === 1, "the first refresh");
    for (let i = 0; i < 1_000; i++) refresher.request();
    release();
    await until(() => starts.length === 2, "one more refresh");
    release();
    await sleep(MIN_GAP_MS * 3);
    assert.equal(starts.length, 2, "a thousand requests during one refresh cost one refresh after it");
    assert.ok(starts[1]! - starts[0]! >= MIN_GAP_MS - 5, `the second started ${starts[1]! - starts[0]!} ms after the first`);
    refresher.close();
  });

  test("a refresh that found no node is retried with backoff; close() stops it", async () => {
    let calls = 0;
    const refresher = new Refresher(async () => (calls++, "failed" as const), 0, policy);
    refresher.request();
    await until(() => calls >= 3, "retries", 3_000);
    refresher.close();
    const after = calls;
    await sleep(500);
    assert.equal(calls, after);
  });
});
