import assert from "node:assert/strict";
import { AbortError, createClient, createPool, type Pool, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep } from "../harness/wait.ts";

// A signal that is already aborted means "do not send this": the call rejects with AbortError and
// nothing reaches Redis, whichever surface it goes through. (A transaction was written anyway, as
// was a worker's command: the caller saw AbortError while its INCR ran.)

function aborted(): AbortSignal {
  const controller = new AbortController();
  controller.abort();
  return controller.signal;
}

describe("review: a call whose signal is already aborted sends nothing", () => {
  let server: RedisServer;
  let redis: RedisClient;
  let pool: Pool;
  beforeAll(async () => {
    server = await startRedis();
    redis = createClient({ url: server.url });
    pool = createPool({ url: server.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    await redis?.close();
    await server?.stop();
  });

  test("multi() on the multiplexer", async () => {
    await redis.get("warm-up");
    await assert.rejects(redis.with({ signal: aborted() }).multi().incr("review:abort:mux").exec(), AbortError);
    await sleep(50);
    assert.equal(await redis.get("review:abort:mux"), null);
  });

  test("transaction() on a lease", async () => {
    await pool.withConnection(async (lease) => {
      await assert.rejects(lease.transaction([{ args: ["INCR", "review:abort:lease"] }], { signal: aborted() }), AbortError);
      assert.equal(await lease.get("review:abort:lease"), null);
    });
  });

  test("send() and multi() from a worker client", async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = exposeClient(redis, port1 as unknown as Endpoint);
    const worker = wrapClient(port2 as unknown as Endpoint);
    try {
      await worker.get("warm-up");
      await assert.rejects(worker.with({ signal: aborted() }).incr("review:abort:worker"), AbortError);
      await assert.rejects(worker.with({ signal: aborted() }).multi().incr("review:abort:worker").exec(), AbortError);
      await sleep(50);
      assert.equal(await redis.get("review:abort:worker"), null);
    } finally {
      await worker.close();
      await owner.close();
      port1.close();
    }
  });
});
