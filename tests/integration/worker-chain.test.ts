import assert from "node:assert/strict";
import { ClosedError, ConnectionError, createClient, RedisError, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint, type OwnerHandle, type WorkerClient } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

// Ports of MessageChannels in one thread stand in for threads: the protocol is the same.
const endpoint = (port: MessagePort) => port as unknown as Endpoint;

describe("worker clients passed on (owner → worker → worker)", () => {
  let server: RedisServer;
  let client: RedisClient;
  let first: OwnerHandle;
  let second: OwnerHandle;
  let middle: WorkerClient;
  let last: WorkerClient;
  const channels: MessageChannel[] = [];
  beforeAll(async () => {
    server = await startRedis();
    client = createClient(server.url);
    const a = new MessageChannel();
    const b = new MessageChannel();
    channels.push(a, b);
    first = exposeClient(client, endpoint(a.port1));
    middle = wrapClient(endpoint(a.port2));
    second = exposeClient(middle, endpoint(b.port1)); // the middle worker shares its own worker client
    last = wrapClient(endpoint(b.port2));
  });
  afterAll(async () => {
    await last?.close();
    await second?.close();
    await middle?.close();
    await first?.close();
    await client?.close();
    await server?.stop();
    for (const c of channels) {
      c.port1.close();
      c.port2.close();
    }
  });

  test("commands, errors and transactions cross two hops", async () => {
    assert.equal(await last.set("chain:k", "v"), "OK");
    assert.equal(await last.get("chain:k"), "v");
    const err = await last.lpush("chain:k", "x").catch((e: unknown) => e);
    assert.ok(err instanceof RedisError && err.code === "WRONGTYPE");
    assert.deepEqual(await last.multi().set("chain:n", "1").incr("chain:n").exec(), ["OK", 2]);
    assert.equal(last.commandTimeout, client.options.connection.commandTimeout);
  });

  test("isolated() holds one connection through both hops", async () => {
    await client.set("chain:watched", "5");
    const result = await last.isolated(async (c) => {
      await c.send(["WATCH", "chain:watched"]);
      const n = Number(await c.get("chain:watched"));
      return c.multi().set("chain:watched", String(n * 2)).exec();
    });
    assert.deepEqual(result, ["OK"]);
    assert.equal(await client.get("chain:watched"), "10");
  });

  test("subscriptions deliver through both hops", async () => {
    const got: string[] = [];
    const stop = await last.subscribe("chain:news", (message) => got.push(String(message)));
    await client.send(["PUBLISH", "chain:news", "hi"]);
    await until(() => got.length === 1, "the message");
    await stop();
    assert.deepEqual(got, ["hi"]);
    await until(() => client.stats().subscriptions === 0, "the owner to unsubscribe");
  });

  test("a port from the middle worker's createPort() reaches the first owner directly", async () => {
    const port = await middle.createPort();
    const direct = wrapClient(endpoint(port));
    try {
      assert.equal(await direct.incr("chain:direct"), 1);
      assert.equal(first.connections, 2); // the middle worker and this one; the last goes through the middle
    } finally {
      await direct.close();
      port.close();
    }
  });

  test("closing the middle owner rejects the last worker's call it had taken with ConnectionError (it may have run)", async () => {
    const blocked = async () => Number(/blocked_clients:(\d+)/.exec(String(await client.send(["INFO", "clients"])))?.[1]);
    const pending = last.blpop("chain:never", 0);
    await until(async () => (await blocked()) === 1, "the pop to block in the server");
    await second.close({ timeout: 100 }); // BLPOP 0 would never finish
    await assert.rejects(pending, (err: Error) => err instanceof ConnectionError && !(err instanceof ClosedError) && /it may have run/.test(err.message));
    assert.equal(last.state, "closed");
    // The middle worker aborted its forwarded BLPOP, so the first owner stopped it too.
    await until(async () => (await blocked()) === 0, "the server-side pop to end");
  });
});
