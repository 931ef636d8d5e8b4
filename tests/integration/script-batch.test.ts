import assert from "node:assert/strict";
import { createClient, createPool, type CommandApi } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

const INCR_BY = "return redis.call('INCRBY', KEYS[1], ARGV[1])";

/** script.cmd() in a transaction and in a pipeline, each time right after the script cache was flushed. */
async function runsInBatchesAfterAFlush(api: CommandApi, key: string): Promise<void> {
  const incrBy = api.script<number>(INCR_BY);
  await api.del(key);
  await api.scriptFlush();
  assert.deepEqual(await api.multi().add(incrBy.cmd([key], [2])).get(key).exec(), [2, "2"]);
  await api.scriptFlush();
  assert.deepEqual(await api.pipeline().add(incrBy.cmd([key], [3])).add(incrBy.cmd([key], [1])).exec(), [5, 6]);
  assert.equal(await incrBy.run([key], [4]), 10);
}

describe("script.cmd() in multi() and pipeline()", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  for (const protocol of [2, 3] as const) {
    test(`runs even when the server's script cache was flushed (multiplexer, RESP${protocol})`, async () => {
      const redis = createClient({ url: server.url, protocol });
      try {
        await runsInBatchesAfterAFlush(redis, `sc${protocol}`);
      } finally {
        await redis.close();
      }
    });
  }

  test("runs even when the server's script cache was flushed (pool and lease)", async () => {
    const pool = createPool({ url: server.url, max: 2 });
    try {
      await runsInBatchesAfterAFlush(pool, "sc:pool");
      await pool.withConnection((lease) => runsInBatchesAfterAFlush(lease, "sc:lease"));
    } finally {
      await pool.close();
    }
  });
});
