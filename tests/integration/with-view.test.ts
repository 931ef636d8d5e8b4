import assert from "node:assert/strict";
import { createClient, createPool, type CommandApi } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

/** Everything a view made by with() offers works, not only single commands. */
async function viewWorks(api: CommandApi, prefix: string): Promise<void> {
  const view = api.with({ timeout: 2_000 });
  await view.set(`${prefix}a`, "1");
  assert.deepEqual(await view.multi().incr(`${prefix}a`).get(`${prefix}a`).exec(), [2, "2"]);
  assert.deepEqual(await view.pipeline().incr(`${prefix}a`).exec(), [3]);
  const keys: string[] = [];
  for await (const key of view.scanIterator({ match: `${prefix}*` })) keys.push(key);
  assert.deepEqual(keys, [`${prefix}a`]);
  assert.equal(await view.isolated((c) => c.get(`${prefix}a`)), "3");
  assert.deepEqual(await view.watch(`${prefix}a`, (tx) => tx.multi().get(`${prefix}a`)), ["3"]);
}

describe("with() views", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  test("a client's view runs transactions, pipelines, scans and isolated work", async () => {
    const redis = createClient({ url: server.url });
    try {
      await viewWorks(redis, "client:");
    } finally {
      await redis.close();
    }
  });

  test("a pool's and a lease's views do too", async () => {
    const pool = createPool({ url: server.url, max: 2 });
    try {
      await viewWorks(pool, "pool:");
      await pool.withConnection((lease) => viewWorks(lease, "lease:"));
    } finally {
      await pool.close();
    }
  });
});
