import assert from "node:assert/strict";
import { ConnectionError, RedisError, createClient } from "../../mod.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import type { Connector } from "../../src/transport/types.ts";
import { startProxy, type FaultProxy } from "../harness/proxy.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

/** A connector that records the size of every chunk the client receives. */
function chunkSizes(sizes: number[]): Connector {
  return async (options) => (await defaultConnector())({ ...options, onData: (chunk) => (sizes.push(chunk.length), options.onData(chunk)) });
}

describe("the client over a faulty network", () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startProxy({ host: server.host, port: server.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    test(`RESP${protocol}: every reply decodes right when each byte arrives alone`, async () => {
      proxy.set({ split: true });
      const sizes: number[] = [];
      const c = createClient({ url: proxy.url, protocol, connector: chunkSizes(sizes) });
      try {
        const [set, got, pushed, hset, missing, failed] = await Promise.all([
          c.set(`split:${protocol}:s`, "héllo ✓"),
          c.get(`split:${protocol}:s`),
          c.rpush(`split:${protocol}:l`, "a", "bc", ""),
          c.hset(`split:${protocol}:h`, { f1: "v1", f2: "" }),
          c.get(`split:${protocol}:none`),
          c.send(["INCR", `split:${protocol}:s`]).catch((e: unknown) => e),
        ]);
        assert.deepEqual([set, got, pushed, hset, missing], ["OK", "héllo ✓", 3, 2, null]);
        assert.ok(failed instanceof RedisError && failed.code === "ERR", String(failed));
        assert.deepEqual(await c.lrange(`split:${protocol}:l`, 0, -1), ["a", "bc", ""]);
        assert.deepEqual({ ...(await c.hgetall(`split:${protocol}:h`)) }, { f1: "v1", f2: "" });
        const lone = sizes.filter((n) => n === 1).length;
        assert.ok(lone >= sizes.length * 0.8, `${lone} of ${sizes.length} chunks held one byte`);
      } finally {
        proxy.set({ split: false });
        await c.close();
      }
    });
  }

  test("a reset in the middle of a reply rejects the written commands as may-have-run, and the client reconnects", async () => {
    const c = createClient({ url: proxy.url, reconnect: { initialDelay: 20, maxDelay: 100 } });
    try {
      await c.set("reset:big", "x".repeat(64 * 1024));
      const before = proxy.accepted;
      const link = proxy.links.at(-1)!;
      const sent = link.bytesToClient;
      link.resetAfter(1_000);
      const outcomes = await Promise.all([c.get("reset:big"), c.incr("reset:n")].map((p) => p.catch((e: unknown) => e)));
      for (const err of outcomes) {
        assert.ok(err instanceof ConnectionError, String(err));
        assert.match(err.message, /may have run/);
      }
      assert.equal(link.bytesToClient - sent, 1_000, "the reset came 1000 bytes into the 64 KB reply");
      assert.equal((await c.get("reset:big"))?.length, 64 * 1024);
      assert.equal(proxy.accepted, before + 1);
      await until(() => c.stats().state === "ready", "ready again");
    } finally {
      await c.close();
    }
  });
});
