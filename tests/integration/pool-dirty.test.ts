import assert from "node:assert/strict";
import { AbortError, ConnectionError } from "../../src/errors.ts";
import { createPool, type Pool } from "../../src/pool/pool.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { ServerView, clientInfo, sleep, uniqueName, until } from "./pool-helpers.ts";

describe("pool: a dirty lease is never handed out again", () => {
  let server: RedisServer;
  let view: ServerView;
  const pools: Pool[] = [];
  const open = (options: Parameters<typeof createPool>[0] & object = {}) => {
    const pool = createPool({ url: server.url, clientName: uniqueName("dirty"), max: 1, ...options });
    pools.push(pool);
    return pool;
  };
  /** What the next borrower sees: the server's CLIENT INFO of its connection. */
  const nextInfo = (pool: Pool) => pool.withConnection(async (lease) => clientInfo(await lease.send(["CLIENT", "INFO"])));

  beforeAll(async () => {
    server = await startRedis();
    view = await ServerView.connect(server.url);
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close({ timeout: 100 })));
    await view?.close();
    await server?.stop();
  });

  test("a lease released inside MULTI is reset: the next borrower is not in a transaction", async () => {
    const pool = open();
    const lease = await pool.acquire();
    await lease.send(["MULTI"]);
    assert.equal(await lease.send(["SET", "dirty:m", "queued"]), "QUEUED");
    await lease.release();
    const info = await nextInfo(pool);
    assert.equal(info.multi, "-1");
    assert.ok(!info.flags!.includes("x"), `flags ${info.flags}`);
    assert.equal(info.id, String(lease.clientId), "reset, not reconnected");
    assert.equal(await pool.get("dirty:m"), null, "the queued SET never ran");
  });

  test("a lease released with WATCH is reset: the next borrower's EXEC is not aborted", async () => {
    const pool = open();
    await pool.set("dirty:w", "0");
    const lease = await pool.acquire();
    await lease.send(["WATCH", "dirty:w"]);
    await lease.release();
    await view.send(["SET", "dirty:w", "changed"]); // would abort an EXEC under the old WATCH
    const result = await pool.withConnection((next) => next.multi().set("dirty:w", "mine").exec());
    assert.notEqual(result, null);
    assert.equal(await pool.get("dirty:w"), "mine");
  });

  test("a lease released after SELECT 3 is reset to the pool's db", async () => {
    const pool = open();
    const lease = await pool.acquire();
    await lease.send(["SELECT", 3]);
    await lease.set("dirty:s", "in-db-3");
    await lease.release();
    const info = await nextInfo(pool);
    assert.equal(info.db, "0");
    assert.equal(await pool.get("dirty:s"), null);
  });

  test("SELECT inside a transaction counts too", async () => {
    const pool = open();
    await pool.withConnection((lease) => lease.multi().add({ args: ["SELECT", 5] }).set("dirty:t", "x").exec());
    assert.equal((await nextInfo(pool)).db, "0");
  });

  test("a pool on db 2 resets a lease back to db 2", async () => {
    const pool = open({ db: 2 });
    await pool.withConnection((lease) => lease.send(["SELECT", 0]));
    assert.equal((await nextInfo(pool)).db, "2");
  });

  for (const protocol of [2, 3] as const) {
    test(`SUBSCRIBE and CLIENT REPLY OFF are refused on a lease, which stays clean and is reused (RESP${protocol})`, async () => {
      const pool = open({ protocol, max: 1 });
      const lease = await pool.acquire();
      await assert.rejects(lease.send(["SUBSCRIBE", "dirty:chan"]), /use subscribe\(\)/);
      await assert.rejects(lease.send(["CLIENT", "REPLY", "OFF"]), /replies would no longer match/);
      assert.equal((await view.clients(pool.options.connection.clientName!))[0]?.sub, "0");
      await lease.release();
      const next = await pool.acquire();
      assert.equal(next.clientId, lease.clientId);
      assert.equal(await next.send(["PING"]), "PONG");
      await next.release();
    });
  }

  test("a lease released while an aborted BLPOP still awaits its reply is closed", async () => {
    const pool = open();
    const lease = await pool.acquire();
    const controller = new AbortController();
    const blpop = lease.send(["BLPOP", "dirty:q", 0], { signal: controller.signal });
    await sleep(20);
    controller.abort();
    await assert.rejects(blpop, AbortError);
    await lease.release();
    // The server unblocks the orphaned BLPOP once it reads the close; then the push stays in the list.
    await until(async () => (await view.count(pool.options.connection.clientName!)) === 0, "blocked connection dropped");
    await view.send(["RPUSH", "dirty:q", "late"]); // nobody may receive this as the reply to their command
    const next = await pool.acquire();
    assert.notEqual(next.clientId, lease.clientId);
    assert.equal(await next.send(["PING"]), "PONG");
    await next.release();
    assert.equal(await pool.send(["LPOP", "dirty:q"]), "late", "the orphaned BLPOP never ran");
  });

  test("a lease whose connection was killed is replaced, not reused", async () => {
    const pool = open();
    const lease = await pool.acquire();
    await view.send(["CLIENT", "KILL", "ID", lease.clientId]);
    let failure: unknown;
    for (let i = 0; i < 100 && !failure; i++) {
      failure = await lease.send(["PING"]).then(() => undefined, (e: unknown) => e);
      await sleep(10);
    }
    assert.ok(failure instanceof ConnectionError, String(failure));
    await lease.release();
    const next = await pool.acquire();
    assert.notEqual(next.clientId, lease.clientId);
    assert.equal(await next.send(["PING"]), "PONG");
    await next.release();
  });
});
