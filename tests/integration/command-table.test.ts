import assert from "node:assert/strict";
import { createClient, type RedisClient } from "../../mod.ts";
import { readCommandRows } from "../../scripts/command-rows.ts";
import { COMMAND_ROWS, TABLE_VERSION } from "../../src/commands/table.gen.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

describe("the command table", () => {
  let server: RedisServer;
  let redis: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    redis = createClient({ url: server.url, protocol: 3 });
  });
  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  test("matches the test server's COMMAND INFO and COMMAND DOCS (regenerate with scripts/gen-commands.ts)", async () => {
    const { version, rows } = await readCommandRows(redis);
    assert.equal(version, TABLE_VERSION, `the table was generated from redis ${TABLE_VERSION}, the test server is ${version}`);
    assert.deepEqual(rows, COMMAND_ROWS);
  });
});
