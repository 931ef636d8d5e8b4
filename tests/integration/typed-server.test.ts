import assert from "node:assert/strict";
import { createClient, RedisError, type RedisClient } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";

const rec = <T>(o: Record<string, T>): Record<string, T> => Object.assign(Object.create(null), o);
const redisError = (pattern: RegExp) => (err: unknown) => err instanceof RedisError && pattern.test(err.message);

const LIBRARY = [
  "#!lua name=typedlib",
  "redis.register_function{function_name='echo', callback=function(keys, args) return args[1] end, flags={'no-writes'}, description='says it back'}",
  "redis.register_function('getk', function(keys, args) return redis.call('GET', keys[1]) end)",
].join("\n");

describe("typed server commands", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  for (const protocol of [2, 3] as const) {
    describe(`on RESP${protocol}`, () => {
      let redis: RedisClient;
      const k = (name: string) => `srv${protocol}:${name}`;
      beforeAll(() => {
        redis = createClient({ url: server.url, protocol });
      });
      afterAll(() => redis?.close());

      test("functions: load, call, list, stats, dump and restore, delete", async () => {
        await redis.functionFlush("SYNC");
        assert.equal(await redis.functionLoad(LIBRARY), "typedlib");
        await assert.rejects(redis.functionLoad(LIBRARY), redisError(/already exists/));
        assert.equal(await redis.functionLoad(LIBRARY, { replace: true }), "typedlib");
        await redis.set(k("fk"), "v");
        assert.equal(await redis.fcall("echo", [], ["hi"]), "hi");
        assert.equal(await redis.fcallRo("echo", [], ["ro"]), "ro");
        assert.equal(await redis.fcall("getk", [k("fk")]), "v");
        const [lib] = await redis.functionList();
        assert.deepEqual({ ...lib!, functions: [...lib!.functions].sort((a, b) => a.name.localeCompare(b.name)) }, {
          libraryName: "typedlib",
          engine: "LUA",
          functions: [
            { name: "echo", description: "says it back", flags: ["no-writes"] },
            { name: "getk", description: null, flags: [] },
          ],
        });
        assert.equal((await redis.functionList({ libraryName: "typed*", withCode: true }))[0]!.libraryCode, LIBRARY);
        assert.deepEqual(await redis.functionList({ libraryName: "nope" }), []);
        assert.deepEqual(await redis.functionStats(), { runningScript: null, engines: rec({ LUA: { librariesCount: 1, functionsCount: 2 } }) });
        const dump = await redis.functionDump();
        assert.ok(dump instanceof Uint8Array && dump.length > 0);
        assert.equal(await redis.functionDelete("typedlib"), "OK");
        assert.equal(await redis.functionRestore(dump, "FLUSH"), "OK");
        assert.equal(await redis.fcall("echo", [], ["back"]), "back");
        await assert.rejects(redis.functionKill(), redisError(/NOTBUSY|No scripts/));
      });

      test("scripts: eval_ro, evalsha_ro, script kill", async () => {
        await redis.set(k("sk"), "7");
        const lua = "return redis.call('GET', KEYS[1])";
        assert.equal(await redis.evalRo(lua, [k("sk")]), "7");
        assert.equal(await redis.evalshaRo(await redis.scriptLoad(lua), [k("sk")]), "7");
        await assert.rejects(redis.evalRo("return redis.call('SET', KEYS[1], 'x')", [k("sk")]), RedisError);
        await assert.rejects(redis.scriptKill(), redisError(/NOTBUSY|No scripts/));
      });

      test("pubsub introspection: channels and subscriber counts", async () => {
        const off = await redis.subscribe(k("ch"), () => {});
        const soff = await redis.ssubscribe(k("sch"), () => {});
        try {
          assert.deepEqual(await redis.pubsubChannels(k("*")), [k("ch")]);
          assert.deepEqual(await redis.pubsubNumsub(k("ch"), k("none")), rec({ [k("ch")]: 1, [k("none")]: 0 }));
          assert.equal(typeof (await redis.pubsubNumpat()), "number");
          assert.deepEqual(await redis.pubsubShardchannels(k("s*")), [k("sch")]);
          assert.deepEqual(await redis.pubsubShardnumsub(k("sch")), rec({ [k("sch")]: 1 }));
        } finally {
          await off();
          await soff();
        }
      });

      test("client: info, kill by filter, pause, unblock; connection-state commands on a connection of one's own", async () => {
        const info = await redis.clientInfo();
        assert.equal(typeof info.id, "number");
        assert.equal(info.resp, protocol);
        assert.equal(info.db, 0);
        assert.equal(typeof info.flags, "string");
        assert.equal(await redis.clientKill({ id: 987654321 }), 0);
        await assert.rejects(redis.clientKill({}), TypeError);
        assert.equal(await redis.clientPause(10, "WRITE"), "OK");
        assert.equal(await redis.clientUnpause(), "OK");
        assert.equal(await redis.clientUnblock(987654321, "ERROR"), false);
        await assert.rejects(redis.clientNoEvict(true), TypeError); // would change the shared connection
        await assert.rejects(redis.clientTracking(true), TypeError);
        await redis.isolated(async (c) => {
          assert.equal(await c.clientNoEvict(true), "OK");
          assert.equal(await c.clientGetredir(), -1);
          assert.equal(await c.clientTracking(true, { bcast: true, prefixes: [k("t:")] }), "OK");
          const tracking = await c.clientTrackinginfo();
          assert.deepEqual(tracking.flags.sort(), ["bcast", "on"]);
          assert.deepEqual(tracking.prefixes, [k("t:")]);
          assert.equal(await c.clientTracking(false), "OK");
          assert.equal(await c.clientTracking(true, { optin: true }), "OK");
          assert.equal(await c.clientCaching(true), "OK");
        });
      });

      test("admin: role, replicaof, wait, lolwut, swapdb, config, persistence, modules", async () => {
        assert.deepEqual(await redis.role(), { role: "master", offset: 0, replicas: [] });
        assert.match(await redis.replicaof(null), /^OK/);
        assert.match(await redis.slaveof(null), /^OK/);
        assert.equal(await redis.wait(0, 100), 0);
        assert.match(await redis.lolwut({ version: 5 }), /Redis ver\./);
        assert.equal(await redis.swapdb(14, 15), "OK");
        assert.equal(await redis.configResetstat(), "OK");
        await assert.rejects(redis.configRewrite(), redisError(/config file/));
        assert.equal(await redis.save(), "OK");
        assert.match(await redis.bgsave({ schedule: true }), /Background saving/);
        await until(async () => !/rdb_bgsave_in_progress:1/.test(await redis.info("persistence")), "the background save to end");
        assert.match(await redis.bgrewriteaof(), /rewriting/);
        await until(async () => !/aof_rewrite_in_progress:1/.test(await redis.info("persistence")), "the AOF rewrite to end");
        await assert.rejects(redis.failover(), redisError(/replicas/));
        await assert.rejects(redis.shutdown({ abort: true }), redisError(/shutdown/i));
        assert.deepEqual(await redis.moduleList(), []);
        await assert.rejects(redis.moduleLoad("/nonexistent.so"), RedisError);
        await assert.rejects(redis.moduleLoadex("/nonexistent.so", { config: { a: 1 }, args: ["x"] }), RedisError);
        await assert.rejects(redis.moduleUnload("nope"), RedisError);
        await assert.rejects(redis.readonly(), TypeError); // a connection mode: not on the shared connection
        await redis.isolated(async (c) => {
          await assert.rejects(c.readonly(), redisError(/cluster support disabled/));
          await assert.rejects(c.readwrite(), redisError(/cluster support disabled/));
        });
      });

      test("acl: users, rules, dry runs, the log", async () => {
        const user = k("alice");
        assert.equal(await redis.aclSetuser(user, "on", ">pw", "~k*", "+get", "(~x* +set)"), "OK");
        const got = await redis.aclGetuser(user);
        assert.deepEqual(got && { ...got, passwords: got.passwords.length }, {
          flags: ["on"],
          passwords: 1,
          commands: "-@all +get",
          keys: "~k*",
          channels: "",
          selectors: [{ commands: "-@all +set", keys: "~x*", channels: "" }],
        });
        assert.equal(await redis.aclGetuser(k("nobody")), null);
        assert.ok((await redis.aclUsers()).includes(user));
        assert.ok((await redis.aclList()).some((line) => line.startsWith(`user ${user} on`)));
        assert.equal(await redis.aclWhoami(), "default");
        assert.match(await redis.aclGenpass(32), /^[0-9a-f]{8}$/);
        assert.ok((await redis.aclCat()).includes("read"));
        assert.ok((await redis.aclCat("hyperloglog")).includes("pfadd"));
        assert.deepEqual(await redis.aclDryrun(user, ["GET", "k1"]), { allowed: true });
        const refused = await redis.aclDryrun(user, ["SET", "k1", "v"]);
        assert.ok(!refused.allowed && /permissions/.test(refused.reason));
        assert.equal(await redis.aclLogReset(), "OK");
        await redis.isolated((c) => assert.rejects(c.send(["AUTH", user, "wrong"]), RedisError));
        const [entry] = await redis.aclLog(1);
        assert.deepEqual([entry!.reason, entry!.context, entry!.username, entry!.count], ["auth", "toplevel", user, 1]);
        assert.equal(typeof entry!.ageSeconds, "number");
        assert.equal(typeof entry!.clientInfo.id, "number");
        await assert.rejects(redis.aclLoad(), redisError(/ACL file/));
        await assert.rejects(redis.aclSave(), redisError(/ACL file/));
        assert.equal(await redis.aclDeluser(user, k("nobody")), 1);
        await assert.rejects(redis.aclDeluser(), TypeError);
      });

      test("memory: usage, stats, doctor, malloc stats, purge", async () => {
        await redis.set(k("mem"), "x".repeat(100));
        const usage = await redis.memoryUsage(k("mem"), { samples: 0 });
        assert.ok(usage !== null && usage > 100);
        assert.equal(await redis.memoryUsage(k("none")), null);
        const stats = await redis.memoryStats();
        assert.equal(typeof stats["peak.allocated"], "number");
        assert.equal(typeof stats["dataset.percentage"], "number");
        assert.equal(typeof (stats["db.0"] as Record<string, number>)["overhead.hashtable.main"], "number");
        assert.equal(typeof (await redis.memoryDoctor()), "string");
        assert.equal(typeof (await redis.memoryMallocStats()), "string");
        assert.equal(await redis.memoryPurge(), "OK");
      });

      test("latency and slow log: events, histograms, entries", async () => {
        await redis.configSet("latency-monitor-threshold", 1);
        await redis.configSet("slowlog-log-slower-than", 0);
        try {
          await redis.send(["DEBUG", "SLEEP", "0.01"]);
          const latest = await redis.latencyLatest();
          const command = latest.find((e) => e.event === "command");
          assert.ok(command && command.latestMs >= 5 && command.maxMs >= command.latestMs && command.timestamp > 0, JSON.stringify(latest));
          const [sample] = await redis.latencyHistory("command");
          assert.ok(sample && sample.latencyMs >= 5 && sample.timestamp > 0);
          assert.equal(typeof (await redis.latencyGraph("command")), "string");
          assert.equal(typeof (await redis.latencyDoctor()), "string");
          const histogram = await redis.latencyHistogram("debug");
          assert.equal(histogram.debug?.calls, 1);
          assert.ok(Object.values(histogram.debug!.histogramUsec).every((n) => typeof n === "number"));
          assert.ok((await redis.latencyReset()) >= 1);
          assert.equal(await redis.slowlogReset(), "OK");
          await redis.echo(k("slow"));
          const entries = await redis.slowlogGet(-1);
          const echo = entries.find((e) => e.args[0]?.toUpperCase() === "ECHO");
          assert.ok(echo, JSON.stringify(entries));
          assert.deepEqual(echo.args.slice(1), [k("slow")]);
          assert.equal(typeof echo.id, "number");
          assert.equal(typeof echo.durationUs, "number");
          assert.equal(typeof echo.clientAddr, "string");
          assert.ok((await redis.slowlogLen()) >= 1);
        } finally {
          await redis.configSet("slowlog-log-slower-than", 10_000);
          await redis.configSet("latency-monitor-threshold", 0);
        }
      });

      test("command introspection: count, list, info, docs, keys", async () => {
        assert.ok((await redis.commandCount()) > 200);
        assert.ok((await redis.commandList()).includes("client|no-evict"));
        assert.deepEqual((await redis.commandList({ pattern: "xinfo*" })).sort(), ["xinfo", "xinfo|consumers", "xinfo|groups", "xinfo|help", "xinfo|stream"]);
        assert.ok((await redis.commandList({ aclcat: "hyperloglog" })).includes("pfadd"));
        const [get, none] = await redis.commandInfo("get", "nosuchcommand");
        assert.equal(none, null);
        assert.deepEqual({ ...get!, keySpecs: get!.keySpecs.length }, {
          name: "get",
          arity: 2,
          flags: ["readonly", "fast"],
          firstKey: 1,
          lastKey: 1,
          step: 1,
          aclCategories: ["@read", "@string", "@fast"],
          tips: [],
          keySpecs: 1,
          subcommands: [],
        });
        assert.ok((await redis.commandInfo("config"))[0]!.subcommands.some((s) => s.name === "config|get"));
        const docs = await redis.commandDocs("get", "client");
        assert.deepEqual([docs.get!.summary, docs.get!.since, docs.get!.group, docs.get!.complexity], ["Get the value of a key", "1.0.0", "string", "O(1)"]);
        assert.equal(docs.get!.arguments!.length, 1);
        assert.equal(docs.client!.subcommands!["client|no-evict"]!.since, "7.0.0");
        assert.deepEqual(await redis.commandGetkeys(["SET", "a", "b"]), ["a"]);
        assert.deepEqual(await redis.commandGetkeysandflags(["LMOVE", "a", "b", "LEFT", "RIGHT"]), [
          { key: "a", flags: ["RW", "access", "delete"] },
          { key: "b", flags: ["RW", "insert"] },
        ]);
      });
    });
  }

  test("SHUTDOWN stops the server; the command settles with the lost connection", async () => {
    const doomed = await startRedis();
    const redis = createClient({ url: doomed.url, reconnect: false });
    try {
      await redis.ping();
      await assert.rejects(redis.shutdown({ save: false, now: true }), (err: Error) => !(err instanceof TypeError));
    } finally {
      await redis.close();
      await doomed.stop();
    }
  });

  test("parsers read bytes replies", async () => {
    const redis = createClient({ url: server.url, decode: "bytes" });
    try {
      assert.equal(typeof (await redis.clientInfo()).id, "number");
      assert.equal((await redis.commandInfo("get"))[0]!.name, "get");
      assert.equal((await redis.commandDocs("get")).get!.group, "string");
      await redis.functionLoad(LIBRARY, { replace: true });
      assert.ok((await redis.functionList())[0]!.functions.some((f) => f.name === "echo" && f.description === "says it back"));
      assert.deepEqual((await redis.role()).role, "master");
      assert.equal(await redis.aclWhoami(), "default");
      assert.equal(typeof (await redis.memoryStats())["peak.allocated"], "number");
      assert.equal(await redis.memoryPurge(), "OK");
    } finally {
      await redis.close();
    }
  });
});
