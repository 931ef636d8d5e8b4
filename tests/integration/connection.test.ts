import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { openConnection } from "../../src/conn/open.ts";
import { resolveConnectionOptions } from "../../src/conn/options.ts";
import { AbortError, ConnectionError, ProtocolError, RedisError, TimeoutError } from "../../src/errors.ts";
import { connectTestClient, type TestClient } from "../harness/client.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep } from "../harness/wait.ts";

describe("connection", () => {
  let server: RedisServer;
  let redis: TestClient;
  beforeAll(async () => {
    server = await startRedis();
    redis = await connectTestClient(server.url);
    await redis.send(["ACL", "SETUSER", "alice", "on", ">alice-secret", "~*", "&*", "+@all"]);
  });
  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    test(`handshake on RESP${protocol} sets the client name and selects the database`, async () => {
      const c = await connectTestClient(server.url, { protocol, clientName: `resplex-p${protocol}`, db: 4 });
      try {
        const info = String(await c.send(["CLIENT", "INFO"]));
        assert.match(info, new RegExp(`name=resplex-p${protocol} `));
        assert.match(info, / db=4 /);
        assert.match(info, new RegExp(` resp=${protocol}\\b`));
      } finally {
        await c.close();
      }
    });
  }

  test("authenticates as an ACL user given in the URL", async () => {
    const c = await connectTestClient(`redis://alice:alice-secret@127.0.0.1:${server.port}`);
    try {
      assert.equal(await c.send(["ACL", "WHOAMI"]), "alice");
    } finally {
      await c.close();
    }
  });

  test("a wrong password rejects with WRONGPASS and never shows the password", async () => {
    for (const protocol of [2, 3] as const) {
      const err = await connectTestClient(`redis://alice:not-the-secret@127.0.0.1:${server.port}`, { protocol }).then(
        () => assert.fail("connected with a wrong password"),
        (e: unknown) => e as RedisError,
      );
      assert.ok(err instanceof RedisError, `got ${err}`);
      assert.equal(err.code, "WRONGPASS");
      assert.doesNotMatch(`${err.message} ${err.stack}`, /not-the-secret/);
    }
  });

  test("10,000 pipelined commands resolve in order", async () => {
    const replies = await Promise.all(Array.from({ length: 10_000 }, (_, i) => redis.send(["ECHO", `m${i}`])));
    replies.forEach((reply, i) => assert.equal(reply, `m${i}`));
  });

  test("an error reply rejects only its own command, with the server's prefix as code", async () => {
    await redis.set("conn:str", "x");
    const [before, failed, after] = await Promise.allSettled([
      redis.send(["PING"]),
      redis.send(["LPUSH", "conn:str", "y"]),
      redis.send(["PING"]),
    ]);
    assert.deepEqual(before, { status: "fulfilled", value: "PONG" });
    assert.equal(failed.status, "rejected");
    assert.ok((failed as PromiseRejectedResult).reason instanceof RedisError);
    assert.equal((failed as PromiseRejectedResult).reason.code, "WRONGTYPE");
    assert.deepEqual(after, { status: "fulfilled", value: "PONG" });
  });

  test("stores and reads back a 16 MB value", async () => {
    const big = new Uint8Array(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    await redis.send(["SET", "conn:big", big]);
    const back = await redis.getBuffer("conn:big");
    assert.ok(back instanceof Uint8Array);
    assert.equal(back.length, big.length);
    assert.ok(back.every((b, i) => b === big[i]));
  });

  test("binary values round-trip byte for byte, including invalid UTF-8", async () => {
    const bytes = new Uint8Array([0, 255, 0xc3, 0x28, 13, 10, 36, 42]);
    await redis.send(["SET", "conn:bin", bytes]);
    assert.deepEqual(await redis.getBuffer("conn:bin"), bytes);
    assert.deepEqual(await redis.send(["GET", "conn:bin"], { bytes: true }), bytes);
  });

  test("invalid arguments reject with TypeError and nothing is sent", async () => {
    await assert.rejects(redis.send(["SET", "k", undefined as unknown as string]), TypeError);
    await assert.rejects(redis.send([]), TypeError);
    await assert.rejects(redis.send(["SET", "k", { a: 1 } as unknown as string]), /argument 2/i);
    assert.equal(await redis.send(["PING"]), "PONG"); // the connection is still in step
  });

  test("a command past its timeout rejects with TimeoutError and later replies stay matched", async () => {
    const slow = redis.send(["DEBUG", "SLEEP", "0.3"], { timeout: 50 });
    await assert.rejects(slow, TimeoutError);
    assert.equal(await redis.send(["ECHO", "after"]), "after");
  });

  test("an aborted command rejects with AbortError, and an already-aborted signal sends nothing", async () => {
    const controller = new AbortController();
    const pending = redis.send(["DEBUG", "SLEEP", "0.2"], { signal: controller.signal });
    controller.abort(new Error("user gave up"));
    await assert.rejects(pending, AbortError);
    await assert.rejects(redis.send(["INCR", "conn:never"], { signal: AbortSignal.abort() }), AbortError);
    assert.equal(await redis.send(["ECHO", "still in step"]), "still in step");
    assert.equal(await redis.get("conn:never"), null);
  });

  test("connecting to a closed port rejects with ConnectionError naming the address", async () => {
    const port = await freePort(); // nothing listens there
    const err = await connectTestClient(`redis://127.0.0.1:${port}`).catch((e) => e);
    assert.ok(err instanceof ConnectionError, String(err));
    assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  test("connectTimeout bounds a server that accepts but never answers", async () => {
    const silent: Server = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      await assert.rejects(openConnection(resolveConnectionOptions({ port, connectTimeout: 200 })), TimeoutError);
      assert.ok(Date.now() - started < 2_000);
    } finally {
      silent.close();
    }
  });

  test("malformed RESP from the server rejects pending commands with ProtocolError and closes the connection", async () => {
    const liar: Server = createServer((socket) => {
      socket.on("data", (d) => {
        const text = String(d);
        if (text.includes("HELLO")) socket.write("%1\r\n+id\r\n:7\r\n");
        else socket.write("?garbage\r\n");
      });
    });
    await new Promise<void>((r) => liar.listen(0, "127.0.0.1", r));
    const port = (liar.address() as { port: number }).port;
    try {
      const c = await connectTestClient(`redis://127.0.0.1:${port}`);
      await assert.rejects(c.send(["GET", "k"]), ProtocolError);
      await assert.rejects(c.send(["GET", "k"]), /closed/);
      await c.close();
    } finally {
      liar.close();
    }
  });

  test("commands written before the server died reject with ConnectionError saying they may have run", async () => {
    const doomed = await startRedis();
    const c = await connectTestClient(doomed.url);
    try {
      const outcome = c.send(["DEBUG", "SLEEP", "2"]).catch((e: unknown) => e);
      await sleep(50);
      await doomed.kill();
      const err = await outcome;
      assert.ok(err instanceof ConnectionError, String(err));
      assert.match(err.message, /may have run/);
    } finally {
      await c.close();
      await doomed.stop();
    }
  });
});
