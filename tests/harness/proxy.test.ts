import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { startProxy, type FaultProxy } from "./proxy.ts";
import { startRedis, type RedisServer } from "./redis.ts";
import { afterAll, beforeAll, describe, test } from "./runner.ts";
import { sleep, until } from "./wait.ts";

/** A bare TCP client that records every chunk it receives and how its socket ended. */
interface RawClient {
  socket: Socket;
  chunks: Uint8Array[];
  text(): string;
  /** The socket's error, or undefined once closed cleanly. */
  ended: Promise<Error | undefined>;
}

async function rawClient(port: number): Promise<RawClient> {
  const socket = connect({ host: "127.0.0.1", port });
  const chunks: Uint8Array[] = [];
  let error: Error | undefined;
  socket.on("data", (chunk: Uint8Array) => chunks.push(new Uint8Array(chunk)));
  socket.on("error", (err) => (error = err));
  const ended = new Promise<Error | undefined>((resolve) => socket.once("close", () => resolve(error)));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { socket, chunks, text: () => chunks.map((c) => new TextDecoder().decode(c)).join(""), ended };
}

describe("fault-injecting proxy", () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startProxy({ host: server.host, port: server.port });
    const setup = await rawClient(server.port);
    setup.socket.write(`SET big ${"x".repeat(10_000)}\r\n`);
    await until(() => setup.text() === "+OK\r\n", "SET big");
    setup.socket.destroy();
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test("forwards both ways and counts the bytes", async () => {
    const c = await rawClient(proxy.port);
    c.socket.write("PING\r\n");
    await until(() => c.text() === "+PONG\r\n", "PONG through the proxy");
    const link = proxy.links.at(-1)!;
    assert.equal(link.clientPort, c.socket.localPort);
    assert.equal(link.bytesToServer, 6);
    assert.equal(link.bytesToClient, 7);
    c.socket.destroy();
  });

  test("split passes every byte on alone", async () => {
    proxy.set({ split: true });
    const c = await rawClient(proxy.port);
    try {
      c.socket.write("ECHO hello-split\r\n");
      await until(() => c.text() === "$11\r\nhello-split\r\n", "the split reply");
      assert.ok(c.chunks.length >= 15, `${c.chunks.length} chunks for 18 bytes`);
    } finally {
      proxy.set({ split: false });
      c.socket.destroy();
    }
  });

  test("delay holds each chunk in each direction", async () => {
    const c = await rawClient(proxy.port);
    proxy.links.at(-1)!.set({ delay: 150 });
    const started = Date.now();
    c.socket.write("PING\r\n");
    await until(() => c.text() === "+PONG\r\n", "the delayed PONG");
    assert.ok(Date.now() - started >= 280, `round trip took ${Date.now() - started} ms`);
    c.socket.destroy();
  });

  test("a frozen link passes nothing on and stays open; unfreezing passes on what it held", async () => {
    const c = await rawClient(proxy.port);
    const link = proxy.links.at(-1)!;
    link.set({ frozen: true });
    c.socket.write("PING\r\n");
    await sleep(200);
    assert.equal(c.text(), "");
    assert.equal(link.bytesToServer, 0);
    assert.equal(c.socket.destroyed, false);
    link.set({ frozen: false });
    await until(() => c.text() === "+PONG\r\n", "PONG after unfreezing");
    c.socket.destroy();
  });

  test("drop closes the client's socket", async () => {
    const c = await rawClient(proxy.port);
    proxy.links.at(-1)!.drop();
    assert.equal(await c.ended, undefined);
  });

  test("resetAfter passes on that many bytes of a reply, then resets the client's socket", async () => {
    const c = await rawClient(proxy.port);
    proxy.links.at(-1)!.resetAfter(100);
    c.socket.write("GET big\r\n");
    const err = await c.ended;
    assert.equal(c.chunks.reduce((n, chunk) => n + chunk.length, 0), 100);
    assert.equal((err as NodeJS.ErrnoException | undefined)?.code, "ECONNRESET");
  });

  test("a link accepted while blackholed never reaches the server and never answers", async () => {
    proxy.set({ blackhole: true });
    try {
      const c = await rawClient(proxy.port);
      c.socket.write("PING\r\n");
      await sleep(200);
      assert.equal(c.text(), "");
      assert.equal(proxy.links.at(-1)!.upstream, false);
      c.socket.destroy();
    } finally {
      proxy.set({ blackhole: false });
    }
  });
});
