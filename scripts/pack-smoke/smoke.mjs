/**
 * Runs inside a fresh project that installed the packed tarball, with plain `node`: imports
 * `resplex` the way a user does (the package's "exports", its compiled JavaScript, its one
 * dependency) and drives a redis-server it starts on a free loopback port. Exits non-zero on any
 * failure. Copied there by scripts/pack-smoke.mjs; it must not import anything from the repository.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Worker } from "node:worker_threads";
import { createClient, createPool, RedisError, ResplexError } from "resplex";
import { exposeClient } from "resplex/worker";

const server = await startRedis(await freePort());
const url = `redis://127.0.0.1:${server.port}`;
try {
  await multiplexer(url);
  await pool(url);
  await workerThread(url);
  await otel(url);
  console.log("smoke: resplex works from the installed package");
} finally {
  await server.stop();
}

async function multiplexer(url) {
  const redis = createClient(url);
  try {
    assert.equal(await redis.set("smoke:k", "v"), "OK");
    assert.equal(await redis.get("smoke:k"), "v");
    assert.deepEqual(await redis.multi().set("smoke:n", "1").incr("smoke:n").exec(), ["OK", 2]);
    await redis.send(["RPUSH", "smoke:list", "x"]);
    // The error class a user imports must be the one the client throws: one copy of the module graph.
    await assert.rejects(redis.get("smoke:list"), (err) => {
      assert.ok(err instanceof RedisError, `expected RedisError, got ${err?.constructor?.name}: ${err?.message}`);
      assert.ok(err instanceof ResplexError);
      assert.equal(err.code, "WRONGTYPE");
      return true;
    });
    console.log("smoke: createClient set/get/multi, WRONGTYPE is a RedisError");
  } finally {
    await redis.close();
  }
}

async function pool(url) {
  const pool = createPool({ url, max: 2 });
  try {
    const lease = await pool.acquire();
    try {
      assert.equal(await lease.send(["SET", "smoke:lease", "held"]), "OK");
      assert.equal(await lease.get("smoke:lease"), "held");
      assert.equal(pool.stats().inUse, 1);
    } finally {
      await lease.release();
    }
    assert.equal(pool.stats().inUse, 0);
    console.log("smoke: createPool acquire/release");
  } finally {
    await pool.close();
  }
}

/** A worker thread uses the owner's pool through `resplex/worker` (smoke-worker.mjs). */
async function workerThread(url) {
  const pool = createPool({ url, max: 2 });
  const worker = new Worker(new URL("./smoke-worker.mjs", import.meta.url));
  const owner = exposeClient(pool, worker);
  let timer;
  try {
    const exitCode = await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error("the worker thread did not finish within 20 s")), 20_000);
      worker.once("error", reject);
      worker.once("exit", resolve);
    });
    assert.equal(exitCode, 0);
    assert.equal(await pool.get("smoke:worker"), "2");
    console.log("smoke: resplex/worker: a worker thread ran commands through the owner's pool");
  } finally {
    clearTimeout(timer);
    await worker.terminate();
    await owner.close();
    await pool.close();
  }
}

/** `resplex/otel` loads beside the user's `@opentelemetry/api` and makes a span per command. */
async function otel(url) {
  const { instrument } = await import("resplex/otel");
  const started = [];
  const span = { end() {}, isRecording: () => true, setAttributes() { return this; }, setStatus() { return this; } };
  const tracerProvider = { getTracer: () => ({ startSpan: (name, options) => (started.push([name, options.attributes["db.system.name"]]), span) }) };
  const redis = createClient(url);
  try {
    const uninstrument = instrument(redis, { tracerProvider });
    await redis.get("smoke:k");
    uninstrument();
    await redis.get("smoke:k");
    assert.deepEqual(started, [["GET", "redis"]]);
    console.log("smoke: resplex/otel: instrument() made a span per command with the installed @opentelemetry/api");
  } finally {
    await redis.close();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A throwaway redis-server: no persistence, loopback only, stopped by `stop()`. */
function startRedis(port) {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`redis-server did not start within 10 s:\n${output}`));
    }, 10_000);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
    child.stderr.on("data", (chunk) => (output += chunk));
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve({ port, stop });
      }
    });
  });
}
