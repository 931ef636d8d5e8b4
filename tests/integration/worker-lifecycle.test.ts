import assert from "node:assert/strict";
import { ConnectionError, createClient, createPool, type Pool, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";
import { runtime, spawnWorker, type ErrorReport } from "./worker-fixtures/spawn.ts";

/** Nothing leased or busy, nobody waiting. */
function idle(pool: Pool): boolean {
  const s = pool.stats();
  return s.inUse === 0 && s.leased === 0 && s.waiting === 0;
}

describe("worker client lifecycle", () => {
  let server: RedisServer;
  let pool: Pool;
  let client: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    pool = createPool({ url: server.url, max: 2 });
    client = createClient(server.url);
  });
  afterAll(async () => {
    await pool?.close();
    await client?.close();
    await server?.stop();
  });

  test("a worker terminated while inside isolated() gives its connection back", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(pool, worker.endpoint);
    try {
      assert.equal(await worker.call("holdIsolated"), "inside");
      assert.equal(pool.stats().leased, 1);
      await worker.terminate();
      await until(() => idle(pool), "the lease to come back");
      assert.equal(owner.connections, 0);
    } finally {
      await owner.close();
    }
  }, 60_000);

  test("a worker terminated during BLPOP 0 gives its connection back", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(pool, worker.endpoint);
    try {
      await worker.call("start", ["pop", ["BLPOP", "lifecycle:never", "0"]]);
      await until(() => pool.stats().inUse === 1, "the pop to take a connection");
      await worker.terminate();
      await until(() => idle(pool), "the connection to come back");
      assert.ok(pool.stats().total <= 2);
    } finally {
      await owner.close();
    }
  }, 60_000);

  test("closing the owner lets a worker's commands in flight finish and refuses new ones with ClosedError (not run)", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(pool, worker.endpoint);
    try {
      await worker.call("start", ["pop", ["BLPOP", "lifecycle:drain", "5"]]);
      await until(() => pool.stats().inUse === 1, "the pop to take a connection");
      const closing = owner.close();
      await worker.call("start", ["late", ["INCR", "lifecycle:late"]]);
      const { error } = (await worker.call("outcome", ["late"])) as { error: ErrorReport };
      assert.ok(error.is.ClosedError, `got ${error.name}: ${error.message}`);
      assert.match(error.message, /^INCR not run: the owner is closing/);
      assert.equal(await client.get("lifecycle:late"), null);
      await client.rpush("lifecycle:drain", "job");
      await closing;
      assert.deepEqual(await worker.call("outcome", ["pop"]), { value: ["lifecycle:drain", "job"] });
      assert.equal(await worker.call("state"), "closed");
    } finally {
      await worker.terminate();
    }
  }, 60_000);

  test("a worker keeps hearing from a closing owner: a drain longer than heartbeatTimeout still delivers", async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = exposeClient(client, port1 as unknown as Endpoint, { heartbeatInterval: 100, heartbeatTimeout: 500 });
    const worker = wrapClient(port2 as unknown as Endpoint);
    try {
      await worker.get("lifecycle:warm");
      const pop = worker.blpop("lifecycle:slow-drain", 0);
      await sleep(50);
      const closing = owner.close({ timeout: 3_000 });
      await sleep(1_200);
      await client.rpush("lifecycle:slow-drain", "job");
      assert.deepEqual(await pop, ["lifecycle:slow-drain", "job"]);
      await closing;
    } finally {
      await worker.close();
      port1.close();
    }
  }, 30_000);

  test("closing the owner rejects a worker's call it had taken with ConnectionError (it may have run: ClosedError says never sent) and frees what it held", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(pool, worker.endpoint);
    try {
      await worker.call("start", ["pop", ["BLPOP", "lifecycle:never", "0"]]);
      await until(() => pool.stats().inUse === 1, "the pop to take a connection");
      await owner.close({ timeout: 100 }); // BLPOP 0 would never finish
      const { error } = (await worker.call("outcome", ["pop"])) as { error: ErrorReport };
      assert.ok(error.is.ConnectionError && !error.is.ClosedError, `got ${error.name}: ${error.message}`);
      assert.match(error.message, /^BLPOP did not complete: .*it may have run/);
      await until(() => idle(pool), "the connection to come back");
      assert.equal(await worker.call("state"), "closed");
    } finally {
      await worker.terminate();
    }
  }, 60_000);

  test("a worker that closes its client gives back its subscriptions and isolated connection", async () => {
    const worker = await spawnWorker("agent.ts");
    const fromClient = exposeClient(client, worker.endpoint);
    const channel = new MessageChannel(); // a second owner, of the pool, reached through a port
    const fromPool = exposeClient(pool, channel.port1 as unknown as Endpoint);
    try {
      await worker.call("subscribe", ["subscribe", "lifecycle:news"]);
      assert.equal(client.stats().subscriptions, 1);
      await worker.call("close");
      await until(() => client.stats().subscriptions === 0, "the subscription to end");
      await until(() => fromClient.connections === 0, "the session to end");
      await worker.call("usePort", [channel.port2], [channel.port2]);
      assert.equal(await worker.call("holdIsolated"), "inside");
      assert.equal(pool.stats().leased, 1);
      await worker.call("close");
      await until(() => idle(pool), "the lease to come back");
    } finally {
      await worker.terminate();
      await fromClient.close();
      await fromPool.close();
      channel.port1.close();
    }
  }, 60_000);

  test("a worker that stops answering pings is given up and what it held is released", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(pool, worker.endpoint, { heartbeatInterval: 50, heartbeatTimeout: 300 });
    try {
      assert.equal(await worker.call("holdIsolated"), "inside");
      const spinning = worker.call("spin", [1_500]);
      await until(() => idle(pool), "the lease to come back", 1_400);
      await spinning;
      // The owner told it, on the session port: it reads that once it listens again.
      await until(async () => (await worker.call("state")) === "closed", "the worker to learn its client was closed");
    } finally {
      await worker.terminate();
      await owner.close();
    }
  }, 60_000);

  test("calls to an endpoint nobody serves reject with ConnectionError after connectTimeout", async () => {
    const { port1, port2 } = new MessageChannel();
    const redis = wrapClient(port2 as unknown as Endpoint, { connectTimeout: 200 });
    try {
      const started = Date.now();
      await assert.rejects(redis.get("k"), ConnectionError);
      assert.ok(Date.now() - started < 2_000);
      assert.equal(redis.state, "closed");
    } finally {
      await redis.close();
      port1.close();
    }
  });

  test("a worker that wrapped its client before the owner called exposeClient connects once it does, within connectTimeout", async () => {
    const worker = await spawnWorker("agent.ts");
    let owner: ReturnType<typeof exposeClient> | undefined;
    try {
      await worker.call("wrap", [{ connectTimeout: 6_000 }]);
      await worker.call("start", ["ping", ["PING"]]); // its connect request is already on its way, and lost
      await sleep(1_500);
      owner = exposeClient(pool, worker.endpoint);
      assert.deepEqual(await worker.call("outcome", ["ping"]), { value: "PONG" });
      assert.equal(await worker.call("state"), "open");
      const served = owner;
      await until(() => served.connections === 1, "connect requests answered twice to be closed");
    } finally {
      await worker.terminate();
      await owner?.close();
    }
  }, 60_000);

  test("ready rejects with ConnectionError after connectTimeout when no owner answers, with no command issued", async () => {
    const { port1, port2 } = new MessageChannel();
    const redis = wrapClient(port2 as unknown as Endpoint, { connectTimeout: 200 });
    try {
      const outcome = await Promise.race([redis.ready.then(() => "resolved", (err: unknown) => err), sleep(3_000).then(() => "still pending after 3 s")]);
      assert.ok(outcome instanceof ConnectionError, `ready: ${String(outcome)}`);
      assert.equal(redis.state, "closed");
    } finally {
      await redis.close();
      port1.close();
    }
  });

  test("a worker whose event loop was busy past the heartbeat timeout keeps its client: the owner's reply was waiting in the port", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(client, worker.endpoint, { heartbeatInterval: 250, heartbeatTimeout: 500 });
    try {
      await worker.call("start", ["ping", ["PING"]]);
      assert.deepEqual(await worker.call("outcome", ["ping"]), { value: "PONG" });
      assert.equal(await worker.call("busyWhileReplying", ["echo", ["ECHO", "still here"], 1_500]), "spun");
      assert.deepEqual(await worker.call("outcome", ["echo"]), { value: "still here" });
      assert.equal(await worker.call("state"), "open");
      await worker.call("start", ["after", ["ECHO", "after"]]);
      assert.deepEqual(await worker.call("outcome", ["after"]), { value: "after" });
    } finally {
      await worker.terminate();
      await owner.close();
    }
  }, 60_000);

  test("an owner whose event loop was busy past the heartbeat timeout keeps its workers' sessions", async () => {
    const worker = await spawnWorker("agent.ts");
    const owner = exposeClient(pool, worker.endpoint, { heartbeatInterval: 50, heartbeatTimeout: 300 });
    try {
      assert.equal(await worker.call("holdIsolated"), "inside");
      const end = Date.now() + 1_000;
      while (Date.now() < end); // the owner's thread is busy; the worker answered every ping it got
      await sleep(600); // a few heartbeats: the worker answers the pings sent now
      assert.equal(pool.stats().leased, 1);
      assert.equal(owner.connections, 1);
      assert.equal(await worker.call("state"), "open");
    } finally {
      await worker.terminate();
      await owner.close();
      await until(() => idle(pool), "the lease to come back");
    }
  }, 60_000);

  test("ports from createPort() are let go once the clients that came through them closed", async () => {
    const { port1, port2 } = new MessageChannel();
    const owner = exposeClient(client, port1 as unknown as Endpoint);
    try {
      for (let i = 0; i < 20; i++) {
        const redis = wrapClient(owner.createPort() as unknown as Endpoint);
        assert.equal(await redis.ping(), "PONG");
        await redis.close();
      }
      await until(() => owner.ports === 0 && owner.connections === 0, `the ports to be let go (${owner.ports} left)`);
    } finally {
      await owner.close();
      port2.close();
    }
  });

  // Deno's MessagePort has no close event: there a port nobody used is let go by owner.close() alone.
  if (runtime !== "deno") {
    test("ports from createPort() are let go once their other end closed", async () => {
      const { port1, port2 } = new MessageChannel();
      const owner = exposeClient(client, port1 as unknown as Endpoint);
      try {
        for (let i = 0; i < 20; i++) owner.createPort().close();
        await until(() => owner.ports === 0, `the ports to be let go (${owner.ports} left)`);
      } finally {
        await owner.close();
        port2.close();
      }
    });
  }
});
