import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { ClosedError, ConnectionError, LimitError, ProtocolError, RedisError, TimeoutError, createClient, raw, type RedisClient } from "../../mod.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import type { Connector } from "../../src/transport/types.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";

/** A connector that counts socket writes, to see auto-pipelining from outside. */
function countingConnector(counter: { writes: number }): Connector {
  return async (options) => {
    const socket = await (await defaultConnector())(options);
    const write = socket.write.bind(socket);
    socket.write = (chunk) => {
      counter.writes++;
      return write(chunk);
    };
    return socket;
  };
}

describe("multiplexer client", () => {
  let server: RedisServer;
  let redis: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    redis = createClient({ url: server.url, clientName: "mux-test" });
  });
  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  test("commands issued in the same tick leave in two socket writes: the first 32 at once, the rest at the end of the tick", async () => {
    const counter = { writes: 0 };
    const c = createClient({ url: server.url, connector: countingConnector(counter) });
    try {
      await c.send(["PING"]);
      const before = counter.writes;
      const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => c.send(["ECHO", String(i)])));
      assert.equal(counter.writes - before, 2);
      replies.forEach((r, i) => assert.equal(r, String(i)));
    } finally {
      await c.close();
    }
  });

  test("a blocking pop runs on its own connection and does not stall other callers", async () => {
    const popped = redis.blpop("mux:queue", 5);
    const started = Date.now();
    assert.equal(await redis.send(["PING"]), "PONG");
    assert.ok(Date.now() - started < 1_000, "PING waited behind BLPOP");
    await redis.rpush("mux:queue", "job-1");
    assert.deepEqual(await popped, ["mux:queue", "job-1"]);
  });

  test("multi() runs contiguously and reports per-command errors", async () => {
    await redis.set("mux:text", "abc");
    const noise = Array.from({ length: 50 }, () => redis.incr("mux:noise"));
    const results = await redis.multi().set("mux:n", "1").incr("mux:n").incr("mux:text").get("mux:n").exec();
    await Promise.all(noise);
    assert.ok(results);
    assert.equal(results[0], "OK");
    assert.equal(results[1], 2);
    assert.ok(results[2] instanceof RedisError);
    assert.equal(results[3], "2");
  });

  test("a command Redis refuses to queue aborts the whole transaction with EXECABORT", async () => {
    const results = await redis.multi().incr("mux:abort").add(raw(["SET", "only-a-key"])).exec();
    assert.ok(results);
    assert.ok(results.every((r) => r instanceof RedisError));
    assert.equal((results[0] as RedisError).code, "EXECABORT");
    assert.equal(await redis.get("mux:abort"), null);
  });

  test("isolated() supports WATCH: EXEC returns null when the key changed", async () => {
    await redis.set("mux:balance", "100");
    const result = await redis.isolated(async (c) => {
      await c.send(["WATCH", "mux:balance"]);
      await redis.set("mux:balance", "50"); // another caller changes it
      return c.multi().set("mux:balance", "90").exec();
    });
    assert.equal(result, null);
    assert.equal(await redis.get("mux:balance"), "50");
  });

  test("stateful commands are refused on the shared connection with a hint", async () => {
    await assert.rejects(redis.send(["SELECT", "2"]), /db option/);
    await assert.rejects(redis.send(["SUBSCRIBE", "x"]), /subscribe\(\)/);
    await assert.rejects(redis.send(["MULTI"]), TypeError);
  });

  test("subscribe and psubscribe deliver messages; unsubscribing stops them", async () => {
    const got: string[] = [];
    const off = await redis.subscribe("mux:news", (message, channel) => got.push(`${channel}:${message}`));
    const offPattern = await redis.psubscribe("mux:n*", (message, channel, pattern) => got.push(`${pattern}|${channel}:${message}`));
    assert.equal(await redis.publish("mux:news", "hello"), 2);
    await until(() => got.length === 2, "two deliveries");
    assert.deepEqual(got.sort(), ["mux:n*|mux:news:hello", "mux:news:hello"]);
    await off();
    await offPattern();
    await until(async () => (await redis.publish("mux:news", "again")) === 0, "unsubscribe");
  });

  test("subscriptions are restored after the subscriber connection is killed", async () => {
    const got: string[] = [];
    const off = await redis.subscribe("mux:restored", (message) => got.push(String(message)));
    await redis.send(["CLIENT", "KILL", "TYPE", "pubsub"]);
    await until(async () => (await redis.publish("mux:restored", "back")) === 1, "resubscription");
    await until(() => got.includes("back"), "delivery after resubscribe");
    await off();
  });

  test("recovers after CLIENT KILL of its connection", async () => {
    const c = createClient({ url: server.url, clientName: "victim" });
    try {
      const id = await c.send(["CLIENT", "ID"]);
      await redis.send(["CLIENT", "KILL", "ID", String(id)]);
      await until(async () => (await c.send(["PING"]).catch(() => "")) === "PONG", "reconnect");
      assert.notEqual(await c.send(["CLIENT", "ID"]), id);
    } finally {
      await c.close();
    }
  });

  test("CLIENT PAUSE longer than commandTimeout rejects in time, then works again", async () => {
    const c = createClient({ url: server.url, commandTimeout: 200 });
    try {
      await c.send(["PING"]);
      await redis.send(["CLIENT", "PAUSE", "800", "ALL"]);
      const started = Date.now();
      await assert.rejects(c.get("mux:paused"), TimeoutError);
      const waited = Date.now() - started;
      assert.ok(waited >= 150 && waited < 700, `timed out after ${waited} ms`);
      await sleep(700);
      assert.equal(await c.send(["PING"]), "PONG");
    } finally {
      await redis.send(["CLIENT", "UNPAUSE"]);
      await c.close();
    }
  });

  test("stats() reports state, queue and subscriptions", async () => {
    const stats = redis.stats();
    assert.equal(stats.state, "ready");
    assert.equal(stats.pending, 0);
    assert.equal(typeof stats.inFlight, "number");
  });
});

describe("multiplexer client under faults", () => {
  test("every command settles when the server is killed under load, and the client recovers", async () => {
    const server = await startRedis();
    const c = createClient({ url: server.url, reconnect: { initialDelay: 20, maxDelay: 100 } });
    try {
      await c.send(["PING"]);
      let stop = false;
      const outcomes: Array<"ok" | "connection" | "timeout" | "other"> = [];
      const load = (async () => {
        while (!stop) {
          const batch = Array.from({ length: 100 }, (_, i) => c.incr(`fault:${i % 10}`));
          const settled = await Promise.allSettled(batch);
          for (const s of settled) {
            outcomes.push(s.status === "fulfilled" ? "ok" : s.reason instanceof ConnectionError ? "connection" : s.reason instanceof TimeoutError ? "timeout" : "other");
          }
          await sleep(1);
        }
      })();
      await sleep(100);
      await server.kill();
      await sleep(200);
      await server.restart();
      await until(async () => (await c.send(["PING"]).catch(() => "")) === "PONG", "recovery", 10_000);
      stop = true;
      await load;
      assert.ok(outcomes.includes("ok"));
      assert.ok(!outcomes.includes("other"), `unexpected failures: ${outcomes.filter((o) => o === "other").length}`);
    } finally {
      await c.close();
      await server.stop();
    }
  });

  test("commands issued while disconnected wait in a bounded queue and run after reconnecting", async () => {
    const server = await startRedis();
    const c = createClient({ url: server.url, maxPending: 3, reconnect: { initialDelay: 20, maxDelay: 50 } });
    try {
      await c.send(["PING"]);
      await server.kill();
      await until(() => c.stats().state === "reconnecting", "reconnecting state");
      const queued = [c.send(["ECHO", "a"]), c.send(["ECHO", "b"]), c.send(["ECHO", "c"])];
      await assert.rejects(c.send(["ECHO", "d"]), (err: unknown) => err instanceof LimitError && err.limit === "maxPending");
      await server.restart();
      assert.deepEqual(await Promise.all(queued), ["a", "b", "c"]);
    } finally {
      await c.close();
      await server.stop();
    }
  });

  test("close() during reconnect rejects queued commands with ClosedError and ends", async () => {
    const server = await startRedis();
    const c = createClient({ url: server.url, reconnect: { initialDelay: 50, maxDelay: 100 } });
    let ended = false;
    c.on("end", () => (ended = true));
    try {
      await c.send(["PING"]);
      await server.kill();
      await until(() => c.stats().state === "reconnecting", "reconnecting state");
      const queued = c.send(["PING"]);
      await c.close();
      await assert.rejects(queued, ClosedError);
      await assert.rejects(c.send(["PING"]), ClosedError);
      assert.ok(ended);
    } finally {
      await server.stop();
    }
  });

  test("close() returns in bounded time when the server has stopped answering, rejecting what was in flight", async () => {
    const server = await startRedis();
    const c = createClient({ url: server.url, commandTimeout: 0 });
    try {
      await c.send(["PING"]);
      server.pause();
      const inFlight = c.send(["GET", "k"]);
      const started = Date.now();
      await c.close({ timeout: 200 });
      assert.ok(Date.now() - started < 3_000, `close() took ${Date.now() - started} ms`);
      await assert.rejects(inFlight, (e: Error) => e instanceof ConnectionError && /may have run/.test(e.message));
    } finally {
      server.resume();
      await server.stop();
    }
  });

  test("close() before the first connection settles everything", async () => {
    const c = createClient({ url: "redis://127.0.0.1:1", reconnect: { initialDelay: 1000 } });
    const pending = c.send(["PING"]);
    await c.close();
    await assert.rejects(pending, ClosedError);
  });

  test("a server sending garbage rejects the command with ProtocolError without crashing", async () => {
    const liar: Server = createServer((socket) => {
      socket.on("data", (d) => socket.write(String(d).includes("HELLO") ? "%1\r\n+id\r\n:7\r\n" : "&nonsense\r\n"));
    });
    await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
    const port = (liar.address() as { port: number }).port;
    const c = createClient({ port, reconnect: { initialDelay: 1000 } });
    try {
      await assert.rejects(c.send(["GET", "k"]), ProtocolError);
    } finally {
      await c.close();
      liar.close();
    }
  });

  test("emits connect, ready, error, reconnecting and end", async () => {
    const server = await startRedis();
    const c = createClient({ url: server.url, reconnect: { initialDelay: 20, maxDelay: 50 } });
    const seen: string[] = [];
    for (const event of ["connect", "ready", "error", "reconnecting", "end"] as const) c.on(event, () => seen.push(event));
    try {
      await until(() => seen.includes("ready"), "ready");
      await server.kill();
      await until(() => seen.includes("reconnecting"), "reconnecting");
      await server.restart();
      await until(() => seen.filter((e) => e === "ready").length === 2, "second ready");
    } finally {
      await c.close();
      await server.stop();
    }
    assert.ok(seen.includes("connect") && seen.includes("error"));
    assert.equal(seen.at(-1), "end");
  });
});
