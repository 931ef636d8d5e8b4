import assert from "node:assert/strict";
import { createPool, type Pool } from "../../src/pool/pool.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { ServerView, blackholeConnector, sleep, uniqueName, until } from "./pool-helpers.ts";

describe("pool: eviction, lifetime, health checks and leaks", () => {
  let server: RedisServer;
  let view: ServerView;
  const pools: Pool[] = [];
  const open = (options: Parameters<typeof createPool>[0] & object) => {
    const pool = createPool({ url: server.url, clientName: uniqueName("maint"), ...options });
    pools.push(pool);
    return pool;
  };
  const nameOf = (pool: Pool) => pool.options.connection.clientName!;

  beforeAll(async () => {
    server = await startRedis();
    view = await ServerView.connect(server.url);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close({ timeout: 100 })));
    await view?.close();
    await server?.stop();
  });

  test("min connections are opened at start and kept warm", async () => {
    const pool = open({ min: 2, max: 4 });
    await until(async () => (await view.count(nameOf(pool))) === 2, "2 warm connections");
    assert.equal(pool.stats().idle, 2);
  });

  test("idle connections above min are closed after idleTimeout", async () => {
    const pool = open({ min: 1, max: 4, idleTimeout: 100 });
    const reasons: string[] = [];
    pool.on("destroy", ({ reason }) => reasons.push(reason));
    const leases = await Promise.all([pool.acquire(), pool.acquire(), pool.acquire(), pool.acquire()]);
    await Promise.all(leases.map((l) => l.release()));
    assert.equal(pool.stats().idle, 4);
    const t0 = Date.now();
    await until(() => pool.stats().total === 1, "eviction down to min", 2_000);
    assert.ok(Date.now() - t0 >= 50, "not before idleTimeout");
    await until(async () => (await view.count(nameOf(pool))) === 1, "server sees one");
    assert.equal(reasons.length, 3);
    assert.match(reasons[0]!, /idle for more than 100 ms/);
    await sleep(250);
    assert.equal(pool.stats().total, 1, "min is never evicted");
  });

  test("a connection in use is not evicted for idleness", async () => {
    const pool = open({ max: 2, idleTimeout: 50 });
    const lease = await pool.acquire();
    await sleep(200);
    assert.equal(await lease.send(["PING"]), "PONG");
    await lease.release();
  });

  test("connections are retired after maxLifetime, jittered, and replaced up to min", async () => {
    const pool = open({ min: 10, max: 10, maxLifetime: 500, idleTimeout: 0 });
    const retired: number[] = [];
    pool.on("destroy", ({ reason }) => { if (/maxLifetime/.test(reason)) retired.push(Date.now()); });
    await until(() => pool.stats().idle === 10, "10 warm");
    const first = new Set((await view.clients(nameOf(pool))).map((c) => c.id));
    await until(() => retired.length >= 10, "all 10 retired", 3_000);
    const spread = Math.max(...retired) - Math.min(...retired);
    assert.ok(spread > 0, "lifetimes are jittered, not all equal");
    await until(() => pool.stats().idle === 10, "refilled to min");
    await until(async () => (await view.count(nameOf(pool))) === 10, "server dropped the retired ones");
    const now = (await view.clients(nameOf(pool))).map((c) => c.id);
    assert.ok(now.every((id) => !first.has(id)), "every connection was replaced");
  });

  test("a leased connection past maxLifetime is closed when released, not reused", async () => {
    const pool = open({ max: 1, maxLifetime: 100, idleTimeout: 0 });
    const lease = await pool.acquire();
    await sleep(150);
    await lease.release();
    const next = await pool.acquire();
    assert.notEqual(next.clientId, lease.clientId);
    await next.release();
  });

  test("connections killed with CLIENT KILL while idle are replaced", async () => {
    const pool = open({ min: 2, max: 2, healthCheck: { idleTime: 0 } });
    await until(async () => (await view.count(nameOf(pool))) === 2, "2 warm");
    const before = new Set((await view.clients(nameOf(pool))).map((c) => Number(c.id)));
    assert.equal(await view.kill(nameOf(pool)), 2);
    // Every pool command and lease works at once: no caller sees the dead connections.
    const results = await Promise.all([pool.send(["PING"]), pool.withConnection((l) => l.send(["PING"])), pool.get("maint:none")]);
    assert.deepEqual(results, ["PONG", "PONG", null]);
    await until(async () => (await view.count(nameOf(pool))) === 2, "refilled to 2");
    const after = await view.clients(nameOf(pool));
    assert.ok(after.every((c) => !before.has(Number(c.id))));
  });

  test("the health check replaces a half-open idle connection before handing it out", async () => {
    const holes = blackholeConnector();
    const pool = open({ max: 2, connector: holes.connector, healthCheck: { idleTime: 30, timeout: 100 } });
    const reasons: string[] = [];
    pool.on("destroy", ({ reason }) => reasons.push(reason));
    const first = await pool.acquire();
    await first.release();
    await sleep(60);
    holes.silence(); // the socket stays open but nothing gets through, as after a dropped NAT entry
    const t0 = Date.now();
    const next = await pool.acquire();
    assert.notEqual(next.clientId, first.clientId);
    assert.equal(await next.send(["PING"]), "PONG");
    assert.ok(Date.now() - t0 < 1_000);
    assert.equal(holes.opened, 2);
    assert.match(reasons.join(), /health check failed/);
    await next.release();
  });

  test("healthCheck: false hands out an idle connection without a PING", async () => {
    const pool = open({ max: 1, healthCheck: false });
    let pings = 0;
    const first = await pool.acquire();
    await first.release();
    await sleep(40);
    const probe = await view.send(["INFO", "commandstats"]);
    pings = Number(/cmdstat_ping:calls=(\d+)/.exec(String(probe))?.[1] ?? 0);
    const next = await pool.acquire();
    assert.equal(next.clientId, first.clientId);
    const after = Number(/cmdstat_ping:calls=(\d+)/.exec(String(await view.send(["INFO", "commandstats"])))?.[1] ?? 0);
    assert.equal(after, pings);
    await next.release();
  });

  test("a lease held past leakTimeout emits 'leak' once, with the stack that acquired it", async () => {
    const pool = open({ max: 1, leakTimeout: 50 });
    const leaks: { clientId: number; heldFor: number; stack: string }[] = [];
    pool.on("leak", (leak) => leaks.push(leak));
    const lease = await pool.acquire();
    await until(() => leaks.length === 1, "leak event", 1_000);
    await sleep(150);
    assert.equal(leaks.length, 1, "reported once");
    assert.equal(leaks[0]!.clientId, lease.clientId);
    assert.ok(leaks[0]!.heldFor >= 50);
    assert.match(leaks[0]!.stack, /pool-maintenance\.test/);
    await lease.release();
    const again = await pool.acquire();
    await again.release();
    await sleep(120);
    assert.equal(leaks.length, 1, "a lease released in time is not reported");
  });
});
