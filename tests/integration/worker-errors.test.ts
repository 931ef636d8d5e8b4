/**
 * A connection error a worker's command meets in the owner reaches the worker as it was: class,
 * code, and the root cause's system code.
 */
import assert from "node:assert/strict";
import { createClient, type ClientOptions } from "../../mod.ts";
import { exposeClient } from "../../worker.ts";
import { freePort } from "../harness/redis.ts";
import { describe, test } from "../harness/runner.ts";
import { spawnWorker, type ErrorReport } from "./worker-fixtures/spawn.ts";

describe("errors crossing to a worker", () => {
  const cases: Array<[string, () => Promise<ClientOptions>, string]> = [
    // Refused twice, then the owner's client gives up: the worker's queued GET learns why.
    ["a refused port", async () => ({ port: await freePort(), reconnect: { maxAttempts: 2, initialDelay: 4_000, maxDelay: 4_000 } }), "ECONNREFUSED"],
    // An unknown host is a failure retrying cannot fix: the GET is rejected at once.
    ["an unknown host", async () => ({ host: "resplex-test-host.invalid", port: 6379 }), "ENOTFOUND"],
  ];
  for (const [what, options, systemCode] of cases) {
    test(`${what}: the worker gets a ConnectionError whose root cause has code ${systemCode}`, async () => {
      const agent = await spawnWorker("agent.ts");
      const client = createClient({ ...(await options()), commandTimeout: 15_000 });
      client.on("error", () => {});
      const owner = exposeClient(client, agent.endpoint);
      try {
        await agent.call("start", ["get", ["GET", "k"]]);
        const { error } = (await agent.call("outcome", ["get"])) as { error: ErrorReport };
        assert.ok(error, "the GET did not fail");
        assert.equal(error.name, "ConnectionError", error.message);
        assert.ok(error.is.ConnectionError);
        assert.equal(error.code, "RESPLEX_CONNECTION");
        assert.ok(error.causes.some((c) => c.code === systemCode), `causes: ${JSON.stringify(error.causes)}`);
      } finally {
        await agent.call("close").catch(() => {});
        await agent.terminate();
        await owner.close();
        await client.close();
      }
    }, 60_000);
  }
});
