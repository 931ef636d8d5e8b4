import assert from "node:assert/strict";
import { createClient, createPool, type CommandApi, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint } from "../../worker.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

/** Every key the server holds (read by a client without a prefix). */
async function allKeys(admin: RedisClient): Promise<string[]> {
  return ((await admin.send(["KEYS", "*"])) as string[]).sort();
}

/** What every surface must do under `keyPrefix: "app:"`; `api` has it, `admin` does not. */
async function prefixesEveryKey(api: CommandApi, admin: RedisClient): Promise<void> {
  await admin.flushdb();
  await api.set("typed", "1");
  await api.send(["SET", "raw", "2"]);
  await api.send([new TextEncoder().encode("SET"), new TextEncoder().encode("bytes"), "3"]);
  await api.mset({ m1: "a", m2: "b" });
  assert.deepEqual(await api.mget("typed", "raw", "bytes", "m1"), ["1", "2", "3", "a"]);
  const tx = await api.multi().incr("counter").rpush("list", "x").exec();
  assert.deepEqual(tx, [1, 1]);
  const piped = await api.pipeline().incr("counter").get("counter").exec();
  assert.deepEqual(piped, [2, "2"]);
  assert.equal(await api.eval("return redis.call('GET', KEYS[1])", ["typed"]), "1");
  assert.equal(await api.script("return redis.call('INCR', KEYS[1])").run(["counter"]), 3);
  await api.xadd("stream", { f: "v" }, { id: "1-1" });
  assert.equal((await api.xread({ stream: "0" }))?.[0]?.entries[0]?.id, "1-1");
  assert.deepEqual(await api.blpop("list", 1), ["app:list", "x"]); // a reply that names a key names it as Redis knows it
  assert.deepEqual(await allKeys(admin), ["app:bytes", "app:counter", "app:m1", "app:m2", "app:raw", "app:stream", "app:typed"]);
  assert.equal(await admin.get("app:typed"), "1");
  assert.equal(await api.get("app:typed"), null); // "app:app:typed"

  // scanIterator narrows to the prefix and yields keys as the caller names them.
  await admin.set("other", "not ours");
  const seen: string[] = [];
  for await (const key of api.scanIterator({ count: 2 })) seen.push(key);
  assert.deepEqual(seen.sort(), ["bytes", "counter", "m1", "m2", "raw", "stream", "typed"]);
  const matched: string[] = [];
  for await (const key of api.scanIterator({ match: "m*" })) matched.push(key);
  assert.deepEqual(matched.sort(), ["m1", "m2"]);
  assert.equal(await api.get(seen.find((k) => k === "typed")!), "1"); // a yielded key goes straight back in
}

describe("keyPrefix", () => {
  let server: RedisServer;
  let admin: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    admin = createClient({ url: server.url });
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    test(`the multiplexer prefixes every key: typed, raw, transactions, pipelines, scripts, blocking commands (RESP${protocol})`, async () => {
      const redis = createClient({ url: server.url, protocol, keyPrefix: "app:" });
      try {
        await prefixesEveryKey(redis, admin);
        await redis.isolated((c) => prefixesEveryKey(c, admin));
      } finally {
        await redis.close();
      }
    });
  }

  test("the pool and its leases prefix every key", async () => {
    const pool = createPool({ url: server.url, keyPrefix: "app:", max: 3 });
    try {
      await prefixesEveryKey(pool, admin);
      const lease = await pool.acquire();
      try {
        await prefixesEveryKey(lease, admin);
      } finally {
        await lease.release();
      }
    } finally {
      await pool.close();
    }
  });

  test("a worker client's commands get the owner's prefix, and its scanIterator the pattern", async () => {
    const owner = createClient({ url: server.url, keyPrefix: "app:" });
    const { port1, port2 } = new MessageChannel();
    const handle = exposeClient(owner, port1 as unknown as Endpoint);
    const worker = wrapClient(port2 as unknown as Endpoint);
    try {
      await prefixesEveryKey(worker, admin);
    } finally {
      await worker.close();
      await handle.close();
      await owner.close();
      port1.close();
    }
  });

  test("a keyPrefix that is not a string is refused", () => {
    assert.throws(() => createClient({ url: server.url, keyPrefix: 5 as never }), TypeError);
  });
});
