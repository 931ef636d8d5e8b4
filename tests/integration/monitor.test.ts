import assert from "node:assert/strict";
import { ConnectionError, createClient, createPool, type Monitor, type MonitorEntry, type RedisClient } from "../../mod.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

/** A surface that offers monitor(), made against `url`. */
type Surface = { monitor(): Promise<Monitor>; close(): Promise<void> };
const surfaces: Array<[string, (url: string) => Surface]> = [
  ["client (RESP3)", (url) => createClient({ url })],
  ["client (RESP2)", (url) => createClient({ url, protocol: 2 })],
  ["pool", (url) => createPool({ url, max: 2 })],
];

/** The next entry whose command is `name`, skipping the others (the test's own CLIENT LIST, ...). */
async function nextOf(monitor: Monitor, name: string): Promise<MonitorEntry> {
  for (;;) {
    const { value, done } = await monitor.next();
    assert.ok(!done, `the monitor ended before a ${name} arrived`);
    if (value.args[0]?.toLowerCase() === name) return value;
  }
}

/** How many connections of the server are in MONITOR mode (flag O). */
async function monitoring(admin: RedisClient): Promise<number> {
  const list = String(await admin.send(["CLIENT", "LIST"]));
  return list.split("\n").filter((line) => / flags=\w*O/.test(line)).length;
}

describe("monitor()", () => {
  let server: RedisServer;
  let admin: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    admin = createClient({ url: server.url });
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  for (const [name, make] of surfaces) {
    test(`${name}: commands another client sends arrive parsed, with their raw line`, async () => {
      const surface = make(server.url);
      try {
        const monitor = await surface.monitor();
        const before = Date.now() / 1000;
        await admin.set("monitored key", 'a "quoted"\nvalue');
        await admin.send(["SELECT", 0]).catch(() => {}); // refused on the shared connection: not seen
        const entry = await nextOf(monitor, "set");
        assert.deepEqual(entry.args, ["SET", "monitored key", 'a "quoted"\nvalue']);
        assert.equal(entry.db, 0);
        assert.match(entry.client, /^127\.0\.0\.1:\d+$/);
        assert.ok(Math.abs(entry.time - before) < 30, `time ${entry.time} is seconds since the epoch`);
        assert.equal(entry.line, `${entry.line.split(" ")[0]} [0 ${entry.client}] "SET" "monitored key" "a \\"quoted\\"\\nvalue"`);
        await monitor.return();
      } finally {
        await surface.close();
      }
    });

    test(`${name}: break in for await closes the monitor's connection`, async () => {
      const surface = make(server.url);
      try {
        await until(async () => (await monitoring(admin)) === 0, "the monitors of earlier tests to close");
        const monitor = await surface.monitor();
        assert.equal(await monitoring(admin), 1);
        await admin.incr("monitor counter");
        for await (const entry of monitor) if (entry.args[0] === "INCR") break;
        await until(async () => (await monitoring(admin)) === 0, "the MONITOR connection to close");
        assert.deepEqual(await monitor.next(), { value: undefined, done: true });
      } finally {
        await surface.close();
      }
    });

    test(`${name}: close() ends the iteration and closes the connection`, async () => {
      const surface = make(server.url);
      await until(async () => (await monitoring(admin)) === 0, "the monitors of earlier tests to close");
      const monitor = await surface.monitor();
      const waiting = monitor.next();
      await surface.close();
      assert.deepEqual(await waiting, { value: undefined, done: true });
      await until(async () => (await monitoring(admin)) === 0, "the MONITOR connection to close");
      await assert.rejects(surface.monitor(), { name: "ClosedError" });
    });
  }

  test("a server restart ends the iteration with a ConnectionError", async () => {
    const own = await startRedis();
    const client = createClient({ url: own.url });
    const pool = createPool({ url: own.url });
    try {
      const monitors = [await client.monitor(), await pool.monitor()];
      const ends = monitors.map((monitor) => assert.rejects((async () => { for await (const _ of monitor); })(), ConnectionError));
      await own.kill();
      await Promise.all(ends);
      await own.restart();
      for (const monitor of monitors) assert.deepEqual(await monitor.next(), { value: undefined, done: true });
      // The client itself reconnects; a new monitor works.
      const again = await client.monitor();
      await client.ping();
      assert.deepEqual((await nextOf(again, "ping")).args, ["PING"]);
      await again.return();
    } finally {
      await client.close();
      await pool.close();
      await own.stop();
    }
  });

  test("MONITOR through send() stays refused: monitor() is the way", async () => {
    await assert.rejects(admin.send(["MONITOR"]), /monitor|stream of lines/i);
  });
});
