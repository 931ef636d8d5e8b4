import assert from "node:assert/strict";
import { AbortError, ClosedError, RedisError, TimeoutError } from "../../src/errors.ts";
import { PendingCalls } from "../../src/worker/calls.ts";
import { describe, test } from "../harness/runner.ts";

describe("worker client: pending calls", () => {
  test("a reply resolves its call; an error reply rejects it; unknown ids are ignored", async () => {
    const calls = new PendingCalls(() => {});
    const a = calls.add(1, ["GET", "a"], 0, undefined);
    const b = calls.add(2, ["GET", "b"], 0, undefined);
    calls.settle(2, new RedisError("WRONGTYPE no"));
    calls.settle(1, "v");
    calls.settle(99, "stray");
    assert.equal(await a, "v");
    await assert.rejects(b, RedisError);
    assert.equal(calls.size, 0);
  });

  test("aborting rejects at once with AbortError and reports the id, so the owner can stop the command", async () => {
    const aborted: number[] = [];
    const calls = new PendingCalls((id) => aborted.push(id));
    const controller = new AbortController();
    const call = calls.add(7, ["BLPOP", "q", 0], 0, controller.signal);
    controller.abort();
    await assert.rejects(call, (err: Error) => err instanceof AbortError && /BLPOP aborted/.test(err.message));
    assert.deepEqual(aborted, [7]);
    calls.settle(7, "late"); // the owner's late reply changes nothing
    const early = calls.add(8, ["GET", "k"], 0, AbortSignal.abort());
    await assert.rejects(early, AbortError);
    assert.deepEqual(aborted, [7, 8]);
  });

  test("calls past their deadline reject with TimeoutError; the others keep waiting", async () => {
    const calls = new PendingCalls(() => {});
    const short = calls.add(1, ["GET", "a"], 10, undefined);
    const none = calls.add(2, ["BLPOP", "q", 0], 0, undefined);
    const deadline = calls.nextDeadline();
    assert.ok(deadline > 0 && deadline <= Date.now() + 10, "the earliest deadline is the short call's");
    calls.expire(Date.now() + 20);
    assert.equal(calls.nextDeadline(), 0, "the call left has none");
    await assert.rejects(short, TimeoutError);
    assert.equal(calls.size, 1);
    calls.failAll((name) => new ClosedError(`${name} did not complete`));
    await assert.rejects(none, (err: Error) => err instanceof ClosedError && err.message === "BLPOP did not complete");
  });
});

describe("worker client: pending calls ring", () => {
  test("a call outstanding while thousands of later ones come and go is still found", async () => {
    const calls = new PendingCalls(() => {});
    const slow = calls.add(1, ["BLPOP", "q", 0], 0, undefined);
    for (let id = 2; id < 5_000; id++) {
      const fast = calls.add(id, ["GET", "k"], 0, undefined);
      calls.settle(id, id);
      assert.equal(await fast, id);
    }
    assert.equal(calls.size, 1);
    calls.settle(1, "job");
    assert.equal(await slow, "job");
    assert.equal(calls.size, 0);
  });
});

describe("worker client: pending calls beside one that never settles", () => {
  test("one call held pending while 200k others come and go: the table stays small, the held call is still found", async () => {
    const calls = new PendingCalls(() => {});
    const held = calls.add(1, ["BLPOP", "q", 0], 0, undefined);
    for (let id = 2; id <= 200_000; id++) {
      void calls.add(id, ["GET", "k"], 6_000, undefined);
      calls.settle(id, "v");
    }
    assert.equal(calls.size, 1);
    assert.ok(calls.capacity <= 4_096, `the table holds ${calls.capacity} slots for 1 pending call`);
    calls.expire(Date.now());
    calls.settle(1, "job");
    assert.equal(await held, "job");
    assert.equal(calls.size, 0);
  });

  test("after a burst, an expiry scan gives back the slots the burst needed; the calls left are still found and still expire", async () => {
    const calls = new PendingCalls(() => {});
    const burst = Array.from({ length: 10_000 }, (_, i) => calls.add(i + 1, ["GET", "k"], i === 5 ? 10 : 0, undefined));
    for (let id = 1; id <= 10_000; id++) if (id !== 3 && id !== 6 && id !== 9_999) calls.settle(id, "v");
    assert.ok(calls.capacity >= 10_000);
    calls.expire(Date.now() + 20); // call 6 is past its deadline
    await assert.rejects(burst[5]!, TimeoutError);
    assert.equal(calls.size, 2);
    assert.ok(calls.capacity <= 4_096, `the table holds ${calls.capacity} slots for 2 pending calls`);
    calls.settle(3, "old");
    calls.settle(9_999, "new");
    assert.equal(await burst[2], "old");
    assert.equal(await burst[9_998], "new");
    assert.equal(calls.size, 0);
  });

  test("a held call pushed out of the ring still takes its reply in bytes, times out, and fails with the rest", async () => {
    const calls = new PendingCalls(() => {});
    const raw = calls.add(1, ["GET", "big"], 0, undefined, "frame-bytes");
    const timed = calls.add(2, ["GET", "slow"], 10, undefined);
    const blocked = calls.add(3, ["BLPOP", "q", 0], 0, undefined);
    for (let id = 4; id <= 20_000; id++) {
      void calls.add(id, ["GET", "k"], 0, undefined);
      calls.settle(id, "v");
    }
    assert.equal(calls.wantsBytes(1), true);
    calls.expire(Date.now() + 20);
    await assert.rejects(timed, TimeoutError);
    calls.settle(1, new Uint8Array([1]));
    assert.deepEqual(await raw, new Uint8Array([1]));
    const settled = calls.settled();
    calls.failAll((name) => new ClosedError(`${name} did not complete`));
    await assert.rejects(blocked, ClosedError);
    await settled;
    assert.equal(calls.size, 0);
  });
});
