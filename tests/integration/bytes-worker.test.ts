import assert from "node:assert/strict";
import { createClient, createPool } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint, type Shareable } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// A client or pool made with decode: "bytes" can be shared with workers: their clients read data
// as Uint8Array on every path (plain commands, which a worker may encode itself, commands with
// options, transactions, isolated connections). Ports of a MessageChannel in one thread stand in
// for threads: the protocol is the same.

const b = (s: string) => new TextEncoder().encode(s);
const endpoint = (port: MessagePort) => port as unknown as Endpoint;

/** Share `owner` over a fresh channel; `use` gets the worker side's port. */
async function sharing<T>(owner: Shareable, use: (port: Endpoint) => Promise<T>): Promise<T> {
  const channel = new MessageChannel();
  const handle = exposeClient(owner, endpoint(channel.port1));
  try {
    return await use(endpoint(channel.port2));
  } finally {
    await handle.close();
    channel.port1.close();
    channel.port2.close();
  }
}

describe("worker clients of a bytes owner", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    const setup = createClient({ url: server.url });
    await setup.set("bw:k", "v");
    await setup.hset("bw:h", { f: "v" });
    await setup.close();
  });
  afterAll(() => server?.stop());

  for (const [name, make] of [
    ["a client", () => createClient({ url: server.url, decode: "bytes" })],
    ["a pool", () => createPool({ url: server.url, decode: "bytes", max: 2 })],
  ] as const) {
    const counter = `bw:n:${name}`;
    test(`exposeClient(${name} made with decode: "bytes"): its worker clients read data as bytes`, async () => {
      const owner = make();
      try {
        await sharing(owner, async (port) => {
          const redis = wrapClient(port, { decode: "bytes" });
          try {
            assert.deepEqual(await redis.get("bw:k"), b("v"));
            assert.deepEqual({ ...(await redis.hgetall("bw:h")) }, { f: b("v") });
            assert.deepEqual(await redis.with({ timeout: 1_000 }).get("bw:k"), b("v"));
            assert.deepEqual(await redis.multi().get("bw:k").incr(counter).exec(), [b("v"), 1]);
            assert.deepEqual(await redis.isolated((c) => c.get("bw:k")), b("v"));
            assert.equal(await redis.with({ bytes: false }).get("bw:k"), "v");
          } finally {
            await redis.close();
          }
        });
      } finally {
        await owner.close();
      }
    });
  }

  test('wrapClient(port, { decode }) reads in that mode whatever the owner\'s, and a call\'s bytes option still wins', async () => {
    const stringOwner = createClient({ url: server.url });
    const bytesOwner = createClient({ url: server.url, decode: "bytes" });
    try {
      await sharing(stringOwner, async (port) => {
        const redis = wrapClient(port, { decode: "bytes" });
        try {
          assert.deepEqual(await redis.get("bw:k"), b("v"));
          assert.deepEqual(await redis.send(["GET", "bw:k"]), b("v"));
          assert.deepEqual(await redis.pipeline().get("bw:k").exec(), [b("v")]);
          assert.deepEqual(await redis.multi().get("bw:k").exec(), [b("v")]);
          assert.deepEqual(await redis.isolated((c) => c.get("bw:k")), b("v"));
          assert.deepEqual(await redis.blpop("bw:none", 0.01), null);
          assert.equal(await redis.with({ bytes: false }).get("bw:k"), "v");
        } finally {
          await redis.close();
        }
      });
      await sharing(bytesOwner, async (port) => {
        const redis = wrapClient(port, { decode: "string" });
        try {
          assert.equal(await redis.get("bw:k"), "v");
          assert.deepEqual({ ...(await redis.hgetall("bw:h")) }, { f: "v" });
          assert.deepEqual(await redis.multi().get("bw:k").exec(), ["v"]);
          assert.equal(await redis.isolated((c) => c.get("bw:k")), "v");
          assert.deepEqual(await redis.with({ bytes: true }).get("bw:k"), b("v"));
        } finally {
          await redis.close();
        }
      });
      await sharing(bytesOwner, async (port) => {
        const redis = wrapClient(port); // no decode: the owner's mode
        try {
          assert.deepEqual(await redis.get("bw:k"), b("v"));
        } finally {
          await redis.close();
        }
      });
    } finally {
      await stringOwner.close();
      await bytesOwner.close();
    }
  });

  test("wrapClient(port, { decode }) refuses a mode it does not know", () => {
    const channel = new MessageChannel();
    try {
      assert.throws(() => wrapClient(endpoint(channel.port2), { decode: "utf16" as "bytes" }), RangeError);
    } finally {
      channel.port1.close();
      channel.port2.close();
    }
  });
});
