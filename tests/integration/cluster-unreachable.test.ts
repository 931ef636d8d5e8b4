import assert from "node:assert/strict";
import { createCluster } from "../../src/cluster/client.ts";
import { ClosedError, ConnectionError, TimeoutError } from "../../src/errors.ts";
import { describe, test } from "../harness/runner.ts";
import { freePort } from "../harness/redis.ts";
import { until } from "../harness/wait.ts";

describe("createCluster: no reachable node", () => {
  test("commands reject with TimeoutError at their deadline, and the client reports why through error events", async () => {
    const port = await freePort(); // nothing listens there
    const redis = createCluster({ nodes: [{ host: "127.0.0.1", port }], commandTimeout: 300 });
    const errors: Error[] = [];
    redis.on("error", (err) => errors.push(err));
    const started = Date.now();
    await assert.rejects(redis.get("k"), TimeoutError);
    assert.ok(Date.now() - started < 2_000);
    await until(() => errors.length > 0, "an error event");
    assert.ok(errors[0] instanceof ConnectionError);
    await redis.close();
  });

  test("close() rejects commands still waiting for a topology with ClosedError, and later ones at once", async () => {
    const port = await freePort();
    const redis = createCluster({ nodes: [`redis://127.0.0.1:${port}`], commandTimeout: 0 });
    redis.on("error", () => {});
    const pending = [redis.get("k"), redis.multi().incr("n").exec(), redis.isolated("k", async () => 1), redis.blpop("q", 0), redis.subscribe("c", () => {})];
    for (const p of pending) p.catch(() => {});
    await redis.close();
    for (const p of pending) await assert.rejects(p, ClosedError);
    await assert.rejects(redis.set("k", "v"), ClosedError);
    assert.deepEqual(redis.stats().nodes, []);
  });
});
