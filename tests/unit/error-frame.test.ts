import assert from "node:assert/strict";
import { errorInFrame } from "../../src/conn/error-frame.ts";
import { RedisError } from "../../src/errors.ts";
import { describe, test } from "../harness/runner.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("errorInFrame", () => {
  test("reads a simple error and a RESP3 blob error out of a frame inside a larger buffer", () => {
    const simple = bytes("+OK\r\n-READONLY You can't write against a read only replica.\r\n:1\r\n");
    const err = errorInFrame(simple, 5, simple.length - 4);
    assert.ok(err instanceof RedisError);
    assert.equal(err.code, "READONLY");
    assert.equal(err.message, "READONLY You can't write against a read only replica.");
    const blob = bytes("!21\r\nLOADING loading data\r\n");
    assert.equal(errorInFrame(blob, 0, blob.length)?.message, "LOADING loading data");
  });

  test("anything that is not an error is undefined", () => {
    for (const frame of ["+OK\r\n", ":1\r\n", "$3\r\n-no\r\n", "*1\r\n-ERR x\r\n"]) {
      const b = bytes(frame);
      assert.equal(errorInFrame(b, 0, b.length), undefined, frame);
    }
  });
});
