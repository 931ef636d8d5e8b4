import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { ConnectionError, TimeoutError, createClient, createPool, type RedisClient } from "../../mod.ts";
import { startProxy, type FaultProxy } from "../harness/proxy.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";

/** Fast reconnects, so tests wait on detection, not on backoff. */
const reconnect = { initialDelay: 20, maxDelay: 100 };

/** The kernel's timer of the established TCP socket from local `port` to `serverPort` (Linux `/proc/net/tcp`): "02:..." is keepalive. */
function tcpTimer(port: number, serverPort: number): string | undefined {
  const hex = (n: number) => `:${n.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const [, local, remote, state, , timer] = line.trim().split(/\s+/);
    if (local?.endsWith(hex(port)) && remote?.endsWith(hex(serverPort)) && state === "01") return timer;
  }
  return undefined;
}

/** The client's own port, as the server sees it. */
async function localPort(c: RedisClient): Promise<number> {
  const info = String(await c.send(["CLIENT", "INFO"]));
  return Number(/\baddr=[^ ]*:(\d+)/.exec(info)![1]);
}

describe("liveness: a peer that stops answering is noticed", () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startProxy({ host: server.host, port: server.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test("a frozen server is noticed within livenessTimeout of an overdue reply; written commands reject as may-have-run; the client reconnects once unfrozen", async () => {
    const c = createClient({ url: proxy.url, commandTimeout: 400, livenessTimeout: 400, connectTimeout: 400, reconnect });
    const errors: Error[] = [];
    c.on("error", (err) => errors.push(err));
    try {
      await c.set("live:k", "v");
      proxy.set({ frozen: true });
      const frozenAt = Date.now();
      const first = c.get("live:k").catch((e: unknown) => e); // overdue at 400 ms
      const late = c.send(["INCR", "live:n"], { timeout: 30_000 }).catch((e: unknown) => e); // written, not yet timed out
      assert.ok((await first) instanceof TimeoutError);
      const err = await late;
      const noticed = Date.now() - frozenAt;
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /may have run/);
      assert.ok(noticed >= 700 && noticed < 2_500, `noticed after ${noticed} ms`);
      assert.notEqual(c.stats().state, "ready");
      assert.ok(errors.some((e) => /no reply/.test(e.message)), errors.map(String).join("; "));
      proxy.set({ frozen: false });
      assert.equal(await c.send(["GET", "live:k"], { timeout: 5_000 }), "v");
      assert.equal(c.stats().state, "ready");
    } finally {
      proxy.set({ frozen: false });
      await c.close();
    }
  });

  test("after maxConsecutiveTimeouts timeouts in a row the connection is replaced; fewer keep it", async () => {
    const c = createClient({ url: proxy.url, commandTimeout: 150, livenessTimeout: 0, maxConsecutiveTimeouts: 3, reconnect });
    try {
      const id = await c.send(["CLIENT", "ID"]);
      const link = proxy.links.at(-1)!;
      link.set({ frozen: true });
      for (let i = 0; i < 2; i++) await assert.rejects(c.ping(), TimeoutError);
      await sleep(1_200); // past the sweep that would count them
      link.set({ frozen: false });
      assert.equal(await c.send(["CLIENT", "ID"]), id, "two timeouts must not replace the connection");
      link.set({ frozen: true });
      const accepted = proxy.accepted;
      for (let i = 0; i < 3; i++) await assert.rejects(c.ping(), TimeoutError);
      await until(() => proxy.accepted > accepted, "a new connection", 3_000);
      assert.notEqual(await c.send(["CLIENT", "ID"], { timeout: 2_000 }), id);
    } finally {
      await c.close();
    }
  });

  test("a blocking command waiting longer than livenessTimeout is not mistaken for a dead peer", async () => {
    const c = createClient({ url: server.url, commandTimeout: 200, livenessTimeout: 200, maxConsecutiveTimeouts: 1 });
    try {
      const popped = c.blpop("live:queue", 3);
      await sleep(1_500);
      await c.rpush("live:queue", "job");
      assert.deepEqual(await popped, ["live:queue", "job"]);
    } finally {
      await c.close();
    }
  });

  test("a pooled connection to a frozen server is noticed, and the pool replaces it", async () => {
    const pool = createPool({ url: proxy.url, max: 1, commandTimeout: 300, livenessTimeout: 300, connectTimeout: 400, reconnect });
    try {
      const lease = await pool.acquire();
      proxy.links.at(-1)!.set({ frozen: true });
      await assert.rejects(lease.send(["PING"]), TimeoutError);
      const err = await lease.send(["INCR", "live:pooled"], { timeout: 30_000 }).catch((e: unknown) => e);
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /may have run/);
      await lease.release();
      assert.equal(await pool.ping(), "PONG");
    } finally {
      await pool.close();
    }
  });

  for (const protocol of [2, 3] as const) {
    test(`RESP${protocol}: a subscriber whose server freezes notices, and is subscribed again once it can reach it`, async () => {
      const c = createClient({ url: proxy.url, protocol, commandTimeout: 300, livenessTimeout: 300, connectTimeout: 400, reconnect });
      const publisher = createClient(server.url);
      const errors: Error[] = [];
      c.on("error", (err) => errors.push(err));
      try {
        const got: string[] = [];
        await c.ping(); // the multiplexer's own connection is up: the next link is the subscriber's
        const accepted = proxy.accepted;
        await c.subscribe(`live:news:${protocol}`, (message) => got.push(String(message)));
        const link = proxy.links.find((l) => l.id > accepted)!;
        await sleep(1_000); // a few heartbeats: their PONGs must not disturb an idle subscriber
        assert.deepEqual(errors, []);
        await publisher.publish(`live:news:${protocol}`, "before");
        await until(() => got.includes("before"), "a message before the freeze");
        link.set({ frozen: true });
        const frozenAt = Date.now();
        await until(() => errors.length > 0, "the subscriber to notice", 5_000);
        assert.ok(Date.now() - frozenAt < 2_500, `noticed after ${Date.now() - frozenAt} ms`);
        // The frozen link's server side still counts as a subscriber, so publish until one arrives.
        await until(async () => (await publisher.publish(`live:news:${protocol}`, "back"), got.includes("back")), "a message on the new subscription", 5_000);
      } finally {
        await publisher.close();
        await c.close();
      }
    });
  }

  test("TCP keepalive is on, probing after keepAlive ms of idleness; keepAlive: false turns it off", async () => {
    if (!existsSync("/proc/net/tcp")) return; // the kernel's timers are read from Linux's /proc
    const on = createClient({ url: server.url, keepAlive: 3_000 });
    const off = createClient({ url: server.url, keepAlive: false });
    try {
      const timer = tcpTimer(await localPort(on), server.port);
      assert.match(timer ?? "", /^02:/, `timer ${timer}`); // 02: the keepalive timer
      // Deno cannot set the idle time (the OS default applies); Node and Bun can. The field counts 1/100 s.
      if (!("Deno" in globalThis)) assert.ok(parseInt(timer!.slice(3), 16) * 10 <= 3_000, `timer ${timer}`);
      assert.match(tcpTimer(await localPort(off), server.port) ?? "", /^00:/);
    } finally {
      await Promise.all([on.close(), off.close()]);
    }
  });
});
