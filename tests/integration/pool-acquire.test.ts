import assert from "node:assert/strict";
import { AbortError, ClosedError, LimitError, PoolTimeoutError } from "../../src/errors.ts";
import { createPool, type Pool } from "../../src/pool/pool.ts";
import type { Lease } from "../../src/pool/lease.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { ServerView, sleep, uniqueName, until } from "./pool-helpers.ts";

describe("pool: acquire, release and the limits", () => {
  let server: RedisServer;
  let view: ServerView;
  const pools: Pool[] = [];
  const open = (options: Parameters<typeof createPool>[0] & object) => {
    const pool = createPool({ url: server.url, clientName: uniqueName("acq"), ...options });
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

  test("acquire() leases a connection with the full command API", async () => {
    const pool = open({ max: 2 });
    const lease = await pool.acquire();
    assert.equal(await lease.set("acq:k", "v"), "OK");
    assert.equal(await lease.get("acq:k"), "v");
    assert.ok(lease.clientId > 0);
    await lease.release();
    assert.equal(pool.stats().idle, 1);
  });

  test("never more than max connections, counted on the server", async () => {
    const pool = open({ max: 3, acquireTimeout: 2_000 });
    const name = pool.options.connection.clientName!;
    let peak = 0;
    // 30 callers mixing leases and pool commands; sample CLIENT LIST while they run.
    const work = Array.from({ length: 30 }, async (_, i) => {
      if (i % 2) {
        await pool.withConnection(async (lease) => {
          await lease.send(["INCR", "acq:count"]);
          await sleep(5);
        });
      } else {
        await pool.send(["INCR", "acq:count"]);
      }
    });
    const sampling = (async () => {
      for (let i = 0; i < 10; i++) {
        peak = Math.max(peak, await view.count(name), pool.stats().total);
        await sleep(3);
      }
    })();
    await Promise.all([...work, sampling]);
    assert.ok(peak <= 3, `peak ${peak} > max 3`);
    assert.ok(pool.stats().created <= 3);
  });

  test("waiters are served in FIFO order", async () => {
    const pool = open({ max: 1 });
    const first = await pool.acquire();
    const order: number[] = [];
    const waiting = [0, 1, 2, 3, 4].map((i) => pool.acquire().then(async (lease) => {
      order.push(i);
      await sleep(1);
      await lease.release();
    }));
    await until(() => pool.stats().waiting === 5, "5 waiters");
    await first.release();
    await Promise.all(waiting);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
  });

  test("acquire() rejects with PoolTimeoutError after acquireTimeout, saying what is in use", async () => {
    const pool = open({ max: 2, acquireTimeout: 100 });
    const held = [await pool.acquire(), await pool.acquire()];
    const started = Date.now();
    const other = pool.acquire().catch((e: Error) => e); // queued with the one we check
    const err = await pool.acquire().then(() => assert.fail("should time out"), (e: Error) => e);
    const waited = Date.now() - started;
    assert.ok(err instanceof PoolTimeoutError, String(err));
    assert.equal((err as PoolTimeoutError).code, "RESPLEX_POOL_TIMEOUT");
    assert.ok(waited >= 90 && waited < 1_000, `waited ${waited} ms`);
    assert.match(err.message, /100 ms/);
    assert.match(err.message, /2 of max 2 connections in use/);
    assert.match(err.message, /2 leased/);
    assert.match(err.message, /waiters queued/);
    assert.ok((await other) instanceof PoolTimeoutError);
    assert.equal(pool.stats().acquireTimeouts, 2);
    assert.equal(pool.stats().waiting, 0);
    await Promise.all(held.map((l) => l.release()));
  });

  test("acquire() rejects at once with LimitError past maxWaiters", async () => {
    const pool = open({ max: 1, maxWaiters: 2, acquireTimeout: 2_000 });
    const held = await pool.acquire();
    const queued = [pool.acquire(), pool.acquire()];
    const err = await pool.acquire().then(() => assert.fail("should be refused"), (e: Error) => e);
    assert.ok(err instanceof LimitError, String(err));
    assert.equal((err as LimitError).limit, "maxWaiters");
    assert.match(err.message, /maxWaiters 2/);
    await held.release();
    await Promise.all(queued.map(async (p) => (await p).release()));
  });

  test("an aborted signal rejects with AbortError at once and leaves the queue", async () => {
    const pool = open({ max: 1, acquireTimeout: 5_000 });
    const held = await pool.acquire();
    await assert.rejects(pool.acquire({ signal: AbortSignal.abort() }), AbortError);
    const controller = new AbortController();
    const aborted = pool.acquire({ signal: controller.signal });
    const after = pool.acquire();
    await until(() => pool.stats().waiting === 2, "2 waiters");
    const t0 = Date.now();
    controller.abort(new Error("caller gave up"));
    const err = await aborted.then(() => assert.fail("should abort"), (e: Error) => e);
    assert.ok(err instanceof AbortError);
    assert.ok(Date.now() - t0 < 100);
    assert.equal(pool.stats().waiting, 1);
    await held.release();
    const lease = await after; // the waiter behind the aborted one gets the connection
    assert.equal(lease.clientId, held.clientId);
    await lease.release();
  });

  test("releasing twice is a no-op; a released lease rejects with ClosedError", async () => {
    const pool = open({ max: 1 });
    const lease = await pool.acquire();
    await lease.release();
    await lease.release();
    assert.equal(lease.released, true);
    await assert.rejects(lease.get("k"), ClosedError);
    await assert.rejects(lease.multi().set("a", "1").exec(), ClosedError);
    const s = pool.stats();
    assert.equal(s.idle, 1);
    assert.equal(s.leased, 0);
    const again = await pool.acquire(); // still exactly one connection, reused
    assert.equal(again.clientId, lease.clientId);
    await again.release();
  });

  test("withConnection() releases the lease when fn throws", async () => {
    const pool = open({ max: 1 });
    let leased: Lease | undefined;
    await assert.rejects(
      pool.withConnection(async (lease) => {
        leased = lease;
        await lease.set("acq:w", "1");
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(leased?.released, true);
    assert.equal(pool.stats().leased, 0);
    assert.equal(await pool.withConnection((lease) => lease.get("acq:w")), "1");
  });

  test("await using releases the lease at the end of the block", async () => {
    const pool = open({ max: 1 });
    let id = 0;
    {
      const lease = await pool.acquire();
      try {
        id = lease.clientId;
      } finally {
        await lease[Symbol.asyncDispose]();
      }
    }
    assert.equal(pool.stats().leased, 0);
    const next = await pool.acquire();
    assert.equal(next.clientId, id);
    await next.release();
  });

  test("stats() reports the state and acquire wait percentiles; events fire", async () => {
    const pool = open({ max: 2, min: 1 });
    const seen: string[] = [];
    for (const event of ["create", "acquire", "release"] as const) pool.on(event, () => seen.push(event));
    await until(() => pool.stats().idle === 1, "min connection");
    const a = await pool.acquire();
    const b = await pool.acquire();
    const waiter = pool.acquire();
    await sleep(30);
    let s = pool.stats();
    assert.deepEqual(
      { total: s.total, idle: s.idle, inUse: s.inUse, leased: s.leased, waiting: s.waiting, connecting: s.connecting },
      { total: 2, idle: 0, inUse: 2, leased: 2, waiting: 1, connecting: 0 },
    );
    await a.release();
    const c = await waiter;
    s = pool.stats();
    assert.ok(s.acquireWaitP99 >= 25, `p99 ${s.acquireWaitP99}`);
    assert.ok(s.acquireWaitP50 < s.acquireWaitP99);
    await Promise.all([b.release(), c.release()]);
    s = pool.stats();
    assert.equal(s.idle, 2);
    assert.equal(s.created, 2);
    assert.equal(s.destroyed, 0);
    assert.ok(seen.includes("create") && seen.includes("acquire") && seen.includes("release"));
  });

  test("after close() acquire and commands reject with ClosedError", async () => {
    const pool = open({ max: 1 });
    await pool.get("x");
    await pool.close();
    assert.equal(pool.isOpen, false);
    await assert.rejects(pool.acquire(), ClosedError);
    await assert.rejects(pool.get("x"), ClosedError);
  });
});
