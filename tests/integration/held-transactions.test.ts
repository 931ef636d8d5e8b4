import assert from "node:assert/strict";
import { createClient, TimeoutError, type RedisClient } from "../../mod.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

// A transaction waits for a connection as one piece, bounded by maxPending like any command. The
// bound counts commands still waiting: ones aborted while queued take no place, for a transaction
// as for a single command.

describe("review: a transaction held during an outage, at the edge of maxPending", () => {
  let server: RedisServer;
  let client: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    client = createClient({ url: server.url, maxPending: 4, commandTimeout: 10_000, reconnect: { initialDelay: 20, maxDelay: 50 } });
    await client.ping();
    await server.kill();
    await until(() => client.stats().state === "reconnecting", "the client to notice the outage");
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  test("commands aborted in the queue make room for a transaction that fits beside the live ones", async () => {
    const live = client.send(["ECHO", "live"]); // stays at the head of the queue
    const controller = new AbortController();
    const aborted = Promise.allSettled([client.send(["PING"], { signal: controller.signal }), client.send(["PING"], { signal: controller.signal })]);
    controller.abort();
    await aborted;
    // One live command waits: MULTI, SET and EXEC fit in the three places left.
    const tx = client.multi().set("review:held", "v").exec();
    const early = await Promise.race([tx.then(() => "settled", (err: Error) => err), new Promise((resolve) => setTimeout(resolve, 100, "waiting"))]);
    assert.equal(early, "waiting", `the transaction was refused: ${early instanceof Error ? early.message : early}`);
    await server.restart();
    assert.deepEqual(await Promise.all([live, tx]), ["live", ["OK"]]);
  }, 20_000);

  test("a transaction holding a blocking command (which cannot block inside MULTI) still times out at commandTimeout", async () => {
    await server.kill();
    const quick = createClient({ url: server.url, commandTimeout: 300, reconnect: { initialDelay: 20, maxDelay: 50 } });
    try {
      const started = Date.now();
      const outcome = await Promise.race([
        quick.multi().blpop("review:held:q", 0).exec().then(() => "resolved", (err: Error) => err),
        new Promise((resolve) => setTimeout(resolve, 3_000, "still waiting")),
      ]);
      assert.ok(outcome instanceof TimeoutError, `after ${Date.now() - started} ms: ${String(outcome)}`);
    } finally {
      await quick.close();
    }
  }, 20_000);
});
