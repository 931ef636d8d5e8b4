import assert from "node:assert/strict";
import { createClient, LimitError, TimeoutError, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";

// During an outage, commands wait in the offline queue, bounded by maxPending. One that timed out
// or was aborted there is settled: it must not go on taking a place, or after maxPending such
// commands every new one is refused at once with a LimitError that has nothing to do with the load.

const MAX_PENDING = 4;
const options = { maxPending: MAX_PENDING, commandTimeout: 150, reconnect: { initialDelay: 20, maxDelay: 50 } };

/** Each outcome's error class name, or "ok". */
const kinds = (outcomes: PromiseSettledResult<unknown>[]) => outcomes.map((o) => (o.status === "fulfilled" ? "ok" : (o.reason as Error).name));

describe("the offline queue lets go of commands that settled while they waited", () => {
  let server: RedisServer;
  let client: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    client = createClient({ url: server.url, ...options });
    await client.ping();
    await server.kill();
    await until(() => client.stats().state === "reconnecting", "the client to notice the outage");
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  test("round after round of maxPending commands, spread over time, each times out: none is refused with LimitError", async () => {
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.allSettled(Array.from({ length: MAX_PENDING }, (_, i) => client.send(["ECHO", `${round}:${i}`])));
      assert.deepEqual(kinds(outcomes), Array(MAX_PENDING).fill("TimeoutError"), `round ${round}`);
      await sleep(20);
    }
    assert.equal(client.stats().pending, 0, "timed-out commands are not counted as waiting");
  });

  test("aborted commands, and timed-out ones queued behind a command with a longer timeout, make room too", async () => {
    const long = client.send(["ECHO", "long"], { timeout: 10_000 }); // stays at the head of the queue
    const controller = new AbortController();
    const aborted = Promise.allSettled([client.send(["PING"], { signal: controller.signal }), client.send(["PING"], { signal: controller.signal })]);
    const expiring = client.send(["ECHO", "short"]).catch((err: Error) => err);
    controller.abort();
    assert.deepEqual(kinds(await aborted), ["AbortError", "AbortError"]);
    assert.ok((await expiring) instanceof TimeoutError);
    // One place is taken (by `long`): the rest is free again.
    const next = Array.from({ length: MAX_PENDING - 1 }, (_, i) => client.send(["ECHO", `next:${i}`], { timeout: 10_000 }));
    const refused = await client.send(["PING"], { timeout: 10_000 }).catch((err: Error) => err);
    assert.ok(refused instanceof LimitError, "a full queue of live commands still refuses");
    await server.restart();
    assert.deepEqual(await Promise.all([long, ...next]), ["long", "next:0", "next:1", "next:2"]);
  }, 20_000);
});

describe("the offline queue of a client shared with a worker lets go of the worker's timed-out commands", () => {
  test("a worker's raw commands that timed out during an outage do not fill maxPending", async () => {
    const server = await startRedis();
    const client = createClient({ url: server.url, ...options });
    const { port1, port2 } = new MessageChannel();
    const owner = exposeClient(client, port1 as unknown as Endpoint);
    const worker = wrapClient(port2 as unknown as Endpoint);
    try {
      await worker.ping();
      await server.kill();
      await until(() => client.stats().state === "reconnecting", "the owner to notice the outage");
      for (let round = 0; round < 3; round++) {
        const outcomes = await Promise.allSettled(Array.from({ length: MAX_PENDING }, (_, i) => worker.send(["ECHO", `${round}:${i}`])));
        assert.deepEqual(kinds(outcomes), Array(MAX_PENDING).fill("TimeoutError"), `round ${round}`);
        await sleep(20);
      }
      await server.restart();
      await until(() => client.stats().state === "ready", "reconnect");
      assert.equal(await worker.send(["ECHO", "after"]), "after");
    } finally {
      await worker.close();
      await owner.close();
      await client.close();
      port1.close();
      await server.stop();
    }
  }, 20_000);
});
