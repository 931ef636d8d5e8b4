import assert from "node:assert/strict";
import { ClosedError, ConnectionError, PoolTimeoutError, TimeoutError } from "../../src/errors.ts";
import { createPool, type Pool } from "../../src/pool/pool.ts";
import type { Connector } from "../../src/transport/types.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { ServerView, hangingConnector, sleep, uniqueName, until } from "./pool-helpers.ts";

describe("pool: lost servers and close()", () => {
  let server: RedisServer;
  let view: ServerView;
  const pools: Pool[] = [];
  const open = (options: Parameters<typeof createPool>[0] & object) => {
    const pool = createPool({ url: server.url, clientName: uniqueName("fail"), ...options });
    pools.push(pool);
    return pool;
  };
  const nameOf = (pool: Pool) => pool.options.connection.clientName!;
  /** The server lists none of the pool's connections (it drops a socket as soon as it reads the close: allow it a moment). */
  const gone = (pool: Pool) => until(async () => (await view.count(nameOf(pool))) === 0, "server to drop the pool's connections", 1_000);

  beforeAll(async () => {
    server = await startRedis();
    view = await ServerView.connect(server.url);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close({ timeout: 100 })));
    await view?.close();
    await server?.stop();
  });

  test("server killed with leases out: lease commands reject with ConnectionError; after restart the pool recovers within max", async () => {
    const pool = open({ max: 3, min: 1, reconnect: { initialDelay: 20, maxDelay: 100 } });
    const errors: Error[] = [];
    pool.on("error", (err) => errors.push(err));
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    // Settled while the server dies: capture the outcome now so the rejection is never unhandled.
    const pending = leases[0]!.send(["BLPOP", "fail:q", 0]).then(() => undefined, (e: unknown) => e);
    await sleep(20);
    await view.close();
    await server.kill();
    assert.ok((await pending) instanceof ConnectionError);
    for (const lease of leases) await assert.rejects(lease.send(["PING"]), ConnectionError);
    await assert.rejects(pool.send(["PING"]), ConnectionError); // nothing open, the server refuses: fail fast
    await Promise.all(leases.map((l) => l.release()));
    await sleep(150);
    assert.ok(errors.length >= 1, "refill failures are reported through 'error'");
    await server.restart();
    view = await ServerView.connect(server.url);
    await until(async () => (await pool.send(["PING"]).catch(() => "down")) === "PONG", "recovery", 5_000);
    const again = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire()]);
    assert.equal(new Set(again.map((l) => l.clientId)).size, 3);
    assert.ok((await view.count(nameOf(pool))) <= 3);
    assert.ok(pool.stats().total <= 3);
    await Promise.all(again.map((l) => l.release()));
    await pool.close();
  });

  test("a server restart under load settles every caller and the pool stays within max", async () => {
    const pool = open({ max: 4, acquireTimeout: 3_000, reconnect: { initialDelay: 20, maxDelay: 100 } });
    pool.on("error", () => {});
    let stop = false;
    let ok = 0;
    let failed = 0;
    const unexpected: unknown[] = [];
    const expected = [ConnectionError, ClosedError, TimeoutError, PoolTimeoutError];
    const workers = Array.from({ length: 40 }, async (_, i) => {
      while (!stop) {
        try {
          if (i % 4 === 0) await pool.withConnection((lease) => lease.send(["INCR", "fail:chaos"]));
          else await pool.send(["INCR", "fail:chaos"]);
          ok++;
        } catch (err) {
          failed++;
          if (!expected.some((type) => err instanceof type)) unexpected.push(err);
          await sleep(5);
        }
      }
    });
    await sleep(100);
    let peak = 0;
    await view.close();
    await server.kill();
    await sleep(150);
    await server.restart();
    view = await ServerView.connect(server.url);
    for (let i = 0; i < 20; i++) {
      peak = Math.max(peak, await view.count(nameOf(pool)), pool.stats().total);
      await sleep(10);
    }
    const okBefore = ok;
    await until(() => ok > okBefore + 100, "commands succeed again");
    stop = true;
    await Promise.all(workers); // every caller settled: nothing was stranded by the restart
    assert.ok(peak <= 4, `peak ${peak} > max 4`);
    assert.ok(failed > 0, "callers saw the outage");
    assert.deepEqual(unexpected, []);
    assert.equal(pool.stats().waiting, 0);
  });

  test("while the server is down, refilling min backs off instead of spinning", async () => {
    const pool = open({ min: 2, max: 2, reconnect: { initialDelay: 50, maxDelay: 200 } });
    await until(() => pool.stats().idle === 2, "2 warm");
    let failures = 0;
    pool.on("error", () => failures++);
    await view.close();
    await server.kill();
    await sleep(600);
    assert.ok(failures >= 2, `${failures} attempts`);
    assert.ok(failures <= 12, `${failures} attempts in 600 ms is a hot loop`);
    await server.restart();
    view = await ServerView.connect(server.url);
    await until(async () => (await view.count(nameOf(pool))) === 2, "refilled to min after restart", 5_000);
    await pool.close();
  });

  test("close() waits for a lease released in time, then closes every connection", async () => {
    const pool = open({ max: 3, min: 2 });
    await until(() => pool.stats().idle === 2, "2 warm");
    const lease = await pool.acquire();
    const releasing = sleep(50).then(() => lease.release());
    const t0 = Date.now();
    await pool.close({ timeout: 2_000 });
    await releasing;
    assert.ok(Date.now() - t0 < 1_000);
    await gone(pool); // CLIENT LIST shows none of the pool's connections
    assert.equal(pool.stats().total, 0);
  });

  test("close() with a lease still out destroys it after the timeout", async () => {
    const pool = open({ max: 2 });
    const lease = await pool.acquire();
    const t0 = Date.now();
    await pool.close({ timeout: 100 });
    assert.ok(Date.now() - t0 >= 90);
    await assert.rejects(lease.send(["PING"]), (e: Error) => e instanceof ClosedError && /still leased/.test(e.message));
    await lease.release(); // late release is harmless
    await gone(pool);
  });

  test("close() rejects queued waiters with ClosedError", async () => {
    const pool = open({ max: 1, acquireTimeout: 5_000 });
    const lease = await pool.acquire();
    const waiter = pool.acquire().catch((e: unknown) => e);
    const command = pool.get("fail:k").catch((e: unknown) => e);
    await sleep(10);
    const closing = pool.close({ timeout: 100 });
    assert.ok((await waiter) instanceof ClosedError);
    assert.ok((await command) instanceof ClosedError);
    await lease.release();
    await closing;
  });

  test("close() during a connect aborts it and does not hang", async () => {
    const hanging = hangingConnector();
    const pool = open({ max: 2, connector: hanging.connector, connectTimeout: 10_000 });
    const waiter = pool.get("fail:k").catch((e: unknown) => e);
    await until(() => hanging.attempts === 1, "connect started");
    const t0 = Date.now();
    await pool.close({ timeout: 1_000 });
    assert.ok(Date.now() - t0 < 500, "not held up by the stuck connect");
    assert.ok((await waiter) instanceof ClosedError);
    assert.equal(pool.stats().total, 0);
  });

  test("close() does not hang when a scale-up connect fails while leases are out (node-redis #3398)", async () => {
    let calls = 0;
    const real = (await import("../../src/transport/auto.ts")).defaultConnector;
    // The first connection opens; every later one fails after a delay, like a server at maxclients.
    const flaky: Connector = async (options) => {
      if (calls++ === 0) return (await real())(options);
      await sleep(50);
      throw new ConnectionError("connection refused (test)");
    };
    const pool = open({ max: 2, connector: flaky, acquireTimeout: 2_000 });
    pool.on("error", () => {});
    const lease = await pool.acquire();
    const waiter = pool.acquire().catch((e: Error) => e);
    await sleep(10);
    const closing = pool.close({ timeout: 300 });
    await sleep(100); // the scale-up connect fails while close() is draining
    await lease.release();
    await closing;
    assert.ok((await waiter) instanceof ClosedError);
    await gone(pool);
  });

  test("a stuck connect is bounded by connectTimeout and the waiter learns why", async () => {
    const hanging = hangingConnector();
    const pool = open({ max: 1, connector: hanging.connector, connectTimeout: 100, reconnect: false });
    const err = await pool.get("fail:k").then(() => assert.fail("should fail"), (e: Error) => e);
    assert.ok(err instanceof ConnectionError || err.name === "TimeoutError", String(err));
    assert.match(err.message, /timed out/);
    await pool.close();
  });
});
