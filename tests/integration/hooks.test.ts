import assert from "node:assert/strict";
import {
  type CommandEnd,
  type CommandStart,
  type ConnectionEvent,
  ConnectionError,
  createClient,
  createPool,
  type Hooks,
  PoolTimeoutError,
  type PoolWaitEvent,
  RedisError,
} from "../../mod.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

/** Hooks that record everything they are told. */
function recorder(): { hooks: Hooks; starts: CommandStart[]; ends: CommandEnd[]; connections: ConnectionEvent[]; waits: PoolWaitEvent[] } {
  const starts: CommandStart[] = [];
  const ends: CommandEnd[] = [];
  const connections: ConnectionEvent[] = [];
  const waits: PoolWaitEvent[] = [];
  const hooks: Hooks = {
    command: (start) => {
      starts.push(start);
      return (end) => ends.push(end);
    },
    connection: (event) => connections.push(event),
    poolWait: (event) => waits.push(event),
  };
  return { hooks, starts, ends, connections, waits };
}

describe("observability hooks", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("the command hook sees each client command start and end, with its duration and error", async () => {
    const seen = recorder();
    const redis = createClient({ url: server.url, hooks: seen.hooks });
    try {
      await redis.set("hooks:s", "v");
      await assert.rejects(redis.lpush("hooks:s", "x"), RedisError);
      assert.deepEqual(seen.starts.map((s) => s.name), ["SET", "LPUSH"]);
      assert.deepEqual(seen.starts[0]!.args, ["SET", "hooks:s", "v"]);
      assert.equal(seen.ends.length, 2);
      assert.equal(seen.ends[0]!.name, "SET");
      assert.equal(seen.ends[0]!.error, undefined);
      assert.ok(seen.ends[0]!.durationMs >= 0 && seen.ends[0]!.durationMs < 5_000);
      assert.ok(seen.ends[1]!.error instanceof RedisError);
      assert.equal((seen.ends[1]!.error as RedisError).code, "WRONGTYPE");
    } finally {
      await redis.close();
    }
  });

  test("a command aborted before it starts is still reported as ended, with its AbortError", async () => {
    const seen = recorder();
    const redis = createClient({ url: server.url, hooks: seen.hooks });
    try {
      await assert.rejects(redis.with({ signal: AbortSignal.abort() }).get("k"));
      assert.equal(seen.ends.length, 1);
      assert.equal(seen.ends[0]!.error?.name, "AbortError");
    } finally {
      await redis.close();
    }
  });

  test("the command hook never sees a password, whatever its type: AUTH, HELLO, CONFIG SET, ACL SETUSER", async () => {
    const seen = recorder();
    const pool = createPool({ url: server.url, max: 1, hooks: seen.hooks });
    const bytes = (s: string) => new TextEncoder().encode(s);
    const secret = (n: number) => `s3cret-pw-${n}`;
    try {
      await pool.withConnection(async (lease) => {
        await assert.rejects(lease.send(["AUTH", "nobody", secret(1)]), RedisError);
        await assert.rejects(lease.send([bytes("auth"), bytes(secret(2))]), RedisError);
        await assert.rejects(lease.send(["HELLO", 3, "AUTH", "nobody", bytes(secret(3))]), RedisError);
      });
      await pool.send(["CONFIG", "SET", "masterauth", bytes(secret(4))]);
      await pool.send(["ACL", "SETUSER", "hooks-user", "on", `>${secret(5)}`, "~*", "+@all"]);
      await pool.send([bytes("ACL"), bytes("SETUSER"), "hooks-user", bytes(`>${secret(6)}`)]);
      const auth = seen.starts.find((s) => s.name === "AUTH");
      assert.deepEqual(auth?.args, ["AUTH", "(redacted)", "(redacted)"]);
      const config = seen.starts.find((s) => s.name === "CONFIG SET");
      assert.deepEqual(config?.args, ["CONFIG", "SET", "masterauth", "(redacted)"]);
      const text = JSON.stringify(seen.starts, (_, v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v));
      for (let n = 1; n <= 6; n++) assert.doesNotMatch(text, new RegExp(secret(n)));
      assert.match(text, /hooks-user/); // what is not a secret is still shown
    } finally {
      await pool.send(["ACL", "DELUSER", "hooks-user"]);
      await pool.close();
    }
  });

  test("the connection hook reports open with the client id, close with the reason, and failed opens", async () => {
    const seen = recorder();
    const redis = createClient({ url: server.url, hooks: seen.hooks, reconnect: { initialDelay: 10 } });
    try {
      await redis.ping();
      const open = seen.connections.find((e) => e.type === "open");
      assert.ok(open && open.type === "open" && open.clientId > 0);
      assert.equal(open.address, `127.0.0.1:${server.port}`);
      const admin = createClient({ url: server.url });
      await admin.send(["CLIENT", "KILL", "ID", String(open.clientId)]);
      await admin.close();
      await until(() => seen.connections.filter((e) => e.type === "open").length === 2, "the reconnect");
      const close = seen.connections.find((e) => e.type === "close");
      assert.ok(close && close.type === "close" && close.clientId === open.clientId);
    } finally {
      await redis.close();
    }
    const refused = recorder();
    const nowhere = createClient({ port: await freePort(), hooks: refused.hooks, connectTimeout: 1_000, reconnect: false });
    await assert.rejects(nowhere.ping(), ConnectionError);
    await nowhere.close();
    const failed = refused.connections.find((e) => e.type === "open-failed");
    assert.ok(failed && failed.type === "open-failed" && failed.error instanceof ConnectionError);
  });

  test("pool hooks: commands and leases are observed; a waiting acquirer reports how long it waited", async () => {
    const seen = recorder();
    const pool = createPool({ url: server.url, max: 1, acquireTimeout: 100, hooks: seen.hooks });
    try {
      await pool.set("hooks:p", "1");
      assert.ok(seen.starts.some((s) => s.name === "SET"));
      seen.waits.length = 0; // the SET may have waited for the first connection to open
      const lease = await pool.acquire();
      const second = pool.acquire();
      setTimeout(() => void lease.release(), 30);
      (await second).release();
      await assert.rejects(
        (async () => {
          const held = await pool.acquire();
          try {
            await pool.acquire();
          } finally {
            await held.release();
          }
        })(),
        PoolTimeoutError,
      );
      const acquired = seen.waits[0];
      assert.equal(acquired?.outcome, "acquired");
      assert.ok(acquired && acquired.waitedMs >= 20, `waited ${acquired?.waitedMs}`);
      const failed = seen.waits.find((w) => w.outcome === "failed");
      assert.ok(failed && failed.error instanceof PoolTimeoutError && failed.waitedMs >= 90);
      assert.ok(seen.connections.some((e) => e.type === "open"));
    } finally {
      await pool.close();
    }
  });
});
