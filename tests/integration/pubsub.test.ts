import assert from "node:assert/strict";
import { ClosedError, ConnectionError, RedisError, createClient, type Connector, type RedisClient } from "../../mod.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";
import { blackholeConnector } from "./pool-helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How a promise stands after `ms`: its value, its error, or "pending". */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | Error | "pending"> {
  return Promise.race([promise.catch((err: Error) => err), sleep(ms).then(() => "pending" as const)]);
}

/**
 * A connector whose sockets receive a reply nobody asked for right after the client writes a
 * (P|S)SUBSCRIBE: the connection is poisoned (ProtocolError) every time it subscribes, so it
 * keeps being lost and reconnected. Counts the sockets it opened.
 */
function poisonedSubscribeConnector(): { connector: Connector; opened: number } {
  const state = {
    opened: 0,
    connector: (async (options) => {
      const socket = await (await defaultConnector())(options);
      state.opened++;
      const write = socket.write.bind(socket);
      socket.write = (chunk) => {
        const ok = write(chunk);
        if (decoder.decode(chunk).includes("SUBSCRIBE")) setTimeout(() => options.onData(encoder.encode("+UNASKED\r\n")), 0);
        return ok;
      };
      return socket;
    }) as Connector,
  };
  return state;
}

describe("pub/sub subscriber", () => {
  let server: RedisServer;
  let admin: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    admin = createClient({ url: server.url });
    // A user that may use only the channels allowed:* (Redis 7 ACL channel rules).
    await admin.send(["ACL", "SETUSER", "resplex-sub", "on", ">pw", "~*", "resetchannels", "&allowed:*", "+@all"]);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    test(`subscribe() refused by the ACL rejects with the server's NOPERM and leaves the other subscriptions working (RESP${protocol})`, async () => {
      let opened = 0;
      const c = createClient({
        url: server.url, username: "resplex-sub", password: "pw", protocol, commandTimeout: 3_000,
        hooks: { connection: (event) => void (event.type === "open" && opened++) },
      });
      try {
        const got: string[] = [];
        await c.subscribe(`allowed:${protocol}:a`, (message) => got.push(`a:${message}`));
        const openedBefore = opened;
        const err = await c.subscribe(`denied:${protocol}`, () => {}).then(() => undefined, (e: Error) => e);
        assert.ok(err instanceof RedisError, `expected a RedisError, got ${err}`);
        assert.equal(err.code, "NOPERM");
        // The connection was not poisoned: the earlier subscription still delivers, a later one works.
        await c.subscribe(`allowed:${protocol}:b`, (message) => got.push(`b:${message}`));
        assert.equal(await admin.publish(`allowed:${protocol}:a`, "1"), 1);
        assert.equal(await admin.publish(`allowed:${protocol}:b`, "2"), 1);
        await until(() => got.length === 2, "both deliveries");
        assert.deepEqual(got, ["a:1", "b:2"]);
        assert.equal(opened, openedBefore, "the subscriber connection was reopened");
        assert.equal(c.stats().subscriptions, 2);
      } finally {
        await c.close();
      }
    });
  }

  test("a channel the ACL stops allowing is reported after a reconnect; the others are restored", async () => {
    await admin.send(["ACL", "SETUSER", "resplex-sub-2", "on", ">pw", "~*", "resetchannels", "&allowed:*", "+@all"]);
    const errors: Error[] = [];
    const c = createClient({ url: server.url, username: "resplex-sub-2", password: "pw", commandTimeout: 3_000 });
    c.on("error", (err) => errors.push(err));
    try {
      const got: string[] = [];
      await c.subscribe(["allowed:kept", "allowed:revoked"], (message, channel) => got.push(`${channel}:${message}`));
      // Redis disconnects subscribers whose channels a user loses; the subscriber reconnects.
      await admin.send(["ACL", "SETUSER", "resplex-sub-2", "resetchannels", "&allowed:kept"]);
      await until(() => errors.some((e) => e instanceof RedisError && e.code === "NOPERM"), "the NOPERM of the resubscription");
      await until(async () => (await admin.publish("allowed:kept", "still")) === 1, "allowed:kept resubscribed");
      await until(() => got.includes("allowed:kept:still"), "delivery on allowed:kept");
      assert.equal(c.stats().subscriptions, 1);
    } finally {
      await c.close();
    }
  });

  test("a subscriber connection lost again and again reconnects with growing delays", async () => {
    const poisoned = poisonedSubscribeConnector();
    const c = createClient({ url: server.url, connector: poisoned.connector, commandTimeout: 1_000, reconnect: { initialDelay: 50, maxDelay: 2_000 } });
    c.on("error", () => {});
    try {
      await c.send(["PING"]); // the shared connection: one socket, never poisoned
      const before = poisoned.opened;
      const subscribing = c.subscribe("poisoned", () => {}).catch(() => {}); // never confirmed: times out
      await sleep(1_500);
      await subscribing;
      // Delays of 25-50, 50-100, 100-200, 200-400, 400-800 ms: at most about 6 sockets in 1.5 s.
      const sockets = poisoned.opened - before;
      assert.ok(sockets >= 2, `the subscriber did not reconnect (${sockets} sockets)`);
      assert.ok(sockets <= 10, `${sockets} subscriber sockets in 1.5 s: reconnects do not back off`);
    } finally {
      await c.close();
    }
  });

  test("concurrent subscribe() calls for one channel both resolve only once it is subscribed", async () => {
    const c = createClient({ url: server.url });
    try {
      const first: string[] = [];
      const second: string[] = [];
      const one = c.subscribe("twice", (message) => first.push(String(message)));
      await c.subscribe("twice", (message) => second.push(String(message)));
      assert.equal(await admin.publish("twice", "hello"), 1);
      await one;
      await until(() => first.length === 1 && second.length === 1, "both listeners receive");
    } finally {
      await c.close();
    }
  });

  test("close() rejects subscribe() calls still connecting with ClosedError", async () => {
    const c = createClient({ url: server.url, commandTimeout: 0 });
    const pending = c.subscribe("closing:connect", () => {});
    const outcome = settledWithin(pending, 5_000); // handled before close() rejects it
    await c.close();
    assert.ok((await outcome) instanceof ClosedError, `subscribe() after close(): ${String(await outcome)}`);
  });

  test("close() rejects subscribe() calls awaiting confirmation with ClosedError", async () => {
    const silent = blackholeConnector();
    const c = createClient({ url: server.url, commandTimeout: 0, connector: silent.connector });
    await c.subscribe("closing:first", () => {});
    silent.silence(); // the server's confirmation never arrives
    const pending = c.subscribe("closing:second", () => {});
    await sleep(50);
    const outcome = settledWithin(pending, 5_000); // handled before close() rejects it
    await c.close();
    assert.ok((await outcome) instanceof ClosedError, `subscribe() after close(): ${String(await outcome)}`);
  });
});

describe("pub/sub subscriber after giving up", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("subscribe() after the subscriber gave up reconnecting starts a new connection, and old subscriptions come back", async () => {
    const errors: Error[] = [];
    const c = createClient({ url: server.url, commandTimeout: 2_000, reconnect: { initialDelay: 20, maxDelay: 50, maxAttempts: 3 } });
    c.on("error", (err) => errors.push(err));
    try {
      const got: string[] = [];
      await c.subscribe("before", (message) => got.push(`before:${message}`));
      await server.kill();
      await until(() => errors.some((e) => /subscri.*gave up/i.test(e.message)), "the subscriber giving up");
      await server.restart();
      await c.subscribe("after", (message) => got.push(`after:${message}`));
      const publisher = createClient({ url: server.url });
      try {
        assert.equal(await publisher.publish("after", "1"), 1);
        await until(async () => (await publisher.publish("before", "2")) === 1, "the old subscription restored");
      } finally {
        await publisher.close();
      }
      await until(() => got.includes("after:1") && got.includes("before:2"), "deliveries on the new connection");
    } finally {
      await c.close();
    }
  });

  test("subscribe() while the server is down rejects with ConnectionError once the subscriber gives up, even without commandTimeout", async () => {
    await server.kill();
    const c = createClient({ url: server.url, commandTimeout: 0, reconnect: { initialDelay: 20, maxDelay: 50, maxAttempts: 2 } });
    c.on("error", () => {});
    try {
      const outcome = await settledWithin(c.subscribe("unreachable", () => {}), 5_000);
      assert.ok(outcome instanceof ConnectionError, `subscribe() with no server: ${String(outcome)}`);
      assert.match(outcome.message, /gave up/);
    } finally {
      await c.close();
      await server.restart();
    }
  });
});
