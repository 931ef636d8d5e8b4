import assert from "node:assert/strict";
import { ConnectionError, createClient, LimitError, RedisError, TimeoutError, type ClientOptions, type Connector, type RedisClient } from "../../mod.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import { exposeClient, wrapClient, type Endpoint, type OwnerHandle, type WorkerClient } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep, until } from "../harness/wait.ts";

// The raw path (src/worker/raw.ts): a worker client of a createClient() owner encodes its plain
// commands itself and decodes the reply bytes the owner forwards. Ports of a MessageChannel in one
// thread stand in for threads: the protocol is the same, and the owner's state is in reach.

interface Shared {
  client: RedisClient;
  owner: OwnerHandle;
  worker: WorkerClient;
  close(): Promise<void>;
}

/**
 * A connector whose socket can be clogged: from then on it drops what it is given and says it is
 * full (`write` returns false, `drain` never resolves), so the connection holds back later writes.
 */
function cloggingConnector(): { connector: Connector; clog(): void } {
  let clogged: (() => void) | undefined;
  return {
    clog: () => clogged?.(),
    connector: async (options) => {
      const socket = await (await defaultConnector())(options);
      const write = socket.write.bind(socket);
      clogged = () => {
        socket.write = () => false;
        socket.drain = () => new Promise(() => {});
      };
      socket.write = (chunk) => write(chunk);
      return socket;
    },
  };
}

function share(url: string, options: ClientOptions = {}): Shared {
  const client = createClient({ url, ...options });
  const { port1, port2 } = new MessageChannel();
  const owner = exposeClient(client, port1 as unknown as Endpoint);
  const worker = wrapClient(port2 as unknown as Endpoint);
  return {
    client,
    owner,
    worker,
    async close() {
      await worker.close();
      await owner.close();
      await client.close();
      port1.close();
    },
  };
}

describe("worker clients: the raw path", () => {
  let server: RedisServer;
  let shared: Shared;
  beforeAll(async () => {
    server = await startRedis();
    shared = share(server.url);
  });
  afterAll(async () => {
    await shared?.close();
    await server?.stop();
  });

  test("replies decode in the worker as on a client of its own: strings, bytes, maps, nested errors", async () => {
    const { worker } = shared;
    const binary = new Uint8Array([0, 255, 13, 10, 36, 42]);
    const big = "é".repeat(300_000); // 600 kB: its reply spans many socket reads
    const [set, bin, , hset] = await Promise.all([
      worker.set("raw:s", "héllo"),
      worker.set("raw:bin", binary),
      worker.set("raw:big", big),
      worker.hset("raw:h", { a: "1", b: "2" }),
    ]);
    assert.deepEqual([set, bin, hset], ["OK", "OK", 2]);
    assert.equal(await worker.get("raw:s"), "héllo");
    assert.deepEqual(await worker.with({ bytes: true }).get("raw:bin"), binary);
    assert.equal(await worker.get("raw:big"), big);
    assert.deepEqual({ ...(await worker.hgetall("raw:h")) }, { a: "1", b: "2" });
    assert.equal(await worker.get("raw:missing"), null);
    const [one, error] = (await worker.send(["EVAL", "return {1, redis.error_reply('ERR nested')}", 0])) as [number, RedisError];
    assert.equal(one, 1);
    assert.ok(error instanceof RedisError && error.message === "ERR nested");
  });

  test("an error reply rejects with RedisError and its code", async () => {
    await shared.worker.set("raw:str", "x");
    await assert.rejects(shared.worker.send(["LPUSH", "raw:str", "a"]), (err: Error) => err instanceof RedisError && err.code === "WRONGTYPE");
  });

  test("raw commands and commands with options issued in one tick run in the order issued", async () => {
    const { worker } = shared;
    const timed = worker.with({ timeout: 2_000 });
    const results = await Promise.all([worker.incr("raw:order"), timed.incr("raw:order"), worker.incr("raw:order"), timed.incr("raw:order"), worker.incr("raw:order")]);
    assert.deepEqual(results, [1, 2, 3, 4, 5]);
  });

  test("commands that would change the shared connection are refused with TypeError, as on the client", async () => {
    await assert.rejects(shared.worker.send(["SELECT", 1]), (err: Error) => err instanceof TypeError && /SELECT cannot run on the shared connection/.test(err.message));
    assert.equal(await shared.worker.send(["PING"]), "PONG"); // the shared connection is unharmed
  });

  test("an owner with decode: 'bytes' sends bytes by default; { bytes: false } still gets strings", async () => {
    const bytes = share(server.url, { decode: "bytes" });
    try {
      await bytes.worker.set("raw:b", "v");
      assert.deepEqual(await bytes.worker.get("raw:b"), new Uint8Array([118]));
      assert.equal(await bytes.worker.with({ bytes: false }).get("raw:b"), "v");
    } finally {
      await bytes.close();
    }
  });

  test("an owner's command hook sees every worker command (they take the value path)", async () => {
    const seen: string[] = [];
    const hooked = share(server.url, { hooks: { command: (event) => void seen.push(String(event.args[0])) } });
    try {
      await hooked.worker.set("raw:hooked", "1");
      assert.equal(await hooked.worker.get("raw:hooked"), "1");
      assert.deepEqual(seen, ["SET", "GET"]);
    } finally {
      await hooked.close();
    }
  });
});

describe("worker clients: the raw path when the connection fails", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const commandTimeout of [50, 300]) {
    test(`a raw command times out at the owner's commandTimeout (${commandTimeout} ms) with TimeoutError`, async () => {
      const shared = share(server.url, { commandTimeout });
      try {
        await shared.client.ping();
        const started = Date.now();
        await assert.rejects(shared.worker.send(["DEBUG", "SLEEP", "0.5"]), (err: Error) => err instanceof TimeoutError && /DEBUG timed out waiting for its reply/.test(err.message));
        const waited = Date.now() - started;
        assert.ok(waited >= commandTimeout && waited < commandTimeout + 150, `rejected after ${waited} ms`);
      } finally {
        await shared.close();
      }
    });
  }

  test("past maxInFlight, the commands that fit run and only the rest are refused with LimitError", async () => {
    const shared = share(server.url, { maxInFlight: 10 });
    try {
      await shared.client.ping();
      const outcomes = await Promise.allSettled(Array.from({ length: 11 }, (_, i) => shared.worker.set(`raw:limit:${i}`, "v")));
      assert.deepEqual(outcomes.slice(0, 10).map((o) => o.status === "fulfilled" && o.value), Array(10).fill("OK"));
      const last = outcomes[10]!;
      assert.ok(last.status === "rejected" && last.reason instanceof LimitError && last.reason.limit === "maxInFlight", String((last as PromiseRejectedResult).reason));
    } finally {
      await shared.close();
    }
  });

  test("a raw command whose call timed out while the owner reconnected is not sent afterwards", async () => {
    const shared = share(server.url, { commandTimeout: 200, reconnect: { initialDelay: 50, maxDelay: 100 } });
    try {
      await shared.client.ping();
      await server.kill();
      await until(() => shared.client.stats().state === "reconnecting", "the owner to notice");
      await assert.rejects(shared.worker.incr("raw:expired"), TimeoutError);
      await server.restart();
      await until(() => shared.client.stats().state === "ready", "the owner to reconnect");
      assert.equal(await shared.worker.get("raw:expired"), null, "the INCR its caller was told timed out did not run");
    } finally {
      await shared.close();
    }
  });

  test("commands issued while the owner reconnects wait for the connection and then run", async () => {
    const shared = share(server.url, { reconnect: { initialDelay: 50, maxDelay: 100 } });
    try {
      await shared.worker.set("raw:before", "1");
      await server.kill();
      await until(() => shared.client.stats().state === "reconnecting", "the owner to notice");
      const pending = Promise.all([shared.worker.incr("raw:during"), shared.worker.incr("raw:during")]);
      await server.restart();
      assert.deepEqual(await pending, [1, 2]);
    } finally {
      await shared.close();
    }
  });

  test("a lost connection rejects raw commands written to it with ConnectionError; those it held back run after the reconnect", async () => {
    const clog = cloggingConnector();
    const shared = share(server.url, { connector: clog.connector, reconnect: { initialDelay: 50, maxDelay: 100 }, commandTimeout: 20_000 });
    try {
      await shared.client.ping(); // connected: the worker's commands go out raw
      clog.clog();
      const written = Array.from({ length: 4 }, (_, i) => shared.worker.set(`raw:lost:${i}`, "v"));
      await sleep(100); // the socket said it is full: the next batch waits in the connection
      const held = Array.from({ length: 4 }, (_, i) => shared.worker.set(`raw:held:${i}`, "v"));
      const settled = Promise.allSettled([...written, ...held]);
      await sleep(100);
      await server.restart(); // the connection is lost; the client reconnects to the new server
      const outcomes = await settled;
      for (const o of outcomes.slice(0, 4)) {
        assert.ok(o.status === "rejected" && o.reason instanceof ConnectionError && /may have run/.test(o.reason.message), String((o as PromiseRejectedResult).reason));
      }
      assert.deepEqual(outcomes.slice(4).map((o) => o.status === "fulfilled" && o.value), ["OK", "OK", "OK", "OK"]);
      assert.equal(await shared.worker.get("raw:held:3"), "v");
    } finally {
      await shared.close();
    }
  });

  test("commands held back by a lost connection run after the reconnect in the order they were issued", async () => {
    const clog = cloggingConnector();
    const shared = share(server.url, { connector: clog.connector, reconnect: { initialDelay: 50, maxDelay: 100 }, commandTimeout: 20_000 });
    try {
      await shared.client.ping();
      clog.clog();
      const first = shared.worker.ping().catch((err: Error) => err); // written to the clogged socket
      await sleep(100);
      const timed = shared.worker.with({ timeout: 20_000 });
      const held = [shared.worker.append("raw:order:lost", "1"), timed.append("raw:order:lost", "2"), shared.worker.append("raw:order:lost", "3")];
      const settled = Promise.allSettled(held);
      await sleep(100);
      await server.restart();
      assert.ok((await first) instanceof ConnectionError);
      assert.deepEqual((await settled).map((o) => o.status), ["fulfilled", "fulfilled", "fulfilled"]);
      assert.equal(await shared.worker.get("raw:order:lost"), "123");
    } finally {
      await shared.close();
    }
  });
});
