import assert from "node:assert/strict";
import { CommandApi, createClient, Pool, RedisClient } from "../../mod.ts";
import { commandSpecs } from "../../src/client/commands/index.ts";
import { EXCLUDED_COMMANDS, methodName, SURFACE_METHOD_COMMANDS } from "../../src/client/commands/excluded.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

/** Every command and subcommand name the server reports, upper-case (`CLIENT|NO-EVICT`), containers marked. */
async function serverCommands(redis: RedisClient): Promise<{ commands: string[]; containers: Set<string> }> {
  const names = new Set((await redis.send(["COMMAND", "LIST"]) as string[]).map((n) => n.toUpperCase()));
  // A server whose COMMAND LIST leaves subcommands out still lists them in COMMAND INFO.
  const containers = new Set<string>();
  for (const info of (await redis.send(["COMMAND", "INFO"])) as unknown[][]) {
    const subcommands = (info[9] ?? []) as unknown[][];
    if (subcommands.length > 0) containers.add(String(info[0]).toUpperCase());
    for (const sub of subcommands) names.add(String(sub[0]).toUpperCase());
  }
  return { commands: [...names].sort(), containers };
}

describe("command coverage", () => {
  let server: RedisServer;
  let redis: RedisClient;
  let commands: string[];
  let containers: Set<string>;
  beforeAll(async () => {
    server = await startRedis();
    redis = createClient({ url: server.url });
    ({ commands, containers } = await serverCommands(redis));
  });
  afterAll(async () => {
    await redis?.close();
    await server?.stop();
  });

  test("every command and container subcommand of the server has a typed method or a reason on the exclusion list", () => {
    const methods = CommandApi.prototype as unknown as Record<string, unknown>;
    const missing = commands
      .filter((name) => !containers.has(name) && !(name in EXCLUDED_COMMANDS) && !(name in SURFACE_METHOD_COMMANDS))
      .filter((name) => !(methodName(name) in commandSpecs) || typeof methods[methodName(name)] !== "function")
      .map((name) => `${name} (${methodName(name)})`);
    assert.deepEqual(missing, [], `no typed method and no exclusion for: ${missing.join(", ")}`);
    const typed = commands.filter((name) => !containers.has(name) && !(name in EXCLUDED_COMMANDS));
    assert.ok(typed.length > 300, `only ${typed.length} commands typed`);
  });

  test("a command served by a method of the client and the pool (monitor()) has that method on both", () => {
    const known = new Set(commands);
    for (const name of Object.keys(SURFACE_METHOD_COMMANDS)) {
      assert.ok(known.has(name), `${name} has a surface method but the server has no such command`);
      assert.ok(!(name in EXCLUDED_COMMANDS), `${name} is excluded and has a surface method`);
      for (const surface of [RedisClient, Pool]) {
        assert.equal(typeof (surface.prototype as unknown as Record<string, unknown>)[methodName(name)], "function", `${surface.name}.${methodName(name)}`);
      }
    }
  });

  test("the exclusion list names only real commands, none of which has a typed method", () => {
    const known = new Set(commands);
    for (const [name, reason] of Object.entries(EXCLUDED_COMMANDS)) {
      assert.ok(known.has(name), `${name} is excluded but the server has no such command`);
      assert.ok(!containers.has(name), `${name} is a container: exclude its subcommands instead`);
      assert.ok(!(methodName(name) in commandSpecs), `${name} is excluded but has the typed method ${methodName(name)}`);
      assert.ok(reason.length > 20, `${name} needs a reason`);
    }
  });

  test("method names follow the rule: lower camel case, the subcommand joined", () => {
    assert.equal(methodName("CONFIG|GET"), "configGet");
    assert.equal(methodName("CLIENT|NO-EVICT"), "clientNoEvict");
    assert.equal(methodName("XINFO|STREAM"), "xinfoStream");
    assert.equal(methodName("OBJECT|ENCODING"), "objectEncoding");
    assert.equal(methodName("GEORADIUSBYMEMBER_RO"), "georadiusbymemberRo");
    assert.equal(methodName("CLUSTER|COUNT-FAILURE-REPORTS"), "clusterCountFailureReports");
  });
});
