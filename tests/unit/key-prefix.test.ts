import assert from "node:assert/strict";
import { keyIndexes } from "../../src/commands/lookup.ts";
import { prefixKeys, prefixPattern } from "../../src/commands/prefix.ts";
import { withinPrefix } from "../../src/client/scan-prefix.ts";
import { describe, test } from "../harness/runner.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("keyPrefix: which arguments get the prefix", () => {
  test("every key position the command table finds, and nothing else", () => {
    assert.deepEqual(prefixKeys(["SET", "k", "v", "EX", 10], "app:"), ["SET", "app:k", "v", "EX", 10]);
    assert.deepEqual(prefixKeys(["MSET", "a", "1", "b", "2"], "app:"), ["MSET", "app:a", "1", "app:b", "2"]);
    assert.deepEqual(prefixKeys(["EVAL", "return KEYS[1]", 2, "k1", "k2", "arg"], "p:"), ["EVAL", "return KEYS[1]", 2, "p:k1", "p:k2", "arg"]);
    assert.deepEqual(prefixKeys(["FCALL", "fn", 1, "k", "arg"], "p:"), ["FCALL", "fn", 1, "p:k", "arg"]);
    assert.deepEqual(prefixKeys(["XREAD", "COUNT", 1, "STREAMS", "s1", "s2", "0", "$"], "p:"), ["XREAD", "COUNT", 1, "STREAMS", "p:s1", "p:s2", "0", "$"]);
    assert.deepEqual(prefixKeys(["BLMPOP", 0, 2, "a", "b", "LEFT"], "p:"), ["BLMPOP", 0, 2, "p:a", "p:b", "LEFT"]);
    assert.deepEqual(prefixKeys(["SORT", "l", "BY", "w_*", "STORE", "dst"], "p:"), ["SORT", "p:l", "BY", "w_*", "STORE", "p:dst"]);
    assert.deepEqual(prefixKeys(["OBJECT", "ENCODING", "k"], "p:"), ["OBJECT", "ENCODING", "p:k"]);
    assert.deepEqual(prefixKeys(["get", "k"], "p:"), ["get", "p:k"]);
  });

  test("commands without keys come back as they were given (the same array)", () => {
    const ping = ["PING"];
    assert.equal(prefixKeys(ping, "p:"), ping);
    const publish = ["PUBLISH", "channel", "message"]; // channels are not keys
    assert.equal(prefixKeys(publish, "p:"), publish);
    const unknown = ["MYMODULE.CMD", "x"];
    assert.equal(prefixKeys(unknown, "p:"), unknown);
  });

  test("bytes keys stay bytes, numbers become text, invalid arguments are not made valid", () => {
    const [, key] = prefixKeys(["GET", bytes("k\xff")], "p:");
    assert.deepEqual(key, new Uint8Array([...bytes("p:"), ...bytes("k\xff")]));
    assert.deepEqual(prefixKeys(["DEL", 5, 6n], "p:"), ["DEL", "p:5", "p:6"]);
    assert.deepEqual(prefixKeys(["GET", undefined as never], "p:"), ["GET", undefined]);
  });

  test("MIGRATE's empty key stands for the KEYS list and is not a key", () => {
    assert.deepEqual(keyIndexes(["MIGRATE", "h", 6379, "", 0, 100, "KEYS", "a", "b"]), [7, 8]);
    assert.deepEqual(keyIndexes(["MIGRATE", "h", 6379, "k", 0, 100, "COPY"]), [3]);
    assert.deepEqual(keyIndexes(["MIGRATE", "h", 6379, "", 0, 100, "AUTH", "pw", "KEYS", "a"]), [9]);
    assert.deepEqual(prefixKeys(["MIGRATE", "h", 6379, "", 0, 100, "KEYS", "a"], "p:"), ["MIGRATE", "h", 6379, "", 0, 100, "KEYS", "p:a"]);
  });

  test("a scan pattern under a prefix escapes the prefix's glob characters", () => {
    assert.equal(prefixPattern("app:", "user:*"), "app:user:*");
    assert.equal(prefixPattern("app:", undefined), "app:*");
    assert.equal(prefixPattern("a*b?[c]\\:", "x"), "a\\*b\\?\\[c\\]\\\\:x");
  });
});

describe("keyPrefix: scanIterator", () => {
  async function collect<K extends string | Uint8Array>(prefix: string | Promise<string>, match: string | undefined, keys: K[]) {
    const patterns: Array<string | undefined> = [];
    const out: K[] = [];
    const scan = async function* (pattern: string | undefined) {
      patterns.push(pattern);
      yield* keys;
    };
    for await (const key of withinPrefix(prefix, match, scan)) out.push(key);
    return { patterns, out };
  }

  test("scans the keys under the prefix and yields them without it, as text or bytes", async () => {
    assert.deepEqual(await collect("app:", "u*", ["app:u1", "app:u2"]), { patterns: ["app:u*"], out: ["u1", "u2"] });
    assert.deepEqual(await collect(Promise.resolve("app:"), undefined, [bytes("app:k")]), { patterns: ["app:*"], out: [bytes("k")] });
    assert.deepEqual(await collect("é:", undefined, [bytes("é:k")]), { patterns: ["é:*"], out: [bytes("k")] }); // bytes, not characters
  });

  test("without a prefix the pattern and the keys pass through", async () => {
    assert.deepEqual(await collect("", "x*", ["x1"]), { patterns: ["x*"], out: ["x1"] });
    assert.deepEqual(await collect("", undefined, ["x1"]), { patterns: [undefined], out: ["x1"] });
  });
});
