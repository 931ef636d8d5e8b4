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
    calls.expire(Date.now() + 20);
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
