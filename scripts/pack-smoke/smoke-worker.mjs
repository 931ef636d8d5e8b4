/**
 * The worker thread of smoke.mjs's `resplex/worker` round trip: a client whose commands run in
 * the owner thread. Any failure is thrown, so the owner sees it as the worker's "error" event.
 */
import assert from "node:assert/strict";
import { parentPort } from "node:worker_threads";
import { RedisError } from "resplex";
import { wrapClient } from "resplex/worker";

const redis = wrapClient(parentPort);
try {
  assert.equal(await redis.incr("smoke:worker"), 1);
  assert.deepEqual(await redis.multi().incr("smoke:worker").get("smoke:worker").exec(), [2, "2"]);
  // Errors cross the thread boundary with their class and code.
  await assert.rejects(redis.get("smoke:list"), (err) => err instanceof RedisError && err.code === "WRONGTYPE");
} finally {
  await redis.close(); // lets the thread exit
}
