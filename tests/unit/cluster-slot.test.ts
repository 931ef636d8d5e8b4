import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { keySlot, SLOTS } from "../../src/cluster/slot.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("keySlot", () => {
  test("is CRC16/XMODEM mod 16384, as the cluster spec's reference values", () => {
    // The spec's test vector: CRC16("123456789") = 0x31C3 = 12739.
    assert.equal(keySlot("123456789"), 0x31c3 % SLOTS);
    assert.equal(keySlot("foo"), 12182);
    assert.equal(keySlot("bar"), 5061);
    assert.equal(keySlot(""), 0);
  });

  test("hashes only the first non-empty {tag}", () => {
    assert.equal(keySlot("{user1000}.following"), keySlot("user1000"));
    assert.equal(keySlot("{user1000}.followers"), keySlot("user1000"));
    assert.equal(keySlot("foo{}{bar}"), keySlot("foo{}{bar}")); // empty tag: the whole key
    assert.notEqual(keySlot("foo{}{bar}"), keySlot("bar"));
    assert.equal(keySlot("foo{{bar}}zap"), keySlot("{bar"));
    assert.equal(keySlot("foo{bar}{zap}"), keySlot("bar"));
    assert.equal(keySlot("no{close"), keySlot(bytes("no{close")));
  });

  test("strings hash as their UTF-8 bytes, numbers as their decimal text", () => {
    assert.equal(keySlot("ключ"), keySlot(bytes("ключ")));
    assert.equal(keySlot("{é}x"), keySlot("é"));
    assert.equal(keySlot(42), keySlot("42"));
    assert.equal(keySlot(42n), keySlot("42"));
    assert.equal(keySlot(bytes("{user1000}.following")), keySlot("user1000"));
  });
});
