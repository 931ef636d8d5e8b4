import assert from "node:assert/strict";
import { createClient, createPool, raw, type Pool, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint, type OwnerHandle, type WorkerClient } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// Every entry point a command can take consults the command table: names as strings or bytes, any
// case. What would change a shared connection for everyone, or make replies stop matching their
// commands, is refused before anything is written — and the connection keeps serving correctly.

const bytes = (s: string) => new TextEncoder().encode(s);
const isRefusal = (pattern: RegExp) => (err: Error) => err instanceof TypeError && pattern.test(err.message);

/** The shared connection still answers each caller with its own reply, on db 0, with replies on. */
async function stillHealthy(redis: { set(k: string, v: string): Promise<unknown>; get(k: string): Promise<unknown> }, tag: string) {
  const keys = Array.from({ length: 20 }, (_, i) => `guard:${tag}:${i}`);
  await Promise.all(keys.map((k) => redis.set(k, k)));
  assert.deepEqual(await Promise.all(keys.map((k) => redis.get(k))), keys);
}

describe("guards: the multiplexer", () => {
  let server: RedisServer;
  let redis: RedisClient;
  let resp2: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    redis = createClient({ url: server.url, protocol: 3 });
    resp2 = createClient({ url: server.url, protocol: 2 });
  });
  afterAll(async () => {
    await redis?.close();
    await resp2?.close();
    await server?.stop();
  });

  test("send refuses connection-state commands given as bytes, in any case", async () => {
    for (const args of [[bytes("SELECT"), 1], [bytes("select"), bytes("1")], [bytes("client"), bytes("REPLY"), "OFF"], [bytes("HELLO"), 2], [bytes("Multi")]]) {
      await assert.rejects(redis.send(args), isRefusal(/cannot run on the shared connection/), String(args[0]));
    }
    await stillHealthy(redis, "send-bytes");
  });

  test("send refuses WAITAOF with timeout 0 and CLIENT NO-TOUCH (Redis 7.2) on the shared connection", async () => {
    await assert.rejects(redis.send(["WAITAOF", 1, 0, 0]), isRefusal(/^WAITAOF cannot run on the shared connection: WAITAOF with timeout 0 would stall every caller/));
    await assert.rejects(redis.send(["CLIENT", "NO-TOUCH", "ON"]), isRefusal(/^CLIENT NO-TOUCH cannot run on the shared connection/));
    await stillHealthy(redis, "send-later");
  });

  test("multi() refuses SELECT, HELLO 2, CLIENT REPLY OFF and SUBSCRIBE inside the transaction, before writing", async () => {
    await redis.set("guard:tx", "before");
    for (const args of [["SELECT", 1], ["HELLO", 2], ["CLIENT", "REPLY", "OFF"], [bytes("select"), 2]]) {
      await assert.rejects(redis.multi().add(raw(args)).set("guard:tx", "inside").exec(), isRefusal(/cannot run on the shared connection/), String(args[0]));
    }
    await assert.rejects(resp2.multi().add(raw(["SUBSCRIBE", "c"])).exec(), isRefusal(/SUBSCRIBE cannot run/));
    assert.equal(await redis.get("guard:tx"), "before"); // nothing of the refused transactions ran
    assert.ok((await redis.send(["HGETALL", "guard:none"])) instanceof Map); // still RESP3
    await stillHealthy(redis, "multi");
    await stillHealthy(resp2, "multi2");
  });

  test("a transaction reaches the wire in call order: a GET issued right after exec() sees its write", async () => {
    await redis.set("guard:order", "old");
    const tx = redis.multi().set("guard:order", "new").exec();
    const read = redis.get("guard:order");
    assert.deepEqual(await tx, ["OK"]);
    assert.equal(await read, "new");
  });

  test("call order also holds while the client is still connecting", async () => {
    const fresh = createClient({ url: server.url });
    try {
      const before = fresh.set("guard:order2", "old");
      const tx = fresh.multi().set("guard:order2", "new").exec();
      const read = fresh.get("guard:order2");
      await before;
      assert.deepEqual(await tx, ["OK"]);
      assert.equal(await read, "new");
    } finally {
      await fresh.close();
    }
  });

  test("isolated() refuses SUBSCRIBE sent with send (RESP3 and RESP2): use subscribe()", async () => {
    for (const client of [redis, resp2]) {
      await client.isolated(async (c) => {
        await assert.rejects(c.send(["SUBSCRIBE", "ch"]), isRefusal(/use subscribe\(\)/));
        await assert.rejects(c.send([bytes("subscribe"), "ch"]), isRefusal(/use subscribe\(\)/));
        await assert.rejects(c.send(["CLIENT", "REPLY", "SKIP"]), isRefusal(/replies would no longer match/));
        assert.equal(await c.send(["SELECT", 1]), "OK"); // its own connection: state is allowed
        assert.equal(await c.send(["ECHO", "a"]), "a");
        assert.equal(await c.send(["ECHO", "b"]), "b");
      });
    }
  });
});

describe("guards: the pool", () => {
  let server: RedisServer;
  let pool: Pool;
  beforeAll(async () => {
    server = await startRedis();
    pool = createPool({ url: server.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.close();
    await server?.stop();
  });

  test("pool.send refuses SUBSCRIBE, MULTI, CLIENT REPLY SKIP and SELECT (strings and bytes): they belong on a lease", async () => {
    for (const args of [["SUBSCRIBE", "c"], ["MULTI"], ["CLIENT", "REPLY", "SKIP"], ["SELECT", 1], [bytes("select"), 1], [bytes("MULTI")], ["WATCH", "k"]]) {
      await assert.rejects(pool.send(args), isRefusal(/cannot run on the pool's shared connections/), String(args[0]));
    }
    await stillHealthy(pool, "pool-send");
  });

  test("pool.send refuses WAITAOF and CLIENT NO-TOUCH (commands of Redis 7.2, newer than the table's server) before writing them", async () => {
    await assert.rejects(pool.send(["WAITAOF", 1, 0, 100]), isRefusal(/^WAITAOF cannot run on the pool's shared connections: .*WAITAOF on one lease/));
    await assert.rejects(pool.send([bytes("client"), "no-touch", "on"]), isRefusal(/^CLIENT NO-TOUCH cannot run on the pool's shared connections/));
    await stillHealthy(pool, "pool-send-later");
  });

  test("a lease refuses SUBSCRIBE (RESP3) and CLIENT REPLY OFF sent with send; later replies still match", async () => {
    await pool.withConnection(async (lease) => {
      await assert.rejects(lease.send(["SUBSCRIBE", "c"]), isRefusal(/use subscribe\(\)/));
      await assert.rejects(lease.send([bytes("CLIENT"), "reply", "off"]), isRefusal(/replies would no longer match/));
      assert.equal(await lease.send(["ECHO", "1"]), "1");
      assert.equal(await lease.send(["ECHO", "2"]), "2");
    });
  });

  test("a lease that sent EXEC without MULTI does not leak its WATCH to the next borrower", async () => {
    const one = createPool({ url: server.url, max: 1 });
    try {
      await one.withConnection(async (lease) => {
        await lease.send(["WATCH", "guard:w"]);
        await assert.rejects(lease.send(["EXEC"]), /EXEC without MULTI/);
      });
      await pool.set("guard:w", "changed by someone else");
      const result = await one.withConnection((lease) => lease.multi().set("guard:other", "1").exec());
      assert.deepEqual(result, ["OK"]);
    } finally {
      await one.close();
    }
  });

  test("pool.pipeline() runs on one connection, in order: a GET after a big SET reads it", async () => {
    const big = "x".repeat(256 * 1024);
    for (let i = 0; i < 30; i++) {
      const noise = Array.from({ length: 20 }, (_, j) => pool.get(`guard:noise:${j}`));
      const [, read] = await pool.pipeline().set("guard:pipe", `${i}${big}`).get("guard:pipe").exec();
      assert.equal((read as string).slice(0, String(i).length), String(i));
      await Promise.all(noise);
    }
  });

  test("pool.multi() and lease transactions refuse what breaks reply matching", async () => {
    await assert.rejects(pool.multi().add(raw(["SUBSCRIBE", "c"])).exec(), isRefusal(/SUBSCRIBE cannot run/));
    await assert.rejects(pool.multi().add(raw([bytes("client"), "reply", "off"])).exec(), isRefusal(/CLIENT REPLY cannot run/));
    await stillHealthy(pool, "pool-multi");
  });
});

describe("guards: WAIT runs on the connection that carried the writes", () => {
  let master: RedisServer;
  let replica: RedisServer;
  beforeAll(async () => {
    master = await startRedis();
    replica = await startRedis({ args: ["--replicaof", "127.0.0.1", String(master.port)] });
    const probe = createClient({ url: master.url });
    try {
      for (let i = 0; i < 200; i++) {
        const info = String(await probe.send(["INFO", "replication"]));
        if (/connected_slaves:1/.test(info) && /state=online/.test(info)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await probe.close();
    }
  });
  afterAll(async () => {
    replica?.resume();
    await replica?.stop();
    await master?.stop();
  });

  test("with the replica frozen, WAIT after a write counts 0 replicas on the multiplexer and on a lease", async () => {
    const redis = createClient({ url: master.url });
    const pool = createPool({ url: master.url, max: 2 });
    try {
      await redis.set("guard:wait:warm", "1");
      assert.equal(await redis.send(["WAIT", 1, 2000]), 1); // replica alive: acknowledged
      replica.pause();
      await redis.set("guard:wait", "1");
      assert.equal(await redis.send(["WAIT", 1, 300]), 0);
      assert.equal(await pool.withConnection(async (lease) => {
        await lease.set("guard:wait:lease", "1");
        return lease.send(["WAIT", 1, 300]);
      }), 0);
      await assert.rejects(pool.send(["WAIT", 1, 300]), isRefusal(/WAIT cannot run on the pool's shared connections/));
      await assert.rejects(redis.send(["WAIT", 1, 0]), isRefusal(/would stall every caller/));
    } finally {
      replica.resume();
      await redis.close();
      await pool.close();
    }
  });
});

describe("guards: worker clients", () => {
  let server: RedisServer;
  let client: RedisClient;
  let owner: OwnerHandle;
  let worker: WorkerClient;
  let ports: MessageChannel;
  beforeAll(async () => {
    server = await startRedis();
    client = createClient({ url: server.url });
    ports = new MessageChannel();
    owner = exposeClient(client, ports.port1 as unknown as Endpoint);
    worker = wrapClient(ports.port2 as unknown as Endpoint);
  });
  afterAll(async () => {
    await worker?.close();
    await owner?.close();
    await client?.close();
    ports?.port1.close();
    await server?.stop();
  });

  test("CLIENT REPLY SKIP and SELECT given as bytes are refused on the raw and value paths", async () => {
    for (const args of [[bytes("CLIENT"), bytes("REPLY"), bytes("SKIP")], [bytes("select"), 1], ["client", "reply", "off"]]) {
      await assert.rejects(worker.send(args), isRefusal(/cannot run on the shared connection/), String(args[0]));
      await assert.rejects(worker.with({ timeout: 1000 }).send(args), isRefusal(/cannot run on the shared connection/), String(args[0]));
      await assert.rejects(worker.multi().add(raw(args)).exec(), isRefusal(/cannot run on the shared connection/), String(args[0]));
    }
    await stillHealthy(worker, "worker");
  });
});
