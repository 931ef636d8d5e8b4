import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { mergeReplies, splitBySlot } from "../../src/cluster/split.ts";
import { keySlot } from "../../src/cluster/slot.ts";
import type { Arg } from "../../src/resp/types.ts";

/** Test data: every argument a key (step 1), or every other one (MSET's key-value pairs). */
const everyArg = (args: readonly Arg[]) => args.slice(1).map((_, i) => i + 1);
const everyOther = (args: readonly Arg[]) => args.slice(1).flatMap((_, i) => (i % 2 === 0 ? [i + 1] : []));

describe("splitting multi-key commands by slot", () => {
  test("MGET splits per slot and merges the values back in call order", () => {
    const keys = ["a", "{a}:2", "b", "c", "{b}x"];
    const split = splitBySlot(["MGET", ...keys], everyArg)!;
    assert.equal(split.parts.length, new Set(keys.map(keySlot)).size);
    for (const part of split.parts) assert.equal(new Set(part.args.slice(1).map(keySlot)).size, 1);
    const replies = split.parts.map((part) => part.args.slice(1).map((k) => `value of ${k}`));
    assert.deepEqual(mergeReplies(split, replies), keys.map((k) => `value of ${k}`));
  });

  test("MSET keeps each value with its key; DEL, EXISTS, UNLINK, TOUCH sum their parts", () => {
    const split = splitBySlot(["MSET", "a", "1", "b", "2", "{a}x", "3"], everyOther)!;
    assert.deepEqual(split.parts.map((p) => p.args), [["MSET", "a", "1", "{a}x", "3"], ["MSET", "b", "2"]]);
    assert.equal(mergeReplies(split, ["OK", "OK"]), "OK");
    for (const name of ["DEL", "exists", "UNLINK", "touch"]) {
      const parts = splitBySlot([name, "a", "b", "c"], everyArg)!;
      assert.equal(mergeReplies(parts, parts.parts.map((p) => p.args.length - 1)), 3);
    }
  });

  test("one slot, or a command that is not split, is left alone", () => {
    assert.equal(splitBySlot(["MGET", "{t}1", "{t}2"], everyArg), undefined);
    assert.equal(splitBySlot(["SUNION", "a", "b"], everyArg), undefined);
    assert.equal(splitBySlot(["GET", "a"], () => assert.fail("key positions are not looked up for commands that never split")), undefined);
  });
});
