/**
 * Errors that tell the truth: what a command's error says about whether it ran, why a connection
 * could not be made, and how many attempts a client makes.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { ClosedError, ConnectionError, RedisError, TimeoutError, createClient, createPool, type ClientOptions } from "../../mod.ts";
import { openConnection } from "../../src/conn/open.ts";
import { resolveConnectionOptions } from "../../src/conn/options.ts";
import { defaultConnector } from "../../src/transport/auto.ts";
import type { Connector, Socket } from "../../src/transport/types.ts";
import { connectTestClient, type TestClient } from "../harness/client.ts";
import { freePort, startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { makeCertificates, type TestCertificates } from "../harness/tls.ts";
import { sleep, until } from "../harness/wait.ts";

/** The `code` of every error in `err`'s cause chain, outermost first. */
function causeCodes(err: unknown): unknown[] {
  const codes: unknown[] = [];
  for (let e = (err as { cause?: unknown })?.cause, depth = 0; e !== undefined && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    codes.push((e as { code?: unknown }).code);
  }
  return codes;
}

/** How long `promise` took to settle, and its error (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    (value) => assert.fail(`resolved with ${String(value)}`),
    (e: unknown) => e as Error,
  );
  return { error, ms: Date.now() - started };
}

/** A connector that counts its calls and hands them to the runtime's adapter. */
function countingConnector(): { connector: Connector; calls: () => number } {
  let calls = 0;
  return {
    connector: async (options) => {
      calls++;
      return (await defaultConnector())(options);
    },
    calls: () => calls,
  };
}

describe("written-but-unanswered commands at close()", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("close({ timeout }) rejects a written command with ConnectionError (it may have run), a never-written one with ClosedError", async () => {
    const c = createClient({ url: server.url, commandTimeout: 0 });
    await c.send(["PING"]);
    server.pause(); // the server takes the command in but does not answer
    const written = c.send(["INCR", "errors:counter"]).catch((e: unknown) => e);
    await sleep(50); // it has left
    const closing = c.close({ timeout: 100 });
    const late = c.send(["PING"]).catch((e: unknown) => e);
    await closing;
    server.resume();
    const err = (await written) as Error;
    assert.ok(err instanceof ConnectionError, `got ${String(err)}`);
    assert.equal((err as ConnectionError).code, "RESPLEX_CONNECTION");
    assert.match(err.message, /may have run/);
    assert.ok((await late) instanceof ClosedError);
  });

  test("the same holds for a blocking command on the multiplexer's dedicated connection", async () => {
    const c = createClient({ url: server.url });
    await c.send(["PING"]);
    const popping = c.blpop("errors:never", 5).catch((e: unknown) => e);
    const admin = await connectTestClient(server.url);
    try {
      await until(async () => /blocked_clients:1/.test(String(await admin.send(["INFO", "clients"]))), "the pop to block");
      await c.close({ timeout: 100 });
      const err = await popping;
      assert.ok(err instanceof ConnectionError, `got ${String(err)}`);
      assert.match((err as Error).message, /may have run/);
    } finally {
      await admin.close();
    }
  });

  test("pool.close({ timeout }) rejects a command still awaiting its reply with ConnectionError", async () => {
    const pool = createPool({ url: server.url, max: 1, commandTimeout: 0 });
    await pool.send(["PING"]);
    server.pause();
    const written = pool.send(["INCR", "errors:counter"]).catch((e: unknown) => e);
    await sleep(50);
    await pool.close({ timeout: 100 });
    server.resume();
    const err = await written;
    assert.ok(err instanceof ConnectionError, `got ${String(err)}`);
    assert.match((err as Error).message, /may have run/);
  });
});

describe("a multiplexer that cannot connect says why", () => {
  let server: RedisServer;
  let certs: TestCertificates;
  let locked: RedisServer;
  let admin: TestClient;
  beforeAll(async () => {
    locked = await startRedis({ args: ["--requirepass", "locked-secret"] });
    certs = makeCertificates();
    server = await startRedis({ tls: { cert: certs.certFile, key: certs.keyFile, ca: certs.caFile } });
    admin = await connectTestClient(server.url);
    await admin.send(["ACL", "SETUSER", "carol", "on", ">carol-secret", "~*", "&*", "+@all", "-select"]);
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
    await locked?.stop();
    if (certs) rmSync(certs.dir, { recursive: true, force: true });
  });

  test("a command waiting through refused connections times out naming the last connection error", async () => {
    const port = await freePort();
    const c = createClient({ port, commandTimeout: 300, reconnect: { initialDelay: 20, maxDelay: 50 } });
    c.on("error", () => {});
    try {
      const { error } = await rejection(c.get("k"));
      assert.ok(error instanceof TimeoutError, `got ${String(error)}`);
      const cause = error.cause as Error;
      assert.ok(cause instanceof ConnectionError, `cause ${String(cause)}`);
      assert.ok(error.message.includes(cause.message), error.message);
      assert.ok(causeCodes(error).includes("ECONNREFUSED"), `causes: ${causeCodes(error).join(", ")}`);
    } finally {
      await c.close();
    }
  });

  const permanent: Array<[string, () => ClientOptions, (err: Error) => void]> = [
    ["an untrusted TLS certificate", () => ({ port: server.tlsPort, tls: {} }), (err) => {
      assert.match(err.message, /certificate/i);
      assert.ok(err.cause instanceof ConnectionError, `cause ${String(err.cause)}`);
    }],
    ["a wrong password (WRONGPASS)", () => ({ port: server.port, username: "carol", password: "not-carols" }), (err) => {
      assert.equal((err.cause as RedisError).code, "WRONGPASS");
      assert.doesNotMatch(`${err.message} ${err.stack}`, /not-carols/);
    }],
    ["a missing password (NOAUTH)", () => ({ port: locked.port }), (err) => {
      assert.equal((err.cause as RedisError).code, "NOAUTH");
    }],
    ["a wrong password on RESP2 (WRONGPASS)", () => ({ port: locked.port, password: "not-the-secret", protocol: 2 }), (err) => {
      assert.equal((err.cause as RedisError).code, "WRONGPASS");
      assert.doesNotMatch(`${err.message} ${err.stack}`, /not-the-secret/);
    }],
    ["a user without permission for the handshake (NOPERM)", () => ({ port: server.port, username: "carol", password: "carol-secret", db: 1 }), (err) => {
      assert.equal((err.cause as RedisError).code, "NOPERM");
    }],
    ["an unknown host (ENOTFOUND)", () => ({ host: "resplex-test-host.invalid", port: 6379 }), (err) => {
      assert.ok(causeCodes(err).includes("ENOTFOUND"), `causes: ${causeCodes(err).join(", ")}`);
    }],
  ];
  for (const [what, options, check] of permanent) {
    test(`${what} rejects waiting commands at once, with the connection error as cause`, async () => {
      const c = createClient({ ...options(), commandTimeout: 10_000, reconnect: { initialDelay: 50, maxDelay: 200 } });
      c.on("error", () => {});
      try {
        const first = c.get("k");
        const viaMulti = c.multi().get("k").exec();
        const { error, ms } = await rejection(first);
        assert.ok(ms < 5_000, `took ${ms} ms`);
        assert.ok(error instanceof ConnectionError, `got ${String(error)}`);
        assert.ok(error.cause instanceof Error);
        assert.ok(error.message.includes((error.cause as Error).message), error.message);
        check(error);
        const multi = await rejection(viaMulti);
        assert.ok(multi.error instanceof ConnectionError, `multi got ${String(multi.error)}`);
        // Commands issued while the failure stands do not wait either.
        const later = await rejection(c.get("k"));
        assert.ok(later.ms < 5_000, `a later command took ${later.ms} ms`);
        assert.ok(later.error instanceof ConnectionError);
      } finally {
        await c.close();
      }
    }, 60_000);
  }

  test("after such a failure the client keeps retrying and recovers once the cause is fixed", async () => {
    await admin.send(["ACL", "SETUSER", "dave", "off", ">dave-secret", "~*", "&*", "+@all"]);
    const c = createClient({ port: server.port, username: "dave", password: "dave-secret", reconnect: { initialDelay: 20, maxDelay: 100 } });
    c.on("error", () => {});
    try {
      const { error } = await rejection(c.get("k"));
      assert.equal((error.cause as RedisError).code, "WRONGPASS");
      await admin.send(["ACL", "SETUSER", "dave", "on"]);
      await until(() => c.get("k").then(() => true, () => false), "the client to recover", 10_000);
    } finally {
      await c.close();
    }
  });
});

describe("connectTimeout", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("connectTimeout bounds a connector that ignores the abort signal, and a socket arriving late is destroyed", async () => {
    const late: { socket?: Socket; destroyed: boolean } = { destroyed: false };
    const slow: Connector = async (options) => {
      await sleep(800);
      const socket = await (await defaultConnector())({ ...options, signal: undefined });
      late.socket = socket;
      socket.closed.then(() => (late.destroyed = true));
      return socket;
    };
    const { error, ms } = await rejection(openConnection(resolveConnectionOptions({ port: server.port, connectTimeout: 200, connector: slow })));
    assert.ok(error instanceof TimeoutError, `got ${String(error)}`);
    assert.ok(ms < 700, `took ${ms} ms`);
    await until(() => late.socket !== undefined, "the late socket");
    await until(() => late.destroyed, "the late socket to be destroyed");
  });

  test("a multiplexer whose connector never resolves reports the connect timeout and tries again", async () => {
    let calls = 0;
    const never: Connector = () => {
      calls++;
      return new Promise<Socket>(() => {});
    };
    const c = createClient({ connector: never, connectTimeout: 200, commandTimeout: 5_000, reconnect: { initialDelay: 20, maxDelay: 50 } });
    const errors: Error[] = [];
    c.on("error", (e) => void errors.push(e));
    try {
      await until(() => errors.length > 0, "a connect error", 2_000);
      assert.ok(errors[0] instanceof TimeoutError, `got ${String(errors[0])}`);
      await until(() => calls >= 2, "a second attempt", 2_000);
    } finally {
      await c.close();
    }
  });

});

describe("reconnect.maxAttempts", () => {
  test("reconnect.maxAttempts: 2 makes 2 attempts to connect, then gives up", async () => {
    const port = await freePort();
    const counting = countingConnector();
    const c = createClient({ port, connector: counting.connector, reconnect: { maxAttempts: 2, initialDelay: 10, maxDelay: 20 } });
    c.on("error", () => {});
    let ended: Error | undefined;
    c.on("end", ({ error }) => (ended = error ?? new Error("ended without error")));
    await until(() => ended !== undefined, "the client to give up");
    await sleep(100);
    assert.equal(counting.calls(), 2);
    assert.match(ended!.message, /after 2 attempts/);
    await c.close();
  });

  test("reconnect.maxAttempts: 2 makes 2 attempts to reconnect after a lost connection", async () => {
    const doomed = await startRedis();
    const counting = countingConnector();
    const c = createClient({ url: doomed.url, connector: counting.connector, reconnect: { maxAttempts: 2, initialDelay: 10, maxDelay: 20 } });
    c.on("error", () => {});
    let ended = false;
    c.on("end", () => (ended = true));
    try {
      await c.send(["PING"]);
      assert.equal(counting.calls(), 1);
      await doomed.kill();
      await until(() => ended, "the client to give up");
      await sleep(100);
      assert.equal(counting.calls(), 1 + 2);
    } finally {
      await c.close();
      await doomed.stop();
    }
  });

  test("a pool with reconnect.maxAttempts: 2 makes 2 attempts to open its min connection, then waits for demand", async () => {
    const port = await freePort();
    const counting = countingConnector();
    const pool = createPool({ port, min: 1, connector: counting.connector, reconnect: { maxAttempts: 2, initialDelay: 10, maxDelay: 20 } });
    pool.on("error", () => {});
    try {
      await until(() => counting.calls() >= 2, "two attempts");
      await sleep(200);
      assert.equal(counting.calls(), 2);
    } finally {
      await pool.close();
    }
  });

  test("reconnect: false makes one attempt", async () => {
    const port = await freePort();
    const counting = countingConnector();
    const c = createClient({ port, connector: counting.connector, reconnect: false });
    c.on("error", () => {});
    let ended = false;
    c.on("end", () => (ended = true));
    await until(() => ended, "the client to give up");
    await sleep(100);
    assert.equal(counting.calls(), 1);
    await c.close();
  });
});

describe("client id on RESP2", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    const admin = await connectTestClient(server.url);
    await admin.send(["ACL", "SETUSER", "erin", "on", ">erin-secret", "~*", "&*", "+@all"]);
    await admin.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const cases = [
    ["a password", { username: "erin", password: "erin-secret" }],
    ["a clientName", { clientName: "resp2-named" }],
    ["a password, clientName and db", { username: "erin", password: "erin-secret", clientName: "resp2-db", db: 3 }],
  ] as const;
  for (const [what, extra] of cases) {
    test(`the connection's clientId is the server's CLIENT ID with ${what}`, async () => {
      const opened: number[] = [];
      const c = createClient({
        url: server.url,
        protocol: 2,
        ...extra,
        hooks: { connection: (e) => void (e.type === "open" && opened.push(e.clientId)) },
      });
      try {
        const id = await c.send(["CLIENT", "ID"]);
        assert.equal(opened.length, 1);
        assert.ok(typeof id === "number" && id > 0);
        assert.equal(opened[0], id);
      } finally {
        await c.close();
      }
    });
  }
});

describe("passwords in URLs", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    const admin = await connectTestClient(server.url);
    await admin.send(["ACL", "SETUSER", "frank", "on", ">ab/cd+ef==", "~*", "&*", "+@all"]);
    await admin.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  test("a password with / + = connects when percent-encoded in the URL, and the bare form is refused without showing it", async () => {
    const c = createClient(`redis://frank:ab%2Fcd+ef%3D%3D@127.0.0.1:${server.port}`);
    try {
      assert.equal(await c.send(["ACL", "WHOAMI"]), "frank");
    } finally {
      await c.close();
    }
    assert.throws(
      () => createClient(`redis://frank:ab/cd+ef==@127.0.0.1:${server.port}`),
      (e: Error) => e instanceof TypeError && /percent-encode/.test(e.message) && !e.message.includes("ab/cd+ef=="),
    );
  });
});
