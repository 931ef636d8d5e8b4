import assert from "node:assert/strict";
import { createClient, createPool, ClosedError, ConnectionError, RedisError } from "../../mod.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { makeCertificates, type TestCertificates } from "../harness/tls.ts";
import type { Tally } from "../harness/traffic.ts";
import { exposeClient } from "../../worker.ts";
import { spawnWorker } from "./worker-fixtures/spawn.ts";
import { until } from "../harness/wait.ts";

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then((value) => assert.fail(`resolved with ${String(value)}`), (err: Error) => err);
}

describe("lazyConnect and connect()", () => {
  let server: RedisServer;
  let certs: TestCertificates;
  let tlsServer: RedisServer;
  beforeAll(async () => {
    certs = makeCertificates();
    [server, tlsServer] = await Promise.all([
      startRedis({ args: ["--requirepass", "right-secret"] }),
      startRedis({ tls: { cert: certs.certFile, key: certs.keyFile, ca: certs.caFile } }),
    ]);
  });
  afterAll(async () => {
    await server?.stop();
    await tlsServer?.stop();
  });

  test("lazyConnect: true opens no connection until the first command, which connects and runs", async () => {
    const seen: string[] = [];
    const c = createClient({ url: server.url, password: "right-secret", lazyConnect: true });
    c.on("connect", () => seen.push("connect"));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(seen, []);
      assert.equal(c.stats().state, "lazy");
      assert.equal(await c.ping(), "PONG");
      assert.deepEqual(seen, ["connect"]);
      assert.equal(c.stats().state, "ready");
    } finally {
      await c.close();
    }
  });

  test("lazyConnect: true and await connect() resolves once ready; a second connect() resolves at once", async () => {
    const c = createClient({ url: server.url, password: "right-secret", lazyConnect: true });
    try {
      await c.connect();
      assert.equal(c.stats().state, "ready");
      await c.connect();
      assert.equal(await c.send(["CLIENT", "GETNAME"]), null);
    } finally {
      await c.close();
    }
  });

  test("without lazyConnect the client connects at creation, and connect() resolves when ready", async () => {
    const c = createClient({ url: server.url, password: "right-secret", clientName: "eager" });
    try {
      await until(async () => (await connectedClientsWithPassword(server)).includes("name=eager"), "the eager connection");
      await c.connect();
      assert.equal(c.stats().state, "ready");
    } finally {
      await c.close();
    }
  });

  test("connect() rejects with the reason: connection refused", async () => {
    const c = createClient({ port: await freePort(), lazyConnect: true, reconnect: { initialDelay: 1_000 } });
    try {
      const err = await rejection(c.connect());
      assert.ok(err instanceof ConnectionError, `got ${err}`);
      assert.equal((err.cause as { code?: string })?.code, "ECONNREFUSED");
    } finally {
      await c.close();
    }
  });

  test("connect() rejects with the reason: wrong password (WRONGPASS)", async () => {
    const c = createClient({ url: server.url, password: "wrong-secret" });
    try {
      const err = await rejection(c.connect());
      assert.ok(err instanceof RedisError, `got ${err}`);
      assert.equal(err.code, "WRONGPASS");
      assert.doesNotMatch(err.message, /wrong-secret/);
    } finally {
      await c.close();
    }
  });

  test("connect() rejects with the reason: an untrusted certificate", async () => {
    const c = createClient({ port: tlsServer.tlsPort, tls: {}, lazyConnect: true });
    try {
      const err = await rejection(c.connect());
      assert.match(`${err.message} ${(err.cause as Error)?.message}`, /certificate/i);
    } finally {
      await c.close();
    }
    const trusting = createClient({ port: tlsServer.tlsPort, tls: { ca: certs.ca }, lazyConnect: true });
    try {
      await trusting.connect();
      assert.equal(await trusting.ping(), "PONG");
    } finally {
      await trusting.close();
    }
  });

  test("connect() on a closed client rejects with ClosedError; close() while connect() waits rejects it too", async () => {
    const closed = createClient({ url: server.url, password: "right-secret", lazyConnect: true });
    await closed.close();
    assert.ok((await rejection(closed.connect())) instanceof ClosedError);

    const hung = createClient({ port: await freePort(), lazyConnect: true, reconnect: { initialDelay: 5_000 } });
    const first = rejection(hung.connect()); // the refused attempt
    await first;
    const waiting = rejection(hung.connect()); // waits for the next attempt, 2.5-5 s away
    await hung.close();
    assert.ok((await waiting) instanceof ClosedError);
  });
});

/** CLIENT LIST of a server that requires "right-secret". */
async function connectedClientsWithPassword(server: RedisServer): Promise<string> {
  const probe = createClient({ url: server.url, password: "right-secret" });
  try {
    return String(await probe.send(["CLIENT", "LIST"]));
  } finally {
    await probe.close();
  }
}

describe("RESP2 fallback for servers that do not know HELLO", () => {
  let old: RedisServer;
  beforeAll(async () => {
    // A server without HELLO answers it as an unknown command, as Redis 5 and some proxies do.
    old = await startRedis({ args: ["--rename-command", "HELLO", "", "--requirepass", "old-secret"] });
  });
  afterAll(async () => {
    await old?.stop();
  });

  test("with protocol unset the client speaks RESP2, authenticates with AUTH, names the connection and selects the db", async () => {
    const c = createClient({ url: `redis://:old-secret@127.0.0.1:${old.port}/3`, clientName: "from-the-past" });
    try {
      await c.connect();
      const info = String(await c.send(["CLIENT", "INFO"]));
      assert.match(info, / resp=2\b/);
      assert.match(info, /name=from-the-past /);
      assert.match(info, / db=3 /);
      await c.set("fallback", "works");
      assert.equal(await c.get("fallback"), "works");
    } finally {
      await c.close();
    }
  });

  test("a pool with protocol unset falls back too", async () => {
    const pool = createPool({ url: old.url, password: "old-secret", max: 2 });
    try {
      assert.match(String(await pool.send(["CLIENT", "INFO"])), / resp=2\b/);
    } finally {
      await pool.close();
    }
  });

  test("blocking commands and isolated() of a client with protocol unset fall back too", async () => {
    const c = createClient({ url: old.url, password: "old-secret" });
    try {
      assert.equal(await c.blpop("fallback:nothing", 0.05), null);
      assert.match(String(await c.isolated((own) => own.send(["CLIENT", "INFO"]))), / resp=2\b/);
    } finally {
      await c.close();
    }
  });

  test("an explicit protocol: 3 fails at once, saying the server does not know HELLO", async () => {
    const c = createClient({ url: old.url, password: "old-secret", protocol: 3, reconnect: { initialDelay: 1_000 } });
    c.on("error", () => {});
    try {
      const err = await rejection(c.connect());
      assert.ok(err instanceof ConnectionError, `got ${err}`);
      assert.match(err.message, /HELLO/);
      assert.match(err.message, /protocol/);
      const started = Date.now();
      const command = await rejection(c.get("k"));
      assert.ok(Date.now() - started < 1_000, "a command waited instead of failing at once");
      assert.match(command.message, /HELLO/);
    } finally {
      await c.close();
    }
  });
});

describe("reconnect as a function, reconnectOnError", () => {
  let server: RedisServer;
  let primary: RedisServer;
  beforeAll(async () => {
    [server, primary] = await Promise.all([startRedis(), startRedis()]);
  });
  afterAll(async () => {
    await server?.stop();
    await primary?.stop();
  });

  test("reconnect: (attempt, lastError) => delay | false is asked before every retry, and false stops", async () => {
    const calls: Array<[number, string | undefined]> = [];
    const ended: Array<Error | undefined> = [];
    const c = createClient({
      port: await freePort(),
      reconnect: (attempt, lastError) => {
        calls.push([attempt, (lastError.cause as { code?: string })?.code]);
        return attempt < 3 ? 10 : false;
      },
    });
    c.on("error", () => {});
    c.on("end", ({ error }) => ended.push(error));
    try {
      await until(() => ended.length === 1, "the client to give up");
      assert.deepEqual(calls, [[1, "ECONNREFUSED"], [2, "ECONNREFUSED"], [3, "ECONNREFUSED"]]);
      assert.ok(ended[0] instanceof ConnectionError);
      assert.ok((await rejection(c.get("k"))) instanceof Error);
    } finally {
      await c.close();
    }
  });

  test("after a lost connection the function is asked with attempt 1 and the reason, and its delay is kept", async () => {
    const calls: Array<[number, Error]> = [];
    const c = createClient({ url: server.url, reconnect: (attempt, lastError) => (calls.push([attempt, lastError]), 300) });
    c.on("error", () => {});
    try {
      const id = Number(await c.send(["CLIENT", "ID"]));
      const killer = createClient(server.url);
      await killer.send(["CLIENT", "KILL", "ID", id]);
      await killer.close();
      await until(() => calls.length === 1, "the reconnect function to be asked");
      assert.equal(calls[0]![0], 1);
      assert.ok(calls[0]![1] instanceof Error);
      const lostAt = Date.now();
      assert.equal(await c.ping(), "PONG");
      assert.ok(Date.now() - lostAt >= 200, `reconnected after ${Date.now() - lostAt} ms, before the 300 ms asked for`);
      assert.notEqual(Number(await c.send(["CLIENT", "ID"])), id);
    } finally {
      await c.close();
    }
  });

  test("reconnectOnError: an error reply it accepts makes the client reconnect; the command itself still rejects", async () => {
    await server.restart(); // nothing left from the test before
    const replica = createClient(server.url);
    await replica.send(["REPLICAOF", "127.0.0.1", primary.port]);
    const seen: RedisError[] = [];
    const c = createClient({ url: server.url, reconnectOnError: (err) => (seen.push(err), err.code === "READONLY") });
    const plain = createClient(server.url);
    try {
      const id = Number(await c.send(["CLIENT", "ID"]));
      const plainId = Number(await plain.send(["CLIENT", "ID"]));
      const err = await rejection(c.set("k", "v"));
      assert.ok(err instanceof RedisError && err.code === "READONLY", `got ${err}`);
      assert.equal(seen.length, 1);
      await until(async () => Number(await c.send(["CLIENT", "ID"])) !== id, "a new connection");
      // Without the option, an error reply is just an error reply.
      await rejection(plain.set("k", "v"));
      assert.equal(Number(await plain.send(["CLIENT", "ID"])), plainId);
      // Other errors do not reconnect.
      const now = Number(await c.send(["CLIENT", "ID"]));
      await rejection(c.send(["NOSUCHCOMMAND"]));
      assert.equal(Number(await c.send(["CLIENT", "ID"])), now);
    } finally {
      await replica.send(["REPLICAOF", "NO", "ONE"]);
      await Promise.all([c.close(), plain.close(), replica.close()]);
    }
  });

  test("close() right after reconnectOnError replaced the connection waits for the replies still due on the old one", async () => {
    const c = createClient({ url: server.url, reconnectOnError: (err) => err.code === "WRONGTYPE" });
    try {
      await c.set("close:str", "x");
      let waited: unknown;
      const refused = c.send(["LPUSH", "close:str", "y"]).catch((err: Error) => err);
      // WAIT blocks on the server (no replica acknowledges), so the WRONGTYPE reply goes out first.
      const slow = c.send(["WAIT", 1, 300]).then((reply) => (waited = reply), (err: Error) => (waited = err));
      assert.equal(((await refused) as RedisError).code, "WRONGTYPE"); // the connection is being replaced now
      assert.equal(waited, undefined);
      await c.close();
      assert.equal(waited, 0);
      await slow;
    } finally {
      await c.close();
    }
  });

  test("reconnectOnError sees the error replies of a worker's commands too (forwarded as bytes, never decoded in the owner)", async () => {
    const admin = createClient(server.url);
    await admin.send(["REPLICAOF", "127.0.0.1", primary.port]);
    let ready = 0;
    const c = createClient({ url: server.url, reconnectOnError: (err) => err.code === "READONLY" });
    c.on("ready", () => ready++);
    const worker = await spawnWorker("traffic-agent.ts");
    const owner = exposeClient(c, worker.endpoint);
    try {
      await c.connect();
      await worker.call("start", ["worker:readonly", 1]);
      await until(() => ready >= 3, "reconnects after READONLY replies to the worker's INCRs");
      const tally = (await worker.call("stop")) as Tally;
      assert.ok(tally.errors["RedisError READONLY"]! >= 2, JSON.stringify(tally));
    } finally {
      await worker.call("close").catch(() => {});
      await worker.terminate();
      await owner.close();
      await admin.send(["REPLICAOF", "NO", "ONE"]);
      await Promise.all([c.close(), admin.close()]);
    }
  });

  test("a pool's reconnectOnError closes the connection that got the reply, once it is back", async () => {
    const admin = createClient(server.url);
    await admin.send(["REPLICAOF", "127.0.0.1", primary.port]);
    const destroyed: string[] = [];
    const pool = createPool({ url: server.url, max: 1, reconnectOnError: (err) => err.code === "READONLY" });
    pool.on("destroy", ({ reason }) => destroyed.push(reason));
    try {
      const lease = await pool.acquire();
      const id = lease.clientId;
      await rejection(lease.set("k", "v"));
      assert.equal(await lease.get("k"), null); // a lease keeps its connection until released
      await lease.release();
      assert.deepEqual(destroyed, ["replaced after the reply READONLY"]);
      await rejection(pool.set("k", "v")); // a pool command's connection goes too
      await pool.withConnection(async (next) => assert.notEqual(next.clientId, id));
      await until(() => destroyed.length === 2, "the second connection to close");
    } finally {
      await admin.send(["REPLICAOF", "NO", "ONE"]);
      await Promise.all([pool.close(), admin.close()]);
    }
  });
});
