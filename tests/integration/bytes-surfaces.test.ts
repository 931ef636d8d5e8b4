import assert from "node:assert/strict";
import { createClient, createCluster, createPool, raw, type RedisClient } from "../../mod.ts";
import { commandSpecs } from "../../src/client/commands/index.ts";
import { freePort, type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

// Bytes mode reaches past the commands: transactions and pipelines built on a bytes surface, the
// connections isolated() and watch() lend, a bytes pool's leases and a bytes cluster read data as
// Uint8Array, as their types say.

const b = (s: string) => new TextEncoder().encode(s);

describe("surfaces in bytes mode", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      const k = (name: string) => `surf${protocol}:${name}`;
      let plain: RedisClient;
      beforeAll(async () => {
        plain = createClient({ url: server.url, protocol });
        await plain.set(k("s"), "v");
        await plain.hset(k("h"), { f: "v" });
      });
      afterAll(() => plain?.close());

      test("multi() and pipeline() on a bytes client read data as bytes and counts as numbers", async () => {
        const raw = createClient({ url: server.url, protocol, decode: "bytes" });
        try {
          const tx = (await raw.multi().get(k("s")).incr(k("n")).hgetall(k("h")).set(k("s"), "v").exec())!;
          assert.deepEqual([tx[0], tx[1], { ...(tx[2] as Record<string, Uint8Array>) }, tx[3]], [b("v"), 1, { f: b("v") }, "OK"]);
          const [list, score] = await raw.pipeline().lrange(k("none"), 0, -1).zscore(k("none"), "m").exec();
          assert.deepEqual([list, score], [[], null]);
          const viewed = (await plain.with({ bytes: true }).multi().get(k("s")).exec())!;
          assert.deepEqual(viewed, [b("v")]);
        } finally {
          await raw.close();
        }
      });

      test("isolated() and watch() lend connections that read bytes", async () => {
        const raw = createClient({ url: server.url, protocol, decode: "bytes" });
        try {
          assert.deepEqual(await raw.isolated((c) => c.get(k("s"))), b("v"));
          assert.deepEqual(await plain.with({ bytes: true }).isolated((c) => c.get(k("s"))), b("v"));
          const watched = await raw.watch(k("s"), async (tx) => {
            assert.deepEqual(await tx.get(k("s")), b("v"));
            return tx.multi().get(k("s"));
          });
          assert.deepEqual(watched, [b("v")]);
        } finally {
          await raw.close();
        }
      });

      test("a bytes pool's commands, leases and withConnection() read bytes", async () => {
        const pool = createPool({ url: server.url, protocol, decode: "bytes", max: 2 });
        try {
          assert.deepEqual(await pool.get(k("s")), b("v"));
          const lease = await pool.acquire();
          try {
            assert.deepEqual({ ...(await lease.hgetall(k("h"))) }, { f: b("v") });
          } finally {
            await lease.release();
          }
          assert.deepEqual(await pool.withConnection((l) => l.get(k("s"))), b("v"));
          const keys: Uint8Array[] = [];
          for await (const key of pool.scanIterator({ match: k("s") })) keys.push(key);
          assert.deepEqual(keys, [b(k("s"))]);
        } finally {
          await pool.close();
        }
      });
    });
  }

  describe("a cluster client made with decode: 'bytes'", () => {
    let node: RedisServer;
    beforeAll(async () => {
      const busPort = await freePort();
      node = await startRedis({ args: ["--cluster-enabled", "yes", "--cluster-port", String(busPort)] });
      const admin = createClient({ url: node.url });
      await admin.clusterAddslotsrange([[0, 16383]]);
      await until(async () => (await admin.clusterInfo()).cluster_state === "ok", "the cluster to be ok");
      await admin.close();
    });
    afterAll(() => node?.stop());

    for (const protocol of [2, 3] as const) {
      test(`reads data as bytes on RESP${protocol}: commands, transactions, isolated(key) and the scan`, async () => {
        const cluster = createCluster({ nodes: [{ host: node.host, port: node.port }], protocol, decode: "bytes" });
        try {
          assert.equal(await cluster.set("{c}k", "v"), "OK");
          assert.deepEqual(await cluster.get("{c}k"), b("v"));
          assert.deepEqual(await cluster.multi().get("{c}k").incr("{c}n").exec(), [b("v"), 1]);
          assert.deepEqual(await cluster.isolated("{c}k", (c) => c.get("{c}k")), b("v"));
          const keys: Uint8Array[] = [];
          for await (const key of cluster.scanIterator({ match: "{c}k" })) keys.push(key);
          assert.deepEqual(keys, [b("{c}k")]);
          // run() splits a multi-key command by slot; a call's `bytes: undefined` keeps the view's bytes.
          const plain = createCluster({ nodes: [{ host: node.host, port: node.port }], protocol });
          try {
            const view = plain.with({ bytes: true });
            assert.deepEqual(await view.run(commandSpecs.mget("{c}k", "{d}k"), { bytes: undefined }), [b("v"), null]);
            assert.deepEqual(await view.run(raw<string | null>(["GET", "{c}k"])), b("v"));
            // nodes() lends node clients in the cluster's or the view's mode.
            assert.deepEqual(await (await cluster.nodes())[0]!.get("{c}k"), b("v"));
            assert.deepEqual(await (await view.nodes())[0]!.get("{c}k"), b("v"));
            assert.equal(await (await plain.nodes())[0]!.get("{c}k"), "v");
          } finally {
            await plain.close();
          }
        } finally {
          await cluster.del("{c}n");
          await cluster.close();
        }
      });
    }
  });
});
