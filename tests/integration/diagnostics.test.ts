import assert from "node:assert/strict";
import diagnostics from "node:diagnostics_channel";
import { ConnectionError, createClient, createPool, RedisError, type ConnectionEvent, type PoolWaitEvent } from "../../mod.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

type Message = Record<string, unknown>;
type Event = [kind: string, message: Message];

/** Subscribe to every event of tracing channel `name`; returns what it saw and a function that unsubscribes. */
function record(name: string): { events: Event[]; stop: () => void } {
  const events: Event[] = [];
  const handlers = Object.fromEntries(
    ["start", "end", "asyncStart", "asyncEnd", "error"].map((kind) => [kind, (message: unknown) => void events.push([kind, { ...(message as Message) }])]),
  ) as unknown as diagnostics.TracingChannelSubscribers<object>;
  const channel = diagnostics.tracingChannel(name);
  channel.subscribe(handlers);
  return { events, stop: () => void channel.unsubscribe(handlers) };
}

/** Subscribe to plain channel `name`. */
function listen<T>(name: string): { messages: T[]; stop: () => void } {
  const messages: T[] = [];
  const onMessage = (message: unknown) => void messages.push(message as T);
  diagnostics.subscribe(name, onMessage);
  return { messages, stop: () => void diagnostics.unsubscribe(name, onMessage) };
}

describe("diagnostics channels", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("resplex:command traces each command: start and end as it is sent, asyncStart and asyncEnd as it settles", async () => {
    const redis = createClient(`${server.url}/2`);
    await redis.ping(); // connected before anyone listens
    const seen = record("resplex:command");
    try {
      await redis.set("dc:a", "1");
      assert.deepEqual(seen.events.map(([kind]) => kind), ["start", "end", "asyncStart", "asyncEnd"]);
      assert.deepEqual(seen.events[0]![1], {
        command: "SET",
        args: ["SET", "dc:a", "1"],
        serverAddress: "127.0.0.1",
        serverPort: server.port,
        database: 2,
      });
    } finally {
      seen.stop();
      await redis.close();
    }
  });

  test("a failed command publishes error, with the error on the message", async () => {
    const redis = createClient(server.url);
    const seen = record("resplex:command");
    try {
      await redis.set("dc:s", "v");
      seen.events.length = 0;
      await assert.rejects(redis.lpush("dc:s", "x"), RedisError);
      assert.deepEqual(seen.events.map(([kind]) => kind), ["start", "end", "error", "asyncStart", "asyncEnd"]);
      const error = seen.events[2]![1].error as RedisError;
      assert.ok(error instanceof RedisError);
      assert.equal(error.code, "WRONGTYPE");
    } finally {
      seen.stop();
      await redis.close();
    }
  });

  test("a multi() is one MULTI with batchSize; a password is redacted; nothing after unsubscribing", async () => {
    const pool = createPool({ url: server.url, max: 1 });
    const seen = record("resplex:command");
    try {
      await pool.multi().set("dc:m", "1").incr("dc:m").exec();
      await pool.withConnection((lease) => assert.rejects(lease.send(["AUTH", "nobody", "s3cret-pw"]), RedisError));
      const starts = seen.events.filter(([kind]) => kind === "start").map(([, m]) => [m.command, m.batchSize, m.args]);
      assert.deepEqual(starts, [["MULTI", 2, ["MULTI"]], ["AUTH", undefined, ["AUTH", "(redacted)", "(redacted)"]]]);
      seen.stop();
      const count = seen.events.length;
      await pool.get("dc:m");
      assert.equal(seen.events.length, count);
    } finally {
      seen.stop();
      await pool.close();
    }
  });

  test("resplex:connect traces each connect, with the client id once connected and the error when it failed", async () => {
    const seen = record("resplex:connect");
    const redis = createClient(server.url);
    try {
      await redis.ping();
      assert.deepEqual(seen.events.map(([kind]) => kind), ["start", "end", "asyncStart", "asyncEnd"]);
      const done = seen.events[3]![1];
      assert.equal(done.address, `127.0.0.1:${server.port}`);
      assert.ok(typeof done.clientId === "number" && done.clientId > 0);
      seen.events.length = 0;
      const nowhere = createClient({ port: await freePort(), reconnect: false, connectTimeout: 1_000 });
      await assert.rejects(nowhere.ping(), ConnectionError);
      await nowhere.close();
      assert.deepEqual(seen.events.map(([kind]) => kind), ["start", "end", "error", "asyncStart", "asyncEnd"]);
      assert.ok(seen.events[2]![1].error instanceof ConnectionError);
    } finally {
      seen.stop();
      await redis.close();
    }
  });

  test("resplex:connection carries the connection events, resplex:pool:wait the pool waits", async () => {
    const connections = listen<ConnectionEvent>("resplex:connection");
    const waits = listen<PoolWaitEvent>("resplex:pool:wait");
    const pool = createPool({ url: server.url, max: 1 });
    try {
      const lease = await pool.acquire();
      const second = pool.acquire();
      setTimeout(() => void lease.release(), 20);
      await (await second).release();
      await pool.close();
      await until(() => connections.messages.some((e) => e.type === "close"), "the close event");
      assert.deepEqual(connections.messages.map((e) => e.type), ["open", "close"]);
      assert.ok(waits.messages.some((w) => w.kind === "lease" && w.outcome === "acquired" && w.waitedMs >= 10));
    } finally {
      connections.stop();
      waits.stop();
      await pool.close();
    }
  });
});
