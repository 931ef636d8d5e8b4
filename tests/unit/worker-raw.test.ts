import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { LimitError, ProtocolError, RedisError } from "../../src/errors.ts";
import { decodeCommand, EncodedRun, RawCommand, ReplySpan, type RawSink } from "../../src/conn/raw-command.ts";
import { CommandEncoder, encodeCommand } from "../../src/resp/encode.ts";
import { RESP_LIMITS } from "../../src/resp/limits.ts";
import type { Arg, RespValue } from "../../src/resp/types.ts";
import { FrameBatch, FrameReader } from "../../src/worker/raw.ts";
import { resp } from "./resp-support.ts";

const utf8 = new TextEncoder();

describe("decodeCommand", () => {
  const binary = Uint8Array.from([0, 13, 10, 36, 42, 255, 128]);
  const long = "x".repeat(100_000) + "é";
  const cases: [string, Arg[], (string | Uint8Array)[]][] = [
    ["a command alone", ["PING"], ["PING"]],
    ["plain strings", ["SET", "k", "v"], ["SET", utf8.encode("k"), utf8.encode("v")]],
    ["binary and empty arguments", ["SET", binary, new Uint8Array(0), ""], ["SET", binary, new Uint8Array(0), new Uint8Array(0)]],
    ["multi-byte UTF-8, in the name too", ["ÉCHO😀", "ключ", "€😀"], ["ÉCHO😀", utf8.encode("ключ"), utf8.encode("€😀")]],
    ["numbers and bigints as sent", ["ZADD", "z", -42, 1.5, Infinity, 2n ** 70n], ["ZADD", utf8.encode("z"), utf8.encode("-42"), utf8.encode("1.5"), utf8.encode("+inf"), utf8.encode(String(2n ** 70n))]],
    ["a 100 KB argument", ["SET", "k", long], ["SET", utf8.encode("k"), utf8.encode(long)]],
  ];
  for (const [what, args, expected] of cases) {
    test(`round-trips encodeCommand output: ${what}`, () => {
      assert.deepStrictEqual(decodeCommand(encodeCommand(args)), expected);
    });
  }

  test("returns the arguments as views into the bytes, for one command among several in a buffer", () => {
    const encoder = new CommandEncoder();
    encoder.encode(["GET", "a"]);
    const from = encoder.length;
    encoder.encode(["SET", "b", binary]);
    const bytes = encoder.take();
    const args = decodeCommand(bytes.subarray(from));
    assert.deepStrictEqual(args, ["SET", utf8.encode("b"), binary]);
    assert.equal((args[2] as Uint8Array).buffer, bytes.buffer);
  });

  const garbage: [string, string][] = [
    ["nothing", ""],
    ["a reply", "+OK\r\n"],
    ["an inline command", "GET k\r\n"],
    ["an empty array", "*0\r\n"],
    ["a null array", "*-1\r\n"],
    ["a non-digit count", "*x\r\n"],
    ["fewer arguments than counted", "*2\r\n$3\r\nGET\r\n"],
    ["a payload cut short", "*1\r\n$9\r\nGET\r\n"],
    ["an argument that is not a bulk string", "*2\r\n$3\r\nGET\r\n:1\r\n"],
    ["a null argument", "*1\r\n$-1\r\n"],
    ["a payload not followed by CRLF", "*1\r\n$3\r\nGETxx"],
    ["bytes after the command", "*1\r\n$3\r\nGET\r\n*1\r\n"],
    ["a header line without CR", "*1X\n$3\r\nGET\r\n"],
    ["an empty length", "*1\r\n$\n\r\n"],
  ];
  for (const [what, input] of garbage) {
    test(`throws ProtocolError on ${what}`, () => {
      assert.throws(() => decodeCommand(resp(input)), ProtocolError);
    });
  }
});

type Outcome = ["replies", number, number, string] | ["fail", number, Error];

/** A sink that records outcomes (replies as their text, copied while the view is valid). */
function recordingSink(): RawSink & { outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  return {
    outcomes,
    replies: (firstId, count, buf, start, end) => void outcomes.push(["replies", firstId, count, new TextDecoder().decode(buf.subarray(start, end))]),
    fail: (id, error) => void outcomes.push(["fail", id, error]),
  };
}

function rawCommand(id: number, sink: RawSink, args: Arg[] = ["GET", "k"]): RawCommand {
  return new RawCommand(id, sink, new EncodedRun(encodeCommand(args), 1), 0);
}

describe("RawCommand", () => {
  test("answer() settles it once; a later answer or fail is ignored", () => {
    const sink = recordingSink();
    const cmd = rawCommand(7, sink);
    assert.equal(cmd.answer(), true);
    assert.equal(cmd.answer(), false);
    cmd.fail(new Error("late"));
    assert.deepStrictEqual(sink.outcomes, []);
    assert.equal(cmd.state, "done");
  });

  test("after fail, answer() is refused", () => {
    const sink = recordingSink();
    const cmd = rawCommand(8, sink);
    const error = new Error("timed out");
    cmd.fail(error);
    assert.equal(cmd.answer(), false);
    cmd.fail(new Error("again"));
    assert.deepStrictEqual(sink.outcomes, [["fail", 8, error]]);
  });

  test("encoded() is its own slice of the run; a run that does not hold its count of commands throws ProtocolError", () => {
    const encoder = new CommandEncoder();
    encoder.encode(["GET", "a"]);
    encoder.encode(["SET", "b", "c"]);
    const bytes = encoder.take();
    const run = new EncodedRun(bytes, 2);
    assert.deepStrictEqual(decodeCommand(new RawCommand(1, recordingSink(), run, 1).encoded()), ["SET", utf8.encode("b"), utf8.encode("c")]);
    assert.throws(() => new RawCommand(1, recordingSink(), new EncodedRun(bytes, 3), 0).encoded(), ProtocolError);
    assert.throws(() => new RawCommand(1, recordingSink(), new EncodedRun(bytes.subarray(0, bytes.length - 1), 2), 0).encoded(), ProtocolError);
  });

  test("name is the upper-cased name read from its own bytes, or \"command\" when they are not a command", () => {
    const sink = recordingSink();
    const encoder = new CommandEncoder();
    encoder.encode(["get", "a"]);
    const from = encoder.length;
    encoder.encode(["hset", "h", "f", "v"]);
    const bytes = encoder.take();
    const run = new EncodedRun(bytes, 2);
    assert.equal(new RawCommand(1, sink, run, 0).name, "GET");
    assert.equal(new RawCommand(2, sink, run, 1).name, "HSET");
    assert.deepStrictEqual(run.command(1), bytes.subarray(from));
    assert.equal(new RawCommand(3, sink, new EncodedRun(resp("+OK\r\n"), 1), 0).name, "command");
    assert.equal(sink.outcomes.length, 0);
  });
});

describe("ReplySpan", () => {
  test("replies to consecutive commands of one sink, one after another in one chunk, go over as one piece", () => {
    const sink = recordingSink();
    const run = new EncodedRun(resp("*1\r\n$4\r\nPING\r\n".repeat(3)), 3);
    const [a, b, c] = [0, 1, 2].map((k) => new RawCommand(10 + k, sink, run, k));
    const chunk = resp("+A\r\n", "+B\r\n", "+C\r\n");
    const span = new ReplySpan();
    span.add(a!, chunk, 0, 4);
    span.add(b!, chunk, 4, 8);
    span.add(c!, chunk, 8, 12);
    assert.deepStrictEqual(sink.outcomes, [], "nothing goes over before handOver()");
    span.handOver();
    span.handOver();
    assert.deepStrictEqual(sink.outcomes, [["replies", 10, 3, "+A\r\n+B\r\n+C\r\n"]]);
  });

  test("a gap in the bytes or the ids, another chunk or another sink starts a new piece; a failed command's reply is dropped", () => {
    const one = recordingSink();
    const other = recordingSink();
    const run = new EncodedRun(resp("*1\r\n$4\r\nPING\r\n".repeat(6)), 6);
    const cmd = (sink: RawSink, id: number, k: number) => new RawCommand(id, sink, run, k);
    const chunk = resp("+A\r\n+B\r\n+C\r\n+D\r\n+E\r\n");
    const next = resp("+F\r\n");
    const failed = cmd(one, 7, 5);
    const gaveUp = new Error("gave up");
    failed.fail(gaveUp);
    const span = new ReplySpan();
    span.add(cmd(one, 1, 0), chunk, 0, 4);
    span.add(cmd(one, 3, 1), chunk, 4, 8); // not the next id
    span.add(cmd(other, 4, 2), chunk, 8, 12); // another sink
    span.add(cmd(other, 5, 3), chunk, 16, 20); // a gap in the bytes
    span.add(failed, chunk, 20, 24);
    span.add(cmd(other, 6, 4), next, 0, 4); // another chunk
    span.handOver();
    assert.deepStrictEqual(one.outcomes, [["fail", 7, gaveUp], ["replies", 1, 1, "+A\r\n"], ["replies", 3, 1, "+B\r\n"]]);
    assert.deepStrictEqual(other.outcomes, [["replies", 4, 1, "+C\r\n"], ["replies", 5, 1, "+E\r\n"], ["replies", 6, 1, "+F\r\n"]]);
  });
});

describe("FrameBatch", () => {
  test("take() is undefined while nothing was added", () => {
    const batch = new FrameBatch();
    assert.equal(batch.take(), undefined);
    assert.ok(batch.empty);
  });

  test("gathers replies past its initial 4096 bytes; take() returns exactly those bytes and their ids as one run, then it starts empty", () => {
    const batch = new FrameBatch();
    const replies: Uint8Array[] = [];
    for (let id = 1; id <= 300; id++) {
      // Short replies and ones past 16 bytes, each taken from inside a larger chunk.
      const reply = id % 3 === 0 ? resp(`$${20 + id}\r\n`, "v".repeat(20 + id), "\r\n") : resp(`:${id}\r\n`);
      const chunk = resp("+before\r\n", reply, "+after\r\n");
      batch.add(id, 1, chunk, 9, 9 + reply.length);
      chunk.fill(0); // a socket reuses its chunk: the batch must have copied
      replies.push(reply);
    }
    assert.ok(!batch.empty);
    const taken = batch.take()!;
    const expected = resp(...replies);
    assert.ok(expected.length > 4096, `only ${expected.length} bytes`);
    assert.deepStrictEqual(taken.bytes, expected);
    assert.deepStrictEqual(taken.runs, [1, 300]);
    assert.ok(batch.empty);
    assert.equal(batch.take(), undefined);

    batch.add(301, 1, resp("+OK\r\n"), 0, 5);
    const next = batch.take()!;
    assert.deepStrictEqual(next, { bytes: resp("+OK\r\n"), runs: [301, 1] });
    assert.notEqual(next.bytes.buffer, taken.bytes.buffer);
    assert.deepStrictEqual(taken.bytes, expected, "a later add wrote into bytes already taken");
  });

  test("after one huge reply, the next tick's buffer is small again", () => {
    const batch = new FrameBatch();
    const huge = new Uint8Array(4 * 1024 * 1024);
    batch.add(1, 1, huge, 0, huge.length);
    assert.equal(batch.take()!.bytes.length, huge.length);
    batch.add(2, 1, resp("+OK\r\n"), 0, 5);
    assert.ok(batch.take()!.bytes.buffer.byteLength <= 256 * 1024, "the buffer a small tick transfers stays small");
  });

  test("ids that are not consecutive start new runs", () => {
    const batch = new FrameBatch();
    for (const id of [5, 6, 12, 7, 8]) batch.add(id, 1, resp(":1\r\n"), 0, 4);
    batch.add(9, 3, resp(":1\r\n:2\r\n:3\r\n"), 0, 12); // joins the run 7, 8
    assert.deepStrictEqual(batch.take()!.runs, [5, 2, 12, 1, 7, 5]);
  });
});

/** A FrameReader target that records settlements; calls in `bytes` want their strings as bytes. */
function recordingTarget(bytes: number[] = []) {
  const settled: [number, RespValue][] = [];
  const failed: [number, Error][] = [];
  const reader = new FrameReader({
    wantsBytes: (id) => bytes.includes(id),
    settle: (id, value) => void settled.push([id, value]),
    fail: (id, error) => void failed.push([id, error]),
  });
  return { reader, settled, failed };
}

describe("FrameReader", () => {
  test("settles each id in order, with strings or bytes as each call asked", () => {
    const { reader, settled, failed } = recordingTarget([10, 12, 21]);
    reader.read(resp("$3\r\nabc\r\n", "$3\r\nabc\r\n", "*2\r\n+x\r\n:1\r\n", "$1\r\nz\r\n", "-ERR no\r\n"), [10, 5]);
    reader.read(resp("+a\r\n", "+b\r\n"), [20, 2]);
    assert.deepStrictEqual(settled.map(([id]) => id), [10, 11, 12, 13, 14, 20, 21]);
    assert.deepStrictEqual(settled.slice(0, 4).map(([, value]) => value), [utf8.encode("abc"), "abc", [utf8.encode("x"), 1], "z"]);
    const [, error] = settled[4]!;
    assert.ok(error instanceof RedisError && error.message === "ERR no", "an error reply settles as a RedisError");
    assert.deepStrictEqual(settled.slice(5).map(([, value]) => value), ["a", utf8.encode("b")]);
    assert.equal(failed.length, 0);
  });

  test("reads several runs of ids; bytes that do not decode fail the rest of every run", () => {
    const { reader, settled, failed } = recordingTarget();
    reader.read(resp(":1\r\n", ":2\r\n", ":5\r\n"), [1, 2, 5, 1]);
    assert.deepStrictEqual(settled, [[1, 1], [2, 2], [5, 5]]);
    reader.read(resp(":6\r\n", "?bad\r\n", ":8\r\n", ":9\r\n"), [6, 2, 8, 2]);
    assert.deepStrictEqual(settled.slice(3), [[6, 6]]);
    assert.deepStrictEqual(failed.map(([id]) => id), [7, 8, 9]);
  });

  test("a reply nested deeper than maxDepth fails its own id with LimitError; the replies after it in the same batch settle", () => {
    const { reader, settled, failed } = recordingTarget([3]);
    const tooDeep = "*1\r\n".repeat(RESP_LIMITS.maxDepth + 1) + ":1\r\n";
    reader.read(resp(":1\r\n", tooDeep, "$1\r\nc\r\n", "+d\r\n"), [1, 4]);
    assert.deepStrictEqual(settled, [[1, 1], [3, utf8.encode("c")], [4, "d"]]);
    assert.deepStrictEqual(failed.map(([id]) => id), [2]);
    assert.ok(failed[0]![1] instanceof LimitError && failed[0]![1].limit === "maxDepth", String(failed[0]![1]));
  });

  test("on bytes that do not decode, fails the remaining ids with ProtocolError, then decodes the next batch", () => {
    const { reader, settled, failed } = recordingTarget();
    reader.read(resp(":1\r\n", "?garbage\r\n", ":3\r\n"), [1, 3]);
    assert.deepStrictEqual(settled, [[1, 1]]);
    assert.deepStrictEqual(failed.map(([id]) => id), [2, 3]);
    for (const [, error] of failed) assert.ok(error instanceof ProtocolError, String(error));
    reader.read(resp(":4\r\n", "+ok\r\n"), [4, 2]);
    assert.deepStrictEqual(settled, [[1, 1], [4, 4], [5, "ok"]]);
    assert.equal(failed.length, 2);
  });

  test("fails the ids a batch holds no whole reply for, and its unfinished reply does not reach the next batch", () => {
    const { reader, settled, failed } = recordingTarget();
    reader.read(resp("+a\r\n", "$5\r\nhel"), [1, 2]);
    assert.deepStrictEqual(failed.map(([id]) => id), [2]);
    assert.ok(failed[0]![1] instanceof ProtocolError);
    reader.read(resp("+b\r\n"), [3, 1]);
    assert.deepStrictEqual(settled, [[1, "a"], [3, "b"]]);
  });
});
