import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ConnectionError } from "../../src/errors.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import type { ConnectOptions, Socket } from "../../src/transport/types.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { connectTestClient } from "../harness/client.ts";
import { makeCertificates, type TestCertificates } from "../harness/tls.ts";
import { sleep } from "../harness/wait.ts";

const text = new TextDecoder();
const bytes = (s: string) => new TextEncoder().encode(s);

/** Connect with the running runtime's adapter and collect what arrives. */
async function open(options: Omit<ConnectOptions, "onData">): Promise<{ socket: Socket; received: () => string; waitFor: (s: string) => Promise<void> }> {
  let buffer = "";
  const socket = await (await defaultConnector())({ ...options, onData: (chunk) => (buffer += text.decode(chunk)) });
  return {
    socket,
    received: () => buffer,
    async waitFor(expected) {
      const end = Date.now() + 10_000;
      while (!buffer.includes(expected)) {
        if (Date.now() > end) throw new Error(`never received ${JSON.stringify(expected)}; got ${JSON.stringify(buffer.slice(-200))}`);
        await sleep(5);
      }
    },
  };
}

const PING = bytes("*1\r\n$4\r\nPING\r\n");

describe("transport adapter of this runtime", () => {
  let server: RedisServer;
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = makeCertificates();
    server = await startRedis({ unixSocket: true, tls: { cert: certs.certFile, key: certs.keyFile, ca: certs.caFile } });
  });
  afterAll(async () => {
    await server?.stop();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  test("TCP: a command gets its reply", async () => {
    const c = await open({ host: "127.0.0.1", port: server.port });
    c.socket.write(PING);
    await c.waitFor("+PONG\r\n");
    await c.socket.close();
  });

  test("pipelined commands in one write all get replies", async () => {
    const c = await open({ host: "127.0.0.1", port: server.port });
    const batch = Array.from({ length: 500 }, (_, i) => `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`).join("");
    c.socket.write(bytes(batch));
    await c.waitFor("$3\r\n499\r\n");
    assert.equal(c.received().split("\r\n").filter((l) => l.startsWith("$")).length, 500);
    await c.socket.close();
  });

  test("a 16 MB write signals backpressure, drains, and arrives whole", async () => {
    const c = await open({ host: "127.0.0.1", port: server.port });
    const size = 16 * 1024 * 1024;
    const header = bytes(`*3\r\n$3\r\nSET\r\n$8\r\ntp:large\r\n$${size}\r\n`);
    const payload = new Uint8Array(size).fill(120);
    const accepted = [c.socket.write(header), c.socket.write(payload), c.socket.write(bytes("\r\n"))];
    assert.ok(accepted.includes(false), "write() never reported a full buffer");
    await c.socket.drain();
    await c.waitFor("+OK\r\n");
    c.socket.write(bytes("*2\r\n$6\r\nSTRLEN\r\n$8\r\ntp:large\r\n"));
    await c.waitFor(`:${size}\r\n`);
    await c.socket.close();
  });

  test("unix socket", async () => {
    const c = await open({ host: "", port: 0, path: server.socketPath });
    c.socket.write(PING);
    await c.waitFor("+PONG\r\n");
    await c.socket.close();
  });

  test("TLS with the CA verifies and works; servername selects the certificate name", async () => {
    const c = await open({ host: "127.0.0.1", port: server.tlsPort, tls: { ca: certs.ca } });
    c.socket.write(PING);
    await c.waitFor("+PONG\r\n");
    await c.socket.close();
    const named = await open({ host: "127.0.0.1", port: server.tlsPort, tls: { ca: certs.ca, servername: "localhost" } });
    named.socket.write(PING);
    await named.waitFor("+PONG\r\n");
    await named.socket.close();
  });

  test("TLS without the CA fails: verification is on by default", async () => {
    await assert.rejects(open({ host: "127.0.0.1", port: server.tlsPort, tls: {} }), ConnectionError);
  });

  test("connection refused rejects with ConnectionError naming the address", async () => {
    const port = await freePort();
    await assert.rejects(open({ host: "127.0.0.1", port }), (err: unknown) => err instanceof ConnectionError && err.message.includes(`127.0.0.1:${port}`));
  });

  test("an aborted signal rejects the connect with its reason", async () => {
    const reason = new Error("stop");
    await assert.rejects(open({ host: "127.0.0.1", port: server.port, signal: AbortSignal.abort(reason) }), (err) => err === reason);
  });

  test("closed settles when the server dies, and later writes do not throw", async () => {
    const doomed = await startRedis();
    const c = await open({ host: "127.0.0.1", port: doomed.port });
    await doomed.kill();
    await c.socket.closed;
    assert.equal(c.socket.write(PING), false);
    await doomed.stop();
  });

  test("close() flushes queued writes first; destroy() closes at once", async () => {
    const c = await open({ host: "127.0.0.1", port: server.port });
    c.socket.write(bytes("*3\r\n$3\r\nSET\r\n$8\r\ntp:flush\r\n$3\r\nyes\r\n"));
    await c.socket.close();
    const check = await open({ host: "127.0.0.1", port: server.port });
    check.socket.write(bytes("*2\r\n$3\r\nGET\r\n$8\r\ntp:flush\r\n"));
    await check.waitFor("$3\r\nyes\r\n");
    check.socket.destroy();
    assert.equal(await check.socket.closed, undefined);
  });

  test("a client connects by rediss:// URL with a CA, and by redis+unix:// URL with a database", async () => {
    const overTls = await connectTestClient(`rediss://127.0.0.1:${server.tlsPort}`, { tls: { ca: certs.ca } });
    assert.equal(await overTls.ping(), "PONG");
    await overTls.close();
    const overUnix = await connectTestClient(`redis+unix://${server.socketPath}?db=2`);
    assert.match(await overUnix.send(["CLIENT", "INFO"]) as string, / db=2 /);
    await overUnix.close();
  });
});
