import assert from "node:assert/strict";
import { blockingTimeout, keyIndexes, needsOwnConnection, redactArgs } from "../../src/commands/lookup.ts";
import { describe, test } from "../harness/runner.ts";

// Key positions as the server's COMMAND GETKEYS gives them (checked against redis-server 7.0):
// cluster routing will hash exactly these arguments.

describe("review: key positions the key specs alone get wrong", () => {
  test("MIGRATE with KEYS: the keys after KEYS, not the empty key argument", () => {
    assert.deepEqual(keyIndexes(["MIGRATE", "h", 6379, "", 0, 5000, "KEYS", "a", "b"]), [7, 8]);
    assert.deepEqual(keyIndexes(["MIGRATE", "h", 6379, "", 0, 5000, "COPY", "AUTH", "pw", "KEYS", "a"]), [10]);
    assert.deepEqual(keyIndexes(["MIGRATE", "h", 6379, "k", 0, 5000]), [3]);
    assert.deepEqual(keyIndexes(["migrate", "h", 6379, "k", 0, 5000, "replace"]), [3]);
  });

  test("SORT with STORE given twice: the last one is the destination", () => {
    assert.deepEqual(keyIndexes(["SORT", "k", "STORE", "a", "STORE", "b"]), [1, 5]);
  });
});

describe("review: MIGRATE's credentials are redacted where the server reads them", () => {
  test("AUTH and AUTH2 passwords, not a key named like a keyword, and nothing added past the end", () => {
    assert.deepEqual(redactArgs(["MIGRATE", "h", 1, "", 0, 5000, "AUTH2", "u", "pw", "KEYS", "a"]), ["MIGRATE", "h", 1, "", 0, 5000, "AUTH2", "u", "(redacted)", "KEYS", "a"]);
    assert.deepEqual(redactArgs(["MIGRATE", "h", 1, "", 0, 5000, "KEYS", "AUTH", "b"]), ["MIGRATE", "h", 1, "", 0, 5000, "KEYS", "AUTH", "b"]);
    assert.deepEqual(redactArgs(["MIGRATE", "h", 1, "k", 0, 5000, "AUTH"]), ["MIGRATE", "h", 1, "k", 0, 5000, "AUTH"]);
  });
});

describe("review: XREADGROUP's BLOCK found as the server finds it", () => {
  test("a consumer or group named STREAMS or BLOCK does not hide or fake the BLOCK option", () => {
    // Missed, this BLOCK 0 would stall the multiplexer's shared connection for good.
    assert.equal(blockingTimeout(["XREADGROUP", "GROUP", "g", "streams", "BLOCK", 0, "STREAMS", "s", ">"]), 0);
    assert.equal(needsOwnConnection(["XREADGROUP", "GROUP", "streams", "c", "BLOCK", 250, "STREAMS", "s", ">"]), true);
    assert.equal(blockingTimeout(["XREADGROUP", "GROUP", "block", "c", "STREAMS", "s", ">"]), undefined);
    assert.equal(blockingTimeout(["XREAD", "COUNT", 2, "BLOCK", 100, "STREAMS", "s", "$"]), 100);
  });
});
