import assert from "node:assert/strict";
import { createClient, RedisError, type MasterSwitch } from "../../mod.ts";
import { startFakeSentinel, type FakeSentinel } from "../harness/fake-sentinel.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

describe("Sentinel: the data node's own replies", () => {
  let a: RedisServer;
  let b: RedisServer;
  let sentinel: FakeSentinel;
  beforeAll(async () => {
    [a, b] = await Promise.all([startRedis(), startRedis()]);
    sentinel = await startFakeSentinel({ host: "127.0.0.1", port: a.port });
  });
  afterAll(async () => {
    await sentinel?.stop();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  test("a READONLY reply from a demoted master, with no +switch-master heard, makes the client ask again and move to the new master", async () => {
    const switches: MasterSwitch[] = [];
    const c = createClient({ sentinel: { name: "mymaster", sentinels: [{ host: "127.0.0.1", port: sentinel.port }] } });
    c.on("failover", (change) => switches.push(change));
    const admin = createClient(a.url);
    try {
      await c.set("demoted", "before");
      assert.equal(await admin.get("demoted"), "before");
      // A is demoted behind the client's back; the sentinel names B from now on but says nothing.
      sentinel.master = { host: "127.0.0.1", port: b.port };
      await admin.send(["REPLICAOF", "127.0.0.1", b.port]);
      const first = await c.set("demoted", "after").catch((err: Error) => err);
      assert.ok(first instanceof RedisError && first.code === "READONLY", `got ${String(first)}`);
      await until(async () => (await c.set("demoted", "after").catch(() => null)) === "OK", "writes to reach the new master");
      assert.deepEqual(switches, [{ name: "mymaster", from: `127.0.0.1:${a.port}`, to: `127.0.0.1:${b.port}` }]);
      assert.equal(String(((await c.send(["ROLE"])) as unknown[])[0]), "master");
      const onB = createClient(b.url);
      assert.equal(await onB.get("demoted"), "after");
      await onB.close();
    } finally {
      await admin.send(["REPLICAOF", "NO", "ONE"]);
      await Promise.all([c.close(), admin.close()]);
    }
  });

  test("after a switch, a sentinel that still names the old master is not followed back to it", async () => {
    const behind = await startFakeSentinel({ host: "127.0.0.1", port: a.port });
    const ahead = await startFakeSentinel({ host: "127.0.0.1", port: a.port });
    const switches: MasterSwitch[] = [];
    const c = createClient({ sentinel: { name: "mymaster", sentinels: [behind, ahead].map((s) => ({ host: "127.0.0.1", port: s.port })) } });
    c.on("failover", (change) => switches.push(change));
    c.on("error", () => {});
    const onB = createClient(b.url);
    try {
      await c.set("followed", "on A");
      await until(() => behind.subscribers === 1, "the client's +switch-master subscription");
      // The failover happened; the sentinel the client asks first has not heard of it yet.
      ahead.master = { host: "127.0.0.1", port: b.port };
      behind.announce("mymaster", { host: "127.0.0.1", port: a.port }, { host: "127.0.0.1", port: b.port });
      await until(() => switches.length === 1, "the switch");
      await until(async () => (await c.set("followed", "on B").catch(() => null)) === "OK" && (await onB.get("followed")) === "on B", "writes on B");
      // A reconnect asks the sentinels again: "behind" still names A, and is passed over.
      const id = Number(await c.send(["CLIENT", "ID"]));
      await onB.send(["CLIENT", "KILL", "ID", id]);
      await until(async () => Number(await c.send(["CLIENT", "ID"]).catch(() => id)) !== id, "a new connection");
      await c.set("followed", "still on B");
      assert.equal(await onB.get("followed"), "still on B");
      assert.equal(switches.length, 1, JSON.stringify(switches));
    } finally {
      await Promise.all([c.close(), onB.close()]);
      await Promise.all([behind.stop(), ahead.stop()]);
    }
  });
});
