import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "./runner.ts";
import { sleep } from "./wait.ts";

describe("harness", () => {
  let x = 0;
  beforeAll(() => { x = 1; });
  afterAll(() => { x = 0; });
  test("beforeAll ran", () => { assert.equal(x, 1); });
  test("async works", async () => { await sleep(5); assert.ok(true); });
});
