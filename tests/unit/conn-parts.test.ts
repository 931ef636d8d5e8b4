import assert from "node:assert/strict";
import { backoffDelay, resolveReconnect, retryDelay } from "../../src/conn/backoff.ts";
import { describeAddress, parseRedisUrl, redactUrl, resolveConnectionOptions } from "../../src/conn/options.ts";
import { Command } from "../../src/conn/command.ts";
import { Deadlines } from "../../src/conn/deadlines.ts";
import { Queue } from "../../src/conn/queue.ts";
import { AbortError, TimeoutError } from "../../src/errors.ts";
import { describe, test } from "../harness/runner.ts";
import { sleep } from "../harness/wait.ts";

describe("Redis URLs", () => {
  test("parses user, password, host, port and db", () => {
    assert.deepEqual(parseRedisUrl("redis://alice:s%40cret@example.com:6380/3"), {
      username: "alice", password: "s@cret", host: "example.com", port: 6380, db: 3,
    });
  });

  test("rediss:// turns TLS on; IPv6 hosts lose their brackets", () => {
    assert.deepEqual(parseRedisUrl("rediss://[::1]:6390"), { tls: {}, host: "::1", port: 6390 });
  });

  test("redis+unix:// gives a socket path and a db from the query", () => {
    assert.deepEqual(parseRedisUrl("redis+unix:///run/redis.sock?db=5"), { path: "/run/redis.sock", db: 5 });
  });

  test("a bad URL is refused without echoing its password", () => {
    assert.throws(() => parseRedisUrl("redis://u:hunter2@host:6379/notanumber"), (err: Error) => err instanceof TypeError && !err.message.includes("hunter2"));
    assert.throws(() => parseRedisUrl("http://host"), /unsupported Redis URL scheme/);
    assert.equal(redactUrl("redis://u:hunter2@h:1/0"), "redis://u:***@h:1/0");
  });

  test("explicit options override the URL, defaults fill the rest", () => {
    const o = resolveConnectionOptions({ url: "redis://h:1/2", db: 4 });
    assert.equal(o.host, "h");
    assert.equal(o.db, 4);
    assert.equal(o.protocol, 3);
    assert.equal(o.commandTimeout, 5000);
    assert.equal(describeAddress(o), "h:1");
    assert.throws(() => resolveConnectionOptions({ commandTimeout: -1 }), /commandTimeout/);
    assert.throws(() => resolveConnectionOptions({ protocol: 4 as 3 }), /protocol/);
  });
});

describe("reconnect backoff", () => {
  test("doubles from initialDelay, caps at maxDelay, and jitters within the upper half", () => {
    const policy = resolveReconnect({ initialDelay: 100, maxDelay: 1000 });
    assert.equal(backoffDelay(policy, 1, () => 0), 50);
    assert.equal(backoffDelay(policy, 1, () => 1), 100);
    assert.equal(backoffDelay(policy, 3, () => 1), 400);
    assert.equal(backoffDelay(policy, 30, () => 0.5), 750);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(policy, 4)));
    assert.ok(spread.size > 10, "delays are not jittered");
  });

  test("reconnect: false means no attempts; bad values are refused", () => {
    assert.equal(resolveReconnect(false).maxAttempts, 0);
    assert.throws(() => resolveReconnect({ initialDelay: -5 }), /initialDelay/);
  });

  test("retryDelay with the options form: a lost connection retries at once, maxAttempts bounds attempts", () => {
    const lost = new Error("lost");
    const policy = resolveReconnect({ initialDelay: 100, maxDelay: 1000, maxAttempts: 2 });
    assert.equal(retryDelay(policy, 1, lost, true), 0); // lost: reconnect now
    assert.ok((retryDelay(policy, 2, lost, true) as number) >= 50); // that attempt failed: back off
    assert.equal(retryDelay(policy, 3, lost, true), false); // two attempts failed
    assert.ok((retryDelay(policy, 1, lost, false) as number) >= 50); // the first connect failed
    assert.equal(retryDelay(policy, 2, lost, false), false);
    assert.equal(retryDelay(resolveReconnect(false), 1, lost, true), false);
  });

  test("retryDelay with a function: it gets the setback count and the error, and decides", () => {
    const calls: Array<[number, string]> = [];
    const policy = resolveReconnect((attempt, err) => (calls.push([attempt, err.message]), attempt < 3 ? attempt * 10 : false));
    assert.equal(resolveReconnect(policy).strategy, policy.strategy); // resolving twice keeps it
    assert.equal(retryDelay(policy, 1, new Error("a"), true), 10);
    assert.equal(retryDelay(policy, 2, new Error("b"), false), 20);
    assert.equal(retryDelay(policy, 3, new Error("c"), false), false);
    assert.deepEqual(calls, [[1, "a"], [2, "b"], [3, "c"]]);
  });

  test("retryDelay: a function that throws or answers nonsense stops the retries, and its error is not lost", async () => {
    // Bun fails the running test on any error rethrown from a microtask, whoever listens for it.
    if ((globalThis as { Bun?: unknown }).Bun) return;
    const thrown: unknown[] = [];
    const capture = (err: unknown) => thrown.push(err);
    const g = globalThis as { process?: { on(e: string, f: (e: unknown) => void): void; off(e: string, f: (e: unknown) => void): void } };
    g.process?.on("uncaughtException", capture);
    try {
      assert.equal(retryDelay(resolveReconnect(() => -1), 1, new Error("x"), true), false);
      assert.equal(retryDelay(resolveReconnect(() => { throw new Error("boom"); }), 1, new Error("x"), true), false);
      await sleep(10);
    } finally {
      g.process?.off("uncaughtException", capture);
    }
    if (g.process) assert.equal(thrown.length, 2);
  });
});

describe("Queue", () => {
  test("keeps FIFO order across growth and wrap-around", () => {
    const q = new Queue<number>();
    for (let i = 0; i < 10; i++) q.push(i);
    for (let i = 0; i < 5; i++) assert.equal(q.shift(), i);
    for (let i = 10; i < 100; i++) q.push(i);
    assert.equal(q.length, 95);
    assert.equal(q.peek(), 5);
    assert.equal(q.at(94), 99);
    assert.deepEqual(q.drain(), Array.from({ length: 95 }, (_, i) => i + 5));
    assert.equal(q.shift(), undefined);
  });

  test("prune() removes what it is told to, wrapped around the ring, keeping the rest in order", () => {
    const q = new Queue<number>();
    for (let i = 0; i < 12; i++) q.push(i);
    for (let i = 0; i < 10; i++) q.shift();
    for (let i = 12; i < 24; i++) q.push(i); // the items now wrap around the end of the ring
    q.prune((n) => n % 3 !== 0);
    assert.deepEqual(q.drain(), [10, 11, 13, 14, 16, 17, 19, 20, 22, 23]);
    q.push(1);
    q.prune(() => false);
    assert.equal(q.length, 0);
    q.push(7);
    assert.deepEqual(q.drain(), [7]);
  });
});

describe("command deadlines", () => {
  test("settled commands are let go within about a second after a burst, not at the oldest one's deadline", async () => {
    const deadlines = new Deadlines(60_000);
    const burst = Array.from({ length: 1000 }, (_, i) => new Command(["GET", `k${i}`], false, 60_000));
    for (const cmd of burst) deadlines.track(cmd, 60_000);
    for (const cmd of burst) cmd.settle("v");
    assert.equal(deadlines.size, 1000, "the burst is still held right after it settled");
    await sleep(1_200);
    assert.equal(deadlines.size, 0);
    deadlines.clear();
  });

  test("a listener that comes after the command failed (aborted as it was created) is told at once", async () => {
    const cmd = new Command(["GET", "k"], false, 0, AbortSignal.abort());
    await assert.rejects(cmd.promise, AbortError);
    let told: unknown;
    cmd.listen((outcome) => (told = outcome));
    assert.ok(told instanceof AbortError);
  });

  test("a command still waiting past its deadline rejects with TimeoutError", async () => {
    const deadlines = new Deadlines(50);
    const cmd = new Command(["GET", "k"], false, 50);
    deadlines.track(cmd, 50);
    await assert.rejects(cmd.promise, (err: Error) => err instanceof TimeoutError && /GET timed out/.test(err.message));
    deadlines.clear();
  });
});
