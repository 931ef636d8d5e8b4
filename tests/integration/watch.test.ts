import assert from "node:assert/strict";
import { createClient, createPool, type CommandApi, type RedisClient, WatchError } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint } from "../../worker.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

/** The behaviour every surface's watch() must have; `admin` changes keys behind its back. */
async function optimisticTransactions(api: CommandApi, admin: RedisClient, stored: (key: string) => string): Promise<void> {
  await admin.set(stored("balance"), 100);

  // No conflict: one run, the transaction's replies.
  let runs = 0;
  const spent = await api.watch("balance", async (tx) => {
    runs++;
    const balance = Number(await tx.get("balance"));
    return tx.multi().set("balance", balance - 10).get("balance");
  });
  assert.deepEqual(spent, ["OK", "90"]);
  assert.equal(runs, 1);

  // A change between the read and EXEC: fn runs again and sees the new value.
  runs = 0;
  const retried = await api.watch(["balance"], async (tx) => {
    runs++;
    const balance = Number(await tx.get("balance"));
    if (runs === 1) await admin.incrby(stored("balance"), 1000);
    return tx.multi().set("balance", balance - 10);
  });
  assert.deepEqual(retried, ["OK"]);
  assert.equal(runs, 2);
  assert.equal(await admin.get(stored("balance")), "1080");

  // A change on every run: rejected after 1 + retries runs, with an error of its own.
  runs = 0;
  const conflict = api.watch("balance", async (tx) => {
    runs++;
    await admin.incr(stored("balance"));
    return tx.multi().set("balance", 0);
  }, { retries: 2 });
  await assert.rejects(conflict, (err: unknown) => err instanceof WatchError && err.code === "RESPLEX_WATCH" && /3 times/.test(err.message));
  assert.equal(runs, 3);
  assert.equal(await admin.get(stored("balance")), "1083");

  // fn's own error rejects the call; the connection is left unwatched for what follows.
  await assert.rejects(api.watch("balance", () => Promise.reject(new RangeError("no funds"))), RangeError);
  // A transaction built elsewhere would run without the WATCH: refused.
  await assert.rejects(api.watch("balance", () => admin.multi().set(stored("balance"), 1)), TypeError);
  assert.deepEqual(await api.watch("balance", (tx) => tx.multi()), []);
  assert.equal(await admin.get(stored("balance")), "1083");
}

describe("watch(): optimistic transactions", () => {
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
    test(`on the multiplexer, over a dedicated connection (RESP${protocol})`, async () => {
      const redis = createClient({ url: server.url, protocol });
      try {
        await optimisticTransactions(redis, admin, (key) => key);
      } finally {
        await redis.close();
      }
    });
  }

  test("on the pool (a lease per call) and on a lease (its own connection)", async () => {
    const pool = createPool({ url: server.url, max: 2 });
    try {
      await optimisticTransactions(pool, admin, (key) => key);
      await pool.withConnection((lease) => optimisticTransactions(lease, admin, (key) => key));
      assert.equal(pool.stats().inUse, 0);
    } finally {
      await pool.close();
    }
  });

  test("with a keyPrefix, and from a worker client", async () => {
    const owner = createClient({ url: server.url, keyPrefix: "app:" });
    const { port1, port2 } = new MessageChannel();
    const handle = exposeClient(owner, port1 as unknown as Endpoint);
    const worker = wrapClient(port2 as unknown as Endpoint);
    try {
      await optimisticTransactions(owner, admin, (key) => `app:${key}`);
      await optimisticTransactions(worker, admin, (key) => `app:${key}`);
    } finally {
      await worker.close();
      await handle.close();
      await owner.close();
      port1.close();
    }
  });

  test("retries must be a whole number of at least 0", async () => {
    const redis = createClient({ url: server.url });
    try {
      await assert.rejects(redis.watch("k", (tx) => tx.multi(), { retries: -1 }), RangeError);
    } finally {
      await redis.close();
    }
  });
});
