import assert from "node:assert/strict";
import { AbortError } from "../../src/errors.ts";
import { resolvePoolOptions } from "../../src/pool/options.ts";
import { SessionState } from "../../src/pool/session.ts";
import { WaitSamples } from "../../src/pool/stats.ts";
import { Waiter, Waiters } from "../../src/pool/waiters.ts";
import { describe, test } from "../harness/runner.ts";
import { sleep } from "../harness/wait.ts";

describe("pool session tracking", () => {
  test("a lease that sent nothing stateful is clean", () => {
    const s = new SessionState(0);
    s.observe(["GET", "k"]);
    s.observe(["SET", "k", "v"]);
    assert.equal(s.clean, true);
    assert.deepEqual(s.resetCommands(), []);
  });

  test("MULTI left open is undone with DISCARD, and a lease that watched is UNWATCHed", () => {
    const s = new SessionState(0);
    s.observe(["WATCH", "k"]);
    s.observe(["multi"]);
    assert.deepEqual(s.resetCommands(), [["DISCARD"], ["UNWATCH"]]);
    s.observe(["EXEC"]);
    assert.equal(s.multi, false);
  });

  test("EXEC without MULTI does not clear WATCH: the lease is still UNWATCHed", () => {
    const s = new SessionState(0);
    s.observe(["WATCH", "k"]);
    s.observe(["EXEC"]); // answered "ERR EXEC without MULTI"; the watch stays
    assert.deepEqual(s.resetCommands(), [["UNWATCH"]]);
  });

  test("SELECT is undone with SELECT of the pool's db, also when given as bytes", () => {
    const s = new SessionState(2);
    s.observe([new TextEncoder().encode("select"), new TextEncoder().encode("7")]);
    assert.deepEqual(s.resetCommands(), [["SELECT", 2]]);
    s.observe(["SELECT", 2]);
    assert.equal(s.clean, true);
  });

  test("CLIENT TRACKING, HELLO, AUTH, RESET, CLIENT SETNAME, READONLY cannot be reset", () => {
    for (const args of [["client", "tracking", "on"], ["HELLO", "2"], ["AUTH", "pw"], ["RESET"], ["CLIENT", "SETNAME", "x"], ["READONLY"]]) {
      const s = new SessionState(0);
      s.observe(args);
      assert.equal(s.resetCommands(), undefined, args.join(" "));
      assert.ok(s.taint);
    }
  });

  test("harmless CLIENT subcommands and byte command names are understood", () => {
    const s = new SessionState(0);
    s.observe(["CLIENT", "INFO"]);
    s.observe([new TextEncoder().encode("multi")]);
    assert.equal(s.taint, undefined);
    assert.equal(s.multi, true);
  });
});

describe("pool waiters", () => {
  test("FIFO, exclusive count, removal from the middle", () => {
    const waiters = new Waiters<number>(0, () => {});
    const got: string[] = [];
    const make = (name: string, exclusive: boolean) => new Waiter<number>(exclusive, 0, (v) => got.push(`${name}:${v}`), () => got.push(`${name}:failed`));
    const a = make("a", true), b = make("b", false), c = make("c", true);
    waiters.push(a);
    waiters.push(b);
    waiters.push(c);
    assert.equal(waiters.exclusiveCount, 2);
    assert.equal(waiters.sharedCount, 1);
    waiters.fail(b, new Error("x"));
    waiters.grant(waiters.peek()!, 1);
    waiters.grant(waiters.peek()!, 2);
    waiters.grant(a, 3); // no longer queued: no-op
    assert.deepEqual(got, ["b:failed", "a:1", "c:2"]);
    assert.equal(waiters.size, 0);
  });

  test("one timer expires waiters in order at their deadlines", async () => {
    const expired: number[] = [];
    const waiters: Waiters<number> = new Waiters<number>(30, (w) => waiters.fail(w, new Error("timeout")));
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      waiters.push(new Waiter<number>(true, 30, () => {}, () => expired.push(Date.now() - t0)));
      await sleep(10);
    }
    await sleep(80);
    assert.equal(expired.length, 3);
    assert.ok(expired[0]! >= 25 && expired[2]! >= expired[0]!);
  });

  test("an aborted signal fails the waiter with AbortError", () => {
    const waiters = new Waiters<number>(0, () => {});
    let error: unknown;
    const controller = new AbortController();
    waiters.push(new Waiter<number>(true, 0, () => {}, (e) => (error = e)), controller.signal);
    controller.abort();
    assert.ok(error instanceof AbortError);
    assert.equal(waiters.size, 0);
  });
});

describe("pool stats and options", () => {
  test("wait percentiles come from a bounded ring of recent samples", () => {
    const w = new WaitSamples(4);
    assert.equal(w.percentile(0.5), 0);
    for (const ms of [100, 100, 100, 100, 1, 2, 3, 40]) w.add(ms); // the 100s fell out of the ring
    assert.equal(w.percentile(0.5), 2);
    assert.equal(w.percentile(0.99), 40);
  });

  test("defaults, URL strings and validation", () => {
    const o = resolvePoolOptions("redis://h:7000/3");
    assert.deepEqual([o.max, o.min, o.acquireTimeout, o.maxWaiters, o.idleTimeout, o.maxLifetime, o.leakTimeout], [10, 0, 5000, 10000, 30000, 0, 0]);
    assert.deepEqual(o.healthCheck, { idleTime: 30000, timeout: 2000 });
    assert.equal(o.connection.port, 7000);
    assert.equal(o.connection.db, 3);
    assert.equal(resolvePoolOptions({ healthCheck: false }).healthCheck, undefined);
    assert.throws(() => resolvePoolOptions({ max: 0 }), /max/);
    assert.throws(() => resolvePoolOptions({ min: 3, max: 2 }), /min/);
    assert.throws(() => resolvePoolOptions({ acquireTimeout: -1 }), /acquireTimeout/);
  });
});
