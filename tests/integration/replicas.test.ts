import assert from "node:assert/strict";
import { createClient, ConnectionError, RedisError } from "../../mod.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

/** How many times `server` ran `command` (INFO commandstats). */
async function calls(server: RedisServer, command: string): Promise<number> {
  const c = createClient(server.url);
  try {
    const stats = String(await c.send(["INFO", "commandstats"]));
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
  } finally {
    await c.close();
  }
}

async function run(server: RedisServer, args: Array<string | number>): Promise<unknown> {
  const c = createClient(server.url);
  try {
    return await c.send(args);
  } finally {
    await c.close();
  }
}

async function linkUp(replica: RedisServer): Promise<void> {
  await until(async () => /master_link_status:up/.test(String(await run(replica, ["INFO", "replication"]))), "the replica's link", 10_000);
}

describe("replica reads without Sentinel (the replicas option)", () => {
  let master: RedisServer;
  let replicas: RedisServer[];
  beforeAll(async () => {
    master = await startRedis();
    const args = ["--replicaof", "127.0.0.1", String(master.port), "--replica-serve-stale-data", "no"];
    replicas = await Promise.all([startRedis({ args }), startRedis({ args })]);
    await Promise.all(replicas.map(linkUp));
  });
  afterAll(async () => {
    await Promise.all([master, ...replicas].map((s) => s?.stop()));
  });

  test('readFrom: "replica" serves reads from a replica (INFO commandstats) and writes from the master', async () => {
    const c = createClient({ url: master.url, replicas: replicas.map((r) => r.url), readFrom: "replica" });
    try {
      await Promise.all([master, ...replicas].map((s) => run(s, ["CONFIG", "RESETSTAT"])));
      await c.set("replicas:k", "v");
      await until(async () => (await c.get("replicas:k")) === "v", "the write to reach the replica");
      await Promise.all(Array.from({ length: 20 }, () => c.get("replicas:k")));
      const onReplicas = (await calls(replicas[0]!, "get")) + (await calls(replicas[1]!, "get"));
      assert.ok(onReplicas >= 21, `${onReplicas} GETs on the replicas`);
      assert.equal(await calls(master, "get"), 0);
      assert.equal(await calls(master, "set"), 1);
    } finally {
      await c.close();
    }
  });

  test("a replica that goes away is dropped: reads move to the other one", async () => {
    const c = createClient({ url: master.url, replicas: replicas.map((r) => r.url), readFrom: "replica", reconnect: { initialDelay: 20, maxDelay: 100 } });
    c.on("error", () => {});
    try {
      await c.set("replicas:moved", "yes");
      await until(async () => (await c.get("replicas:moved")) === "yes", "a read from the first replica");
      await replicas[0]!.kill(); // the first one tried
      await until(async () => (await c.get("replicas:moved").catch(() => null)) === "yes", "reads from the second replica");
      await run(replicas[1]!, ["CONFIG", "RESETSTAT"]);
      assert.equal(await c.get("replicas:moved"), "yes");
      assert.equal(await calls(replicas[1]!, "get"), 1);
    } finally {
      await c.close();
      await replicas[0]!.restart();
      await linkUp(replicas[0]!);
    }
  });

  test('with no replica left, "replica" reads fail at once naming every replica, and "prefer-replica" reads go to the master', async () => {
    const dead = [{ host: "127.0.0.1", port: await freePort() }, { host: "127.0.0.1", port: await freePort() }];
    const strict = createClient({ url: master.url, replicas: dead, readFrom: "replica", commandTimeout: 3_000, reconnect: { initialDelay: 1_000 } });
    const prefer = createClient({ url: master.url, replicas: dead, readFrom: "prefer-replica", reconnect: { initialDelay: 1_000 } });
    strict.on("error", () => {});
    prefer.on("error", () => {});
    try {
      await strict.set("replicas:none", "master has it");
      await until(async () => (await strict.get("replicas:none").catch((e: Error) => e)) instanceof ConnectionError, "the first attempt to fail", 5_000);
      const started = Date.now();
      const err = await strict.get("replicas:none").catch((e: Error) => e);
      assert.ok(Date.now() - started < 500, "a read waited although no replica can serve it");
      assert.ok(err instanceof ConnectionError, `got ${String(err)}`);
      for (const d of dead) assert.match(String((err.cause as Error)?.message ?? err.message), new RegExp(`127\\.0\\.0\\.1:${d.port}`));
      await until(async () => (await prefer.get("replicas:none").catch(() => null)) === "master has it", "prefer-replica reading from the master", 5_000);
      assert.equal(await prefer.set("replicas:none", "still"), "OK");
    } finally {
      await Promise.all([strict.close(), prefer.close()]);
    }
  });

  test("a replica answering MASTERDOWN (cut off from its master) is swapped for the next one", async () => {
    await run(replicas[0]!, ["REPLICAOF", "127.0.0.1", await freePort()]); // its master is gone: it answers MASTERDOWN
    const c = createClient({ url: master.url, replicas: replicas.map((r) => r.url), readFrom: "replica" });
    try {
      await c.set("replicas:stale", "fresh");
      const first = await c.get("replicas:stale").catch((e: Error) => e);
      assert.ok(first instanceof RedisError && first.code === "MASTERDOWN", `got ${String(first)}`);
      await until(async () => (await c.get("replicas:stale").catch(() => null)) === "fresh", "reads from the other replica");
    } finally {
      await c.close();
      await run(replicas[0]!, ["REPLICAOF", "127.0.0.1", master.port]);
      await linkUp(replicas[0]!);
    }
  });
});
