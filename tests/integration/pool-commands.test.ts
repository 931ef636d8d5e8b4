import assert from "node:assert/strict";
import { AbortError, PoolTimeoutError, TimeoutError } from "../../src/errors.ts";
import { createPool, type Pool } from "../../src/pool/pool.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { ServerView, sleep, uniqueName, until } from "./pool-helpers.ts";

describe("pool: its own command API", () => {
  let server: RedisServer;
  let view: ServerView;
  const pools: Pool[] = [];
  const open = (options: Parameters<typeof createPool>[0] & object) => {
    const pool = createPool({ url: server.url, clientName: uniqueName("cmd"), ...options });
    pools.push(pool);
    return pool;
  };

  beforeAll(async () => {
    server = await startRedis();
    view = await ServerView.connect(server.url);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close({ timeout: 100 })));
    await view?.close();
    await server?.stop();
  });

  test("pool.set/get/send run on a free connection", async () => {
    const pool = open({ max: 2 });
    assert.equal(await pool.set("cmd:a", "1"), "OK");
    assert.equal(await pool.get("cmd:a"), "1");
    assert.equal(await pool.send(["INCR", "cmd:a"]), 2);
    assert.equal(pool.stats().leased, 0);
  });

  test("1000 concurrent pool commands pipeline onto at most max connections", async () => {
    const pool = open({ max: 3 });
    const name = pool.options.connection.clientName!;
    const replies = await Promise.all(Array.from({ length: 1000 }, () => pool.send(["INCR", "cmd:n"])));
    assert.equal(replies.length, 1000);
    assert.equal(Math.max(...(replies as number[])), 1000);
    // Sustained load: 200 callers, 20 commands each.
    await Promise.all(Array.from({ length: 200 }, async () => {
      for (let i = 0; i < 20; i++) await pool.send(["INCR", "cmd:n"]);
    }));
    assert.equal(await pool.get("cmd:n"), "5000");
    await until(() => pool.stats().connecting === 0, "connects done");
    const s = pool.stats();
    assert.ok(s.created >= 2 && s.created <= 3, `created ${s.created}: grows under load, never past max`);
    assert.ok((await view.count(name)) <= 3);
    assert.equal(s.idle, s.total, "every connection idle again once its replies are in");
  });

  test("a blocking command via pool.send takes its own connection and does not stall others", async () => {
    const pool = open({ max: 2 });
    await pool.get("cmd:warm");
    const blpop = pool.send(["BLPOP", "cmd:q", 2]);
    await sleep(20);
    assert.equal(pool.stats().leased, 1);
    const t0 = Date.now();
    for (let i = 0; i < 20; i++) await pool.get("cmd:other");
    assert.ok(Date.now() - t0 < 500, "other pool commands were not queued behind BLPOP");
    await view.send(["RPUSH", "cmd:q", "job"]);
    assert.deepEqual(await blpop, ["cmd:q", "job"]);
    assert.equal(pool.stats().leased, 0);
    assert.equal(pool.stats().total, 2, "its connection came back to the pool");
  });

  test("the typed pool.blpop() is routed like a blocking send()", async () => {
    const pool = open({ max: 2 });
    const popped = pool.blpop("cmd:typed", 2);
    await sleep(20);
    assert.equal(pool.stats().leased, 1);
    assert.equal(await pool.get("cmd:none"), null);
    await view.send(["RPUSH", "cmd:typed", "v"]);
    assert.deepEqual(await popped, ["cmd:typed", "v"]);
  });

  test("an aborted blocking pool command closes its connection instead of reusing it", async () => {
    const pool = open({ max: 1 });
    const controller = new AbortController();
    const blpop = pool.send(["BLPOP", "cmd:never", 0], { signal: controller.signal });
    const name = pool.options.connection.clientName!;
    await until(async () => (await view.clients(name)).some((c) => c.cmd === "blpop"), "BLPOP blocking on the pool's connection");
    const busyId = (await view.clients(name))[0]!.id;
    controller.abort();
    await assert.rejects(blpop, AbortError);
    assert.equal(await pool.send(["PING"]), "PONG");
    const ids = (await view.clients(name)).map((c) => c.id);
    assert.ok(!ids.includes(busyId), "the blocked connection is gone");
  });

  test("a pool command waits (FIFO) while every connection is leased, then runs", async () => {
    const pool = open({ max: 1, acquireTimeout: 2_000 });
    const lease = await pool.acquire();
    const order: string[] = [];
    const a = pool.send(["ECHO", "a"]).then((r) => order.push(String(r)));
    const b = pool.send(["ECHO", "b"]).then((r) => order.push(String(r)));
    await sleep(30);
    assert.equal(pool.stats().waiting, 2);
    await lease.release();
    await Promise.all([a, b]);
    assert.deepEqual(order, ["a", "b"]);
  });

  test("a pool command rejects with PoolTimeoutError when no connection frees up in time", async () => {
    const pool = open({ max: 1, acquireTimeout: 80 });
    const lease = await pool.acquire();
    const err = await pool.get("cmd:x").then(() => assert.fail("should time out"), (e: Error) => e);
    assert.ok(err instanceof PoolTimeoutError, String(err));
    assert.match(err.message, /1 of max 1 connections in use/);
    await lease.release();
  });

  test("a pool command whose own timeout passes while queued leaves the queue", async () => {
    const pool = open({ max: 1, acquireTimeout: 5_000 });
    const lease = await pool.acquire();
    await assert.rejects(pool.send(["PING"], { timeout: 50 }), TimeoutError);
    assert.equal(pool.stats().waiting, 0);
    await lease.release();
  });

  test("acquire() is not starved by a steady stream of pool commands", async () => {
    const pool = open({ max: 2 });
    let stop = false;
    const load = Array.from({ length: 50 }, async () => {
      while (!stop) await pool.send(["INCR", "cmd:load"]);
    });
    await sleep(30);
    const t0 = Date.now();
    const lease = await pool.acquire();
    const waited = Date.now() - t0;
    assert.equal(await lease.send(["PING"]), "PONG");
    await lease.release();
    stop = true;
    await Promise.all(load);
    assert.ok(waited < 500, `acquire waited ${waited} ms`);
  });

  test("pool.transaction() and multi() run MULTI/EXEC on a lease", async () => {
    const pool = open({ max: 2 });
    const result = await pool.multi().set("cmd:t", "1").incr("cmd:t").get("cmd:t").exec();
    assert.deepEqual(result, ["OK", 2, "2"]);
    assert.equal(pool.stats().leased, 0);
  });

  test("pool.isolated() gives WATCH/MULTI a connection of its own", async () => {
    const pool = open({ max: 2 });
    await pool.set("cmd:w", "1");
    const result = await pool.isolated(async (conn) => {
      await conn.send(["WATCH", "cmd:w"]);
      await view.send(["SET", "cmd:w", "2"]);
      return conn.multi().set("cmd:w", "3").exec();
    });
    assert.equal(result, null, "EXEC aborted because the watched key changed");
    assert.equal(await pool.get("cmd:w"), "2");
  });

  test("a connection killed under pool commands is replaced and later commands succeed", async () => {
    const pool = open({ max: 2 });
    await pool.get("cmd:warm");
    await view.kill(pool.options.connection.clientName!);
    await until(async () => (await pool.send(["PING"]).catch(() => "failed")) === "PONG", "recovery");
    const replies = await Promise.all(Array.from({ length: 100 }, () => pool.send(["PING"])));
    assert.ok(replies.every((r) => r === "PONG"));
  });
});
