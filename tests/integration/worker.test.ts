import assert from "node:assert/strict";
import { createClient, createPool, type Pool, type RedisClient } from "../../mod.ts";
import { exposeClient, type OwnerHandle } from "../../worker.ts";
import { connectTestClient, type TestClient } from "../harness/client.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";
import { spawnWorker, type ErrorReport, type TestWorker } from "./worker-fixtures/spawn.ts";

/** Connections the server sees with this client name. */
async function connectionsNamed(admin: TestClient, name: string): Promise<number> {
  const list = String(await admin.send(["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
}

describe("worker clients", () => {
  let server: RedisServer;
  let admin: TestClient;
  let client: RedisClient;
  let agent: TestWorker;
  let owner: OwnerHandle;
  beforeAll(async () => {
    server = await startRedis();
    admin = await connectTestClient(server.url);
    client = createClient({ url: server.url, clientName: "worker-test-mux" });
    agent = await spawnWorker("agent.ts");
    owner = exposeClient(client, agent.endpoint);
  }, 60_000);
  afterAll(async () => {
    await agent?.call("close").catch(() => {});
    await agent?.terminate();
    await owner?.close();
    await client?.close();
    await admin?.close();
    await server?.stop();
  });

  test("four workers sharing one pool count exactly, over no more connections than max", async () => {
    const pool: Pool = createPool({ url: server.url, max: 3, clientName: "worker-test-pool" });
    const workers = await Promise.all([1, 2, 3, 4].map(() => spawnWorker("agent.ts")));
    const owners = workers.map((w) => exposeClient(pool, w.endpoint));
    try {
      const done = Promise.all(workers.map((w) => w.call("incr", ["worker:count", 500, 50])));
      let most = 0;
      while ((await Promise.race([done.then(() => true), new Promise((r) => setTimeout(r, 20, false))])) === false) {
        most = Math.max(most, await connectionsNamed(admin, "worker-test-pool"));
      }
      assert.deepEqual(await done, [500, 500, 500, 500]);
      assert.equal(await admin.send(["GET", "worker:count"]), "2000");
      assert.ok(most >= 1 && most <= 3, `the server saw ${most} pool connections`);
      assert.ok((await connectionsNamed(admin, "worker-test-pool")) <= 3);
    } finally {
      await Promise.all(workers.map((w) => w.call("close")));
      await Promise.all(workers.map((w) => w.terminate()));
      await Promise.all(owners.map((o) => o.close()));
      await pool.close();
    }
  }, 60_000);

  test("typed commands reply as on a client of its own, bytes included", async () => {
    const r = (await agent.call("typed", ["worker:typed"])) as Record<string, unknown>;
    assert.equal(r.set, "OK");
    assert.equal(r.get, "v");
    assert.equal(r.missing, null);
    assert.equal(r.hset, 2);
    assert.deepEqual(r.hgetall, { a: "1", b: "2" });
    assert.equal(r.exists, 1);
    assert.deepEqual(r.bytes, new Uint8Array([118]));
    assert.equal(r.send, "hi");
  });

  test("multi() runs as one transaction and pipeline() settles each entry", async () => {
    assert.deepEqual(await agent.call("multi", ["worker:multi"]), ["OK", 2, "2"]);
    const [set, get, wrong] = (await agent.call("pipeline", ["worker:pipe"])) as [unknown, unknown, ErrorReport];
    assert.deepEqual([set, get], ["OK", "x"]);
    assert.equal(wrong.code, "WRONGTYPE");
    assert.ok(wrong.is.RedisError, "a pipeline entry that failed is a RedisError in the worker");
  });

  test("an error reply inside EXEC results arrives as a RedisError entry", async () => {
    const [set, wrong, get] = (await agent.call("multiWithError", ["worker:multi-err"])) as [unknown, ErrorReport, unknown];
    assert.equal(set, "OK");
    assert.equal(wrong.code, "WRONGTYPE");
    assert.ok(wrong.is.RedisError);
    assert.equal(get, "x");
  });

  test("isolated() holds one connection for WATCH ... EXEC", async () => {
    await admin.send(["SET", "worker:watched", "10"]);
    assert.deepEqual(await agent.call("watch", ["worker:watched"]), ["OK"]);
    assert.equal(await admin.send(["GET", "worker:watched"]), "11");
  });

  test("a blocking pop from a worker gets the value pushed meanwhile", async () => {
    const popped = agent.call("blpop", ["worker:queue", 5]);
    await until(async () => /blocked_clients:1\r?\n/.test(String(await admin.send(["INFO", "clients"]))), "the pop to block");
    await admin.send(["LPUSH", "worker:queue", "job"]);
    assert.deepEqual(await popped, ["worker:queue", "job"]);
  });

  test("a server error arrives as RedisError with its code", async () => {
    await admin.send(["SET", "worker:string", "x"]);
    const err = (await agent.call("start", ["lpush", ["LPUSH", "worker:string", "y"]]).then(() => agent.call("outcome", ["lpush"]))) as { error: ErrorReport };
    assert.equal(err.error.code, "WRONGTYPE");
    assert.equal(err.error.name, "RedisError");
    assert.ok(err.error.is.RedisError && err.error.is.ResplexError);
    assert.deepEqual(await agent.call("hooked", [1]), ["LPUSH:WRONGTYPE"], "the worker's command hook saw the failure");
  });

  test("a per-command timeout rejects with TimeoutError, an abort with AbortError, and both free the owner's connection", async () => {
    const timedOut = (await agent.call("timeout", ["worker:never", 200]).catch((e) => e)) as ErrorReport;
    assert.ok(timedOut.is.TimeoutError, `got ${timedOut.name}: ${timedOut.message}`);
    assert.equal(timedOut.code, "RESPLEX_TIMEOUT");
    const aborted = (await agent.call("abortAfter", ["worker:never", 100]).catch((e) => e)) as ErrorReport;
    assert.ok(aborted.is.AbortError, `got ${aborted.name}: ${aborted.message}`);
    await until(() => client.stats().dedicatedConnections === 0, "the blocked connections to close");
  });

  test("an invalid argument rejects with TypeError in the worker", async () => {
    const err = (await agent.call("badArgument").catch((e) => e)) as ErrorReport;
    assert.ok(err.is.TypeError, `got ${err.name}`);
  });

  test("subscribe() and psubscribe() deliver messages; unsubscribing stops them", async () => {
    await agent.call("subscribe", ["subscribe", "worker:news"]);
    await agent.call("subscribe", ["psubscribe", "worker:p:*"]);
    await admin.send(["PUBLISH", "worker:news", "hello"]);
    await admin.send(["PUBLISH", "worker:p:1", "there"]);
    const got = (await agent.call("received", [2])) as Array<Record<string, unknown>>;
    assert.deepEqual(
      got.sort((a, b) => String(a.channel).localeCompare(String(b.channel))),
      [
        { message: "hello", channel: "worker:news", pattern: undefined },
        { message: "there", channel: "worker:p:1", pattern: "worker:p:*" },
      ],
    );
    await agent.call("unsubscribeAll");
    assert.equal(client.stats().subscriptions, 0);
  });

  test("a port from createPort() serves a second client to the same owner", async () => {
    const port = owner.createPort();
    assert.equal(await agent.call("viaPort", [port, "worker:via-port"], [port]), 1);
  });

  test("a pool has no subscribe(): a worker's subscribe rejects with TypeError", async () => {
    const pool = createPool({ url: server.url, max: 1 });
    const other = await spawnWorker("agent.ts");
    const shared = exposeClient(pool, other.endpoint);
    try {
      const err = (await other.call("subscribe", ["subscribe", "x"]).catch((e) => e)) as ErrorReport;
      assert.ok(err.is.TypeError, `got ${err.name}: ${err.message}`);
    } finally {
      await other.terminate();
      await shared.close();
      await pool.close();
    }
  }, 60_000);
});
