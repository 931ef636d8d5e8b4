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
});
