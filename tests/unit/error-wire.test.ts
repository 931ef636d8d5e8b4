/**
 * Errors keep their identity across a thread boundary even after a minifying bundler renamed the
 * classes, and a root cause's system code (ECONNREFUSED, ENOTFOUND) crosses with it.
 */
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
import { describe, test } from "../harness/runner.ts";

const clone = <T>(value: T): T => structuredClone(value);
const cross = (err: unknown): Error => errorFromWire(clone(errorToWire(err)));

/** Run `fn` while every class in `classes` is renamed, as a minifier renames `class ConnectionError` to `class e`. */
function minified(classes: Function[], fn: () => void): void {
  const names = classes.map((cls) => Object.getOwnPropertyDescriptor(cls, "name")!);
  classes.forEach((cls, i) => Object.defineProperty(cls, "name", { value: String.fromCharCode(97 + i), configurable: true }));
  try {
    fn();
  } finally {
    classes.forEach((cls, i) => Object.defineProperty(cls, "name", names[i]!));
  }
}

describe("errors across threads", () => {
  test("classes renamed by a minifier keep their literal names and cross as themselves", () => {
    const made: Array<[ResplexError, Function, string]> = [
      [new RedisError("WRONGTYPE Operation against a key"), RedisError, "RedisError"],
      [new ConnectionError("lost"), ConnectionError, "ConnectionError"],
      [new TimeoutError("GET timed out"), TimeoutError, "TimeoutError"],
      [new ProtocolError("bad byte"), ProtocolError, "ProtocolError"],
      [new ClosedError("closed"), ClosedError, "ClosedError"],
      [new PoolTimeoutError("2 in use"), PoolTimeoutError, "PoolTimeoutError"],
      [new AbortError("GET aborted"), AbortError, "AbortError"],
      [new LimitError("maxPending", "queue full"), LimitError, "LimitError"],
      [new ResplexError("RESPLEX_SOMETHING", "other"), ResplexError, "ResplexError"],
    ];
    minified([ResplexError, ...made.map(([, cls]) => cls)], () => {
      for (const [err, cls, name] of made) {
        assert.equal(err.name, name);
        const back = cross(err);
        assert.ok(back instanceof cls, `${name} came back as ${back.name}`);
        assert.equal(back.name, name);
        assert.equal((back as ResplexError).code, err.code);
        assert.equal(back.message, err.message);
      }
    });
  });

  test("a subclass of ours, whatever its name, crosses as the class whose code it has", () => {
    class Renamed extends ConnectionError {}
    Object.defineProperty(Renamed, "name", { value: "t" });
    const back = cross(new Renamed("lost"));
    assert.ok(back instanceof ConnectionError, `came back as ${back.name}`);
    assert.equal((back as ConnectionError).code, "RESPLEX_CONNECTION");
    class OwnName extends TimeoutError {
      override get name(): string {
        return "OwnName";
      }
    }
    const own = cross(new OwnName("late"));
    assert.ok(own instanceof TimeoutError, `came back as ${own.name}`);
    assert.equal((own as TimeoutError).code, "RESPLEX_TIMEOUT");
  });

  test("the root cause's system code crosses, and a system error does not become ours", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED", errno: -111, syscall: "connect" });
    const back = cross(new ConnectionError("gave up", { cause: new ConnectionError("could not connect", { cause: refused }) }));
    assert.ok(back instanceof ConnectionError);
    const inner = back.cause as ConnectionError;
    assert.ok(inner instanceof ConnectionError);
    const root = inner.cause as Error & { code?: string };
    assert.ok(root instanceof Error && !(root instanceof ResplexError), `root came back as ${root?.name}`);
    assert.equal(root.code, "ECONNREFUSED");
    assert.equal(root.message, refused.message);
    const unknownHost = cross(Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), { code: "ENOTFOUND" })) as Error & { code?: string };
    assert.equal(unknownHost.code, "ENOTFOUND");
    assert.ok(!(unknownHost instanceof ResplexError));
  });
});
