import assert from "node:assert/strict";
import { createClient, LimitError, RedisError, type RedisClient } from "../../mod.ts";
import { RESP_LIMITS } from "../../src/resp/limits.ts";
import { exposeClient, wrapClient, type Endpoint } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// Replies a real server sends that are larger or deeper than the usual: each must reach the command
// that asked for it (or, past a bound, fail that command alone) while the shared connection carries on.

/** A Lua script returning `1` wrapped in ARGV[1] tables: Lua itself allows ~8000 levels. */
const NESTED = "local t = 1; for i = 1, tonumber(ARGV[1]) do t = {t} end; return t";
const LONG_ERROR = "return redis.error_reply('ERR ' .. string.rep('x', 70000))";
const LONG_STATUS = "return redis.status_reply(string.rep('y', 70000))";

/** How many arrays wrap the innermost value, and that value (iteratively: no deep recursion). */
function unwrap(value: unknown): { depth: number; inner: unknown } {
  let depth = 0;
  while (Array.isArray(value) && value.length === 1) {
    value = value[0];
    depth++;
  }
  return { depth, inner: value };
}

/** The command surface both a client and a worker client offer. */
interface Sender {
  send(args: (string | number)[]): Promise<unknown>;
}

type Open = (url: string, protocol: 2 | 3) => { sender: Sender; client: RedisClient; close(): Promise<void> };

const direct: Open = (url, protocol) => {
  const client = createClient({ url, protocol });
  return { sender: client, client, close: () => client.close() };
};

/** A worker client of `client` over a MessageChannel: its plain commands take the raw path (src/worker/raw.ts). */
const throughWorker: Open = (url, protocol) => {
  const client = createClient({ url, protocol });
  const { port1, port2 } = new MessageChannel();
  const owner = exposeClient(client, port1 as unknown as Endpoint);
  const worker = wrapClient(port2 as unknown as Endpoint);
  return {
    sender: worker,
    client,
    async close() {
      await worker.close();
      await owner.close();
      await client.close();
      port1.close();
    },
  };
};

for (const [path, open] of [["a client", direct], ["a worker client (raw path)", throughWorker]] as const) {
  for (const protocol of [2, 3] as const) {
    describe(`replies past the usual sizes, through ${path}, RESP${protocol}`, () => {
      let server: RedisServer;
      let opened: ReturnType<Open>;
      const errors: Error[] = [];
      beforeAll(async () => {
        server = await startRedis();
        opened = open(server.url, protocol);
        opened.client.on("error", (err) => void errors.push(err));
      });
      afterAll(async () => {
        await opened?.close();
        await server?.stop();
      });

      test("a 70 kB error line, a 70 kB status line and a table nested 1200 deep reach their commands; the commands around them get their own replies", async () => {
        const { sender } = opened;
        const id = await sender.send(["CLIENT", "ID"]);
        const outcomes = await Promise.allSettled([
          sender.send(["INCR", "limits:n"]),
          sender.send(["EVAL", LONG_ERROR, 0]),
          sender.send(["EVAL", LONG_STATUS, 0]),
          sender.send(["EVAL", NESTED, 0, 1200]),
          sender.send(["INCR", "limits:n"]),
        ]);
        const [before, error, status, nested, after] = outcomes;
        assert.deepEqual(before, { status: "fulfilled", value: 1 });
        assert.ok(error.status === "rejected" && error.reason instanceof RedisError, String((error as PromiseRejectedResult).reason));
        assert.equal(error.reason.code, "ERR");
        assert.equal(error.reason.message, `ERR ${"x".repeat(70000)}`);
        assert.deepEqual(status, { status: "fulfilled", value: "y".repeat(70000) });
        assert.equal(nested.status, "fulfilled", String((nested as PromiseRejectedResult).reason));
        assert.deepEqual(unwrap((nested as PromiseFulfilledResult<unknown>).value), { depth: 1200, inner: 1 });
        assert.deepEqual(after, { status: "fulfilled", value: 2 });
        assert.equal(await sender.send(["CLIENT", "ID"]), id, "the same connection carried them all");
        assert.deepEqual(errors, []);
      });

      test(`a reply nested deeper than maxDepth (${RESP_LIMITS.maxDepth}) fails only its own command, with LimitError; the connection carries on`, async () => {
        const { sender } = opened;
        const id = await sender.send(["CLIENT", "ID"]);
        const [before, deep, after, deepest] = await Promise.allSettled([
          sender.send(["SET", "limits:s", "a"]),
          sender.send(["EVAL", NESTED, 0, RESP_LIMITS.maxDepth + 1]),
          sender.send(["APPEND", "limits:s", "b"]),
          sender.send(["EVAL", NESTED, 0, RESP_LIMITS.maxDepth]),
        ]);
        assert.deepEqual(before, { status: "fulfilled", value: "OK" });
        assert.ok(deep.status === "rejected" && deep.reason instanceof LimitError, String((deep as PromiseRejectedResult).reason));
        assert.equal(deep.reason.limit, "maxDepth");
        assert.deepEqual(after, { status: "fulfilled", value: 2 });
        assert.equal(deepest.status, "fulfilled", String((deepest as PromiseRejectedResult).reason));
        assert.equal(unwrap((deepest as PromiseFulfilledResult<unknown>).value).depth, RESP_LIMITS.maxDepth);
        assert.equal(await sender.send(["GET", "limits:s"]), "ab");
        assert.equal(await sender.send(["CLIENT", "ID"]), id, "the same connection carried them all");
        assert.deepEqual(errors, []);
      });
    });
  }
}
