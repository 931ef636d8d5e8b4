import assert from "node:assert/strict";
import {
  AbortError,
  ClosedError,
  ConnectionError,
  LimitError,
  PoolTimeoutError,
  ProtocolError,
  RedisError,
  ResplexError,
  TimeoutError,
} from "../../src/errors.ts";
import { errorFromWire, errorToWire } from "../../src/worker/protocol.ts";
import { pushArgs, replyForWire, replyFromWire } from "../../src/worker/values.ts";
import { describe, test } from "../harness/runner.ts";

/** What structured clone does to a message, as postMessage would. */
const clone = <T>(value: T): T => structuredClone(value);

describe("worker wire: errors", () => {
  test("every resplex error crosses with its class, code and message", () => {
    const errors: ResplexError[] = [
      new RedisError("WRONGTYPE Operation against a key holding the wrong kind of value"),
      new ConnectionError("lost"),
      new TimeoutError("GET timed out"),
      new ProtocolError("bad byte"),
      new ClosedError("closed"),
      new PoolTimeoutError("2 in use, 3 waiting"),
      new AbortError("GET aborted"),
    ];
    for (const err of errors) {
      const back = errorFromWire(clone(errorToWire(err)));
      assert.equal(back.constructor, err.constructor);
      assert.equal((back as ResplexError).code, err.code);
      assert.equal(back.message, err.message);
      assert.equal(back.name, err.name);
    }
  });

  test("LimitError keeps which limit; causes cross too", () => {
    const limit = errorFromWire(clone(errorToWire(new LimitError("maxPending", "offline queue full")))) as LimitError;
    assert.ok(limit instanceof LimitError);
    assert.equal(limit.limit, "maxPending");
    const wrapped = errorFromWire(clone(errorToWire(new ConnectionError("lost", { cause: new RedisError("ERR inner") }))));
    assert.ok(wrapped.cause instanceof RedisError);
    assert.equal((wrapped.cause as RedisError).code, "ERR");
    assert.equal(errorFromWire(clone(errorToWire(new ClosedError("x")))).cause, undefined);
  });

  test("built-in errors keep their class; a foreign error named like ours does not become ours", () => {
    assert.ok(errorFromWire(clone(errorToWire(new TypeError("bad")))) instanceof TypeError);
    const foreign = new Error("signal timed out");
    foreign.name = "TimeoutError"; // as AbortSignal.timeout()'s DOMException is named
    const back = errorFromWire(clone(errorToWire(foreign)));
    assert.ok(!(back instanceof TimeoutError));
    assert.equal(back.name, "TimeoutError");
  });
});

describe("worker wire: values", () => {
  test("error replies nested in aggregates come back as RedisError", () => {
    const transfer: Transferable[] = [];
    const reply = [1, new RedisError("ERR one"), [new RedisError("WRONGTYPE two")], new Map([["k", new RedisError("ERR three")]])];
    const wire = replyForWire(reply, transfer);
    assert.equal(wire.nested, true);
    const back = replyFromWire(clone(wire.value)) as unknown[];
    assert.equal(back[0], 1);
    assert.ok(back[1] instanceof RedisError && back[1].code === "ERR");
    assert.ok((back[2] as unknown[])[0] instanceof RedisError);
    assert.ok((back[3] as Map<string, unknown>).get("k") instanceof RedisError);
    assert.equal(replyForWire(["a", 1, null], []).nested, false);
  });

  test("a reply buffer of its own is transferred as is; a view into a shared slab is copied first", () => {
    const own = new Uint8Array([1, 2, 3]);
    const slab = new Uint8Array(16 * 1024);
    slab.set([7, 8], 100);
    const view = slab.subarray(100, 102);
    const transfer: Transferable[] = [];
    const wire = replyForWire([own, view], transfer).value as Uint8Array[];
    assert.equal(wire[0], own);
    assert.notEqual(wire[1]!.buffer, slab.buffer);
    assert.deepEqual([...wire[1]!], [7, 8]);
    assert.deepEqual(transfer, [own.buffer, wire[1]!.buffer]);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(wire, transfer);
    port1.close();
    port2.close();
    assert.equal(slab.byteLength, 16 * 1024, "the slab stays usable");
    assert.equal(own.byteLength, 0, "the reply buffer moved");
  });

  test("empty byte strings are never transferred (they may be a shared constant)", () => {
    const transfer: Transferable[] = [];
    const empty = new Uint8Array(0);
    replyForWire([empty], transfer);
    assert.deepEqual(transfer, []);
  });

  test("byte arguments are copied into buffers of their own; the caller's array and buffers stay theirs", () => {
    const key = new Uint8Array([1, 2, 3]);
    const args = ["SET", key, "v"];
    const batch: unknown[] = ["send", 1, 0, 3];
    const transfer: Transferable[] = [];
    pushArgs(args, batch, transfer);
    assert.equal(batch.length, 7);
    assert.equal(args[1], key);
    const copy = batch[5] as Uint8Array;
    assert.notEqual(copy.buffer, key.buffer);
    assert.deepEqual([...copy], [1, 2, 3]);
    assert.deepEqual(transfer, [copy.buffer]);
  });
});
