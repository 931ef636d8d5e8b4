import assert from "node:assert/strict";
import { createClient, createPool, ConnectionError, RedisError, TimeoutError, type Connector } from "../../mod.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import { freePort } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { DATA_PASSWORD, SENTINEL_USER, startSentinelGroup, type SentinelGroup } from "../harness/sentinel.ts";
import { until } from "../harness/wait.ts";

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then((value) => assert.fail(`resolved with ${String(value)}`), (err: Error) => err);
}

/** A connector that records the port of every connection asked for, and can send one port's connections elsewhere. */
function recordingConnector(redirect?: { from: number; to: number; times: number }) {
  const ports: number[] = [];
  const connector: Connector = async (options) => {
    ports.push(options.port ?? 0);
    let port = options.port;
    if (redirect && port === redirect.from && redirect.times > 0) {
      redirect.times--;
      port = redirect.to;
    }
    return (await defaultConnector())({ ...options, port });
  };
  return { connector, ports };
}

/** How many times the server ran `command` (INFO commandstats). */
async function calls(group: SentinelGroup, node: SentinelGroup["nodes"][number], command: string): Promise<number> {
  const stats = String(await group.data(node, ["INFO", "commandstats"]));
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

describe("Sentinel: discovery", () => {
  let group: SentinelGroup;
  beforeAll(async () => {
    group = await startSentinelGroup();
  }, 60_000);
  afterAll(() => group?.stop(), 30_000);

  test("the sentinel option finds the master: writes land there", async () => {
    const c = createClient({ sentinel: { name: group.name, sentinels: group.sentinelAddresses }, password: DATA_PASSWORD });
    try {
      await c.set("sentinel:where", "here");
      const master = await group.master();
      assert.equal(await group.data(master, ["GET", "sentinel:where"]), "here");
      assert.equal(String(((await c.send(["ROLE"])) as unknown[])[0]), "master");
    } finally {
      await c.close();
    }
  });

  test("the redis+sentinel:// URL, with the data nodes' password and a db, works for createClient and createPool", async () => {
    const url = `${group.url}/3`;
    const c = createClient(url);
    const pool = createPool({ url, max: 2 });
    try {
      await c.set("sentinel:url", "client");
      assert.equal(await pool.get("sentinel:url"), "client");
      assert.equal(await group.data(await group.master(), ["GET", "sentinel:url"]), null); // db 0: not there
      assert.match(String(await pool.send(["CLIENT", "INFO"])), / db=3 /);
    } finally {
      await c.close();
      await pool.close();
    }
  });

  test("the sentinels' own credentials are used for the sentinels only; wrong ones fail at once, naming every sentinel", async () => {
    const sentinels = group.sentinelAddresses;
    const right = createClient({ sentinel: { name: group.name, sentinels, ...SENTINEL_USER }, password: DATA_PASSWORD });
    try {
      assert.equal(await right.ping(), "PONG");
    } finally {
      await right.close();
    }
    const wrong = createClient({
      sentinel: { name: group.name, sentinels, username: SENTINEL_USER.username, password: "not-the-secret" },
      password: DATA_PASSWORD,
      reconnect: { initialDelay: 500 },
    });
    wrong.on("error", () => {});
    try {
      const err = await rejection(wrong.connect());
      assert.ok(err instanceof ConnectionError, `got ${err}`);
      for (const s of sentinels) assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${s.port}: WRONGPASS`));
      assert.doesNotMatch(`${err.message} ${err.stack}`, /not-the-secret/);
      const started = Date.now();
      const command = await rejection(wrong.get("k"));
      assert.ok(Date.now() - started < 400, "a command waited although the credentials cannot work");
      assert.ok((command.cause as Error | undefined)?.message.includes("WRONGPASS"), `got ${command.message}`);
    } finally {
      await wrong.close();
    }
  });

  test("every sentinel unreachable: commands fail naming each sentinel and its last error, and the client retries with backoff", async () => {
    const sentinels = [{ host: "127.0.0.1", port: await freePort() }, { host: "127.0.0.1", port: await freePort() }];
    const retries: number[] = [];
    const c = createClient({ sentinel: { name: group.name, sentinels }, commandTimeout: 600, reconnect: { initialDelay: 50, maxDelay: 200 } });
    c.on("error", () => {});
    c.on("reconnecting", ({ delay }) => retries.push(delay));
    try {
      const err = await rejection(c.get("k"));
      assert.ok(err instanceof TimeoutError, `got ${err}`);
      const why = String((err.cause as Error)?.message);
      assert.match(why, new RegExp(`no sentinel of "${group.name}" answered`));
      for (const s of sentinels) assert.match(why, new RegExp(`127\\.0\\.0\\.1:${s.port}: could not connect to 127\\.0\\.0\\.1:${s.port}`));
      assert.ok(retries.length >= 2, `${retries.length} retries`);
      assert.ok(retries.every((d) => d > 0 && d <= 200), `delays ${retries.join(", ")}`);
    } finally {
      await c.close();
    }
  });

  test("an unreachable sentinel is skipped, the one that answered is asked first next time, and more are learnt from SENTINEL SENTINELS", async () => {
    const dead = { host: "127.0.0.1", port: await freePort() };
    const [first, second, third] = group.sentinelAddresses;
    const recorder = recordingConnector();
    const c = createClient({ sentinel: { name: group.name, sentinels: [dead, second!] }, password: DATA_PASSWORD, connector: recorder.connector });
    try {
      assert.equal(await c.ping(), "PONG");
      assert.ok(recorder.ports.includes(dead.port) && recorder.ports.includes(second!.port));
      // The data connection lost: the next discovery starts at the sentinel that answered.
      const id = Number(await c.send(["CLIENT", "ID"]));
      recorder.ports.length = 0;
      await group.data(await group.master(), ["CLIENT", "KILL", "ID", id]);
      await until(async () => Number(await c.send(["CLIENT", "ID"]).catch(() => id)) !== id, "a new connection");
      assert.ok(!recorder.ports.includes(dead.port), `asked the dead sentinel again: ${recorder.ports.join(", ")}`);
      // With the sentinel it knew down, it asks the ones SENTINEL SENTINELS named.
      await group.kill(group.sentinels[1]!);
      const again = Number(await c.send(["CLIENT", "ID"]));
      await group.data(await group.master(), ["CLIENT", "KILL", "ID", again]);
      await until(async () => Number(await c.send(["CLIENT", "ID"]).catch(() => again)) !== again, "a connection found through a learnt sentinel", 10_000);
      assert.ok(recorder.ports.includes(first!.port) || recorder.ports.includes(third!.port));
    } finally {
      await c.close();
      await group.revive(group.sentinels[1]!);
    }
  }, 30_000);

  test("a node that is not the master, named during a failover, is refused by ROLE and the sentinels are asked again", async () => {
    const master = await group.master();
    const replica = await group.replica();
    const recorder = recordingConnector({ from: master.port, to: replica.port, times: 1 });
    const errors: Error[] = [];
    const c = createClient({ sentinel: { name: group.name, sentinels: group.sentinelAddresses }, password: DATA_PASSWORD, connector: recorder.connector });
    c.on("error", (err) => errors.push(err));
    try {
      await c.set("sentinel:role", "checked");
      assert.equal(String(((await c.send(["ROLE"])) as unknown[])[0]), "master");
      assert.ok(errors.some((e) => /is not the master of "mymaster": ROLE says slave/.test(e.message)), errors.map((e) => e.message).join("; "));
    } finally {
      await c.close();
    }
  });

  test("two of three sentinels down: clients still find the master", async () => {
    await group.kill(group.sentinels[0]!);
    await group.kill(group.sentinels[1]!);
    try {
      const c = createClient(group.url);
      const pool = createPool({ url: group.url, max: 2 });
      try {
        await c.set("sentinel:two-down", "still");
        assert.equal(await pool.get("sentinel:two-down"), "still");
      } finally {
        await c.close();
        await pool.close();
      }
    } finally {
      await group.revive(group.sentinels[0]!);
      await group.revive(group.sentinels[1]!);
    }
  });

  test('readFrom: "replica" sends reads to a replica (INFO commandstats) and writes to the master', async () => {
    const c = createClient({ url: group.url, readFrom: "replica" });
    const master = await group.master();
    const replica = await group.replica();
    try {
      await group.data(master, ["CONFIG", "RESETSTAT"]);
      await group.data(replica, ["CONFIG", "RESETSTAT"]);
      await c.set("sentinel:read", "from-replica");
      await until(async () => (await c.get("sentinel:read")) === "from-replica", "the write to reach the replica");
      await Promise.all(Array.from({ length: 20 }, () => c.get("sentinel:read")));
      assert.ok((await calls(group, replica, "get")) >= 21);
      assert.equal(await calls(group, master, "get"), 0);
      assert.equal(await calls(group, master, "set"), 1); // (the replica counts the SET it replicated too)
    } finally {
      await c.close();
    }
  });

  test("a client with lazyConnect asks nothing before its first command", async () => {
    const recorder = recordingConnector();
    const c = createClient({ url: group.url, lazyConnect: true, connector: recorder.connector });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(recorder.ports, []);
      await c.connect();
      assert.ok(recorder.ports.length >= 2); // a sentinel, then the master
    } finally {
      await c.close();
    }
  });

  test("a RedisError from the data node is the command's alone", async () => {
    const c = createClient(group.url);
    try {
      await c.set("sentinel:str", "x");
      const err = await rejection(c.send(["LPUSH", "sentinel:str", "y"]));
      assert.ok(err instanceof RedisError && err.code === "WRONGTYPE");
      assert.equal(await c.get("sentinel:str"), "x");
    } finally {
      await c.close();
    }
  });
});
