import assert from "node:assert/strict";
import { createClient, raw, type RedisClient, RedisError } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { sleep } from "../harness/wait.ts";

describe("typed commands", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  // Reply shapes must not depend on the protocol: every family runs on RESP2 and RESP3.
  for (const protocol of [2, 3] as const) {
    describe(`on RESP${protocol}`, () => {
      let redis: RedisClient;
      const k = (name: string) => `p${protocol}:${name}`;
      beforeAll(() => {
        redis = createClient({ url: server.url, protocol });
      });
      afterAll(() => redis?.close());

      test("strings: set options, get, incr family, mget/mset", async () => {
        assert.equal(await redis.set(k("s"), "v", { ex: 100 }), "OK");
        assert.equal(await redis.set(k("s"), "w", { nx: true }), null);
        assert.equal(await redis.set(k("s"), "w", { get: true }), "v");
        assert.ok((await redis.ttl(k("s"))) <= 100);
        assert.equal(await redis.incrby(k("n"), 5), 5);
        assert.equal(await redis.incrbyfloat(k("n"), 0.5), 5.5);
        await redis.mset({ [k("a")]: "1", [k("b")]: "2" });
        assert.deepEqual(await redis.mget(k("a"), k("missing"), k("b")), [
          "1",
          null,
          "2",
        ]);
        await assert.rejects(
          // @ts-expect-error nx and xx exclude each other: the types refuse it, and so does the run time
          redis.set(k("s"), "v", { nx: true, xx: true }),
          TypeError,
        );
      });

      test("hgetall returns a null-prototype object that a __proto__ field cannot pollute", async () => {
        await redis.hset(k("h"), [["__proto__", "evil"], ["name", "ada"]]);
        const record = await redis.hgetall(k("h"));
        assert.equal(Object.getPrototypeOf(record), null);
        assert.equal(record["__proto__"], "evil");
        assert.equal(record.name, "ada");
        assert.equal(({} as Record<string, unknown>).evil, undefined);
        assert.deepEqual(
          await redis.hgetall(k("no-hash")),
          Object.create(null),
        );
      });

      test("hashes: hset from an object, hincrby, hexists, hmget", async () => {
        assert.equal(
          await redis.hset(k("user"), { name: "ada", visits: 1 }),
          2,
        );
        assert.equal(await redis.hincrby(k("user"), "visits", 2), 3);
        assert.equal(await redis.hexists(k("user"), "name"), true);
        assert.deepEqual(await redis.hmget(k("user"), "name", "nope"), [
          "ada",
          null,
        ]);
        assert.deepEqual((await redis.hkeys(k("user"))).sort(), [
          "name",
          "visits",
        ]);
      });

      test("lists: push, range, pop with count, move", async () => {
        assert.equal(await redis.rpush(k("l"), "a", "b", "c"), 3);
        assert.deepEqual(await redis.lrange(k("l"), 0, -1), ["a", "b", "c"]);
        assert.deepEqual(await redis.lpopCount(k("l"), 2), ["a", "b"]);
        assert.equal(await redis.lmove(k("l"), k("l2"), "LEFT", "RIGHT"), "c");
        assert.equal(await redis.rpop(k("l")), null);
      });

      test("sets come back as arrays on both protocols", async () => {
        await redis.sadd(k("set"), "x", "y", "z");
        const members = await redis.smembers(k("set"));
        assert.ok(Array.isArray(members));
        assert.deepEqual(members.sort(), ["x", "y", "z"]);
        assert.deepEqual(await redis.smismember(k("set"), "x", "nope"), [
          true,
          false,
        ]);
        assert.equal(await redis.sismember(k("set"), "y"), true);
      });

      test("sorted sets: scores are numbers, including infinities", async () => {
        await redis.zadd(k("z"), [{ score: 1, member: "a" }, {
          score: Infinity,
          member: "top",
        }, { score: 2.5, member: "b" }]);
        assert.equal(await redis.zscore(k("z"), "b"), 2.5);
        assert.equal(await redis.zscore(k("z"), "top"), Infinity);
        assert.equal(await redis.zscore(k("z"), "none"), null);
        assert.deepEqual(await redis.zrangeWithScores(k("z"), 0, 1), [{
          member: "a",
          score: 1,
        }, { member: "b", score: 2.5 }]);
        assert.deepEqual(
          await redis.zrange(k("z"), "(1", "+inf", { by: "SCORE" }),
          ["b", "top"],
        );
        assert.deepEqual(await redis.zpopmin(k("z")), [{
          member: "a",
          score: 1,
        }]);
        assert.equal(await redis.zincrby(k("z"), 1, "b"), 3.5);
      });

      test("streams: xadd, xrange, xread and consumer groups", async () => {
        const id = await redis.xadd(k("st"), { temp: "21" });
        assert.match(String(id), /^\d+-\d+$/);
        assert.deepEqual(await redis.xrange(k("st")), [{
          id,
          fields: Object.assign(Object.create(null), { temp: "21" }),
        }]);
        const read = await redis.xread({ [k("st")]: "0" });
        assert.equal(read?.[0]?.stream, k("st"));
        assert.equal(read?.[0]?.entries[0]?.fields.temp, "21");
        await redis.xgroupCreate(k("st"), "g", "0");
        const claimed = await redis.xreadgroup("g", "c1", { [k("st")]: ">" });
        assert.equal(claimed?.[0]?.entries.length, 1);
        assert.equal(await redis.xack(k("st"), "g", String(id)), 1);
        assert.equal(
          await redis.xread({ [k("st")]: "$" }, { block: 50 }),
          null,
        );
      });

      test("a blocking pop is satisfied by a push from another client", async () => {
        const other = createClient({ url: server.url, protocol });
        try {
          const popped = redis.brpop([k("jobs")], 5);
          await sleep(50);
          await other.lpush(k("jobs"), "job");
          assert.deepEqual(await popped, [k("jobs"), "job"]);
          assert.equal(await redis.blpop(k("jobs"), 0.1), null);
        } finally {
          await other.close();
        }
      });

      test("script() runs by SHA and reloads itself after SCRIPT FLUSH", async () => {
        const script = redis.script(
          "return redis.call('INCRBY', KEYS[1], ARGV[1])",
        );
        assert.equal(await script.run([k("counter")], [2]), 2);
        await redis.scriptFlush();
        assert.equal(await script.run([k("counter")], [3]), 5);
        assert.deepEqual(await redis.scriptExists(await script.sha()), [true]);
      });

      test("scan iterators yield every element exactly once", async () => {
        const keys = Array.from({ length: 120 }, (_, i) => k(`scan:${i}`));
        await redis.mset(keys.map((key) => [key, "1"] as [string, string]));
        const seen = new Set<string>();
        for await (
          const key of redis.scanIterator({ match: k("scan:*"), count: 17 })
        ) seen.add(key);
        assert.equal(seen.size, 120);
        await redis.hset(
          k("hs"),
          Object.fromEntries(keys.map((key, i) => [key, String(i)])),
        );
        let pairs = 0;
        for await (
          const [field, value] of redis.hscanIterator(k("hs"), { count: 10 })
        ) {
          assert.equal(value, String(keys.indexOf(field)));
          pairs++;
        }
        assert.equal(pairs, 120);
        await redis.sadd(k("ss"), ...keys);
        let members = 0;
        for await (const _ of redis.sscanIterator(k("ss"))) members++;
        assert.equal(members, 120);
        await redis.zadd(
          k("zs"),
          keys.map((member, score) => ({ member, score })),
        );
        let scored = 0;
        for await (const [, score] of redis.zscanIterator(k("zs"))) {
          scored += Number(score) >= 0 ? 1 : 0;
        }
        assert.equal(scored, 120);
      });

      test("pipeline() settles each entry on its own", async () => {
        await redis.set(k("pipe"), "text");
        const results = await redis.pipeline().get(k("pipe")).incr(k("pipe"))
          .add(raw(["ECHO", "x"])).exec();
        assert.equal(results[0], "text");
        assert.ok(results[1] instanceof RedisError);
        assert.equal(results[2], "x");
      });

      test("with() applies a timeout to every command of the view", async () => {
        const fast = redis.with({ timeout: 50 });
        await assert.rejects(fast.send(["DEBUG", "SLEEP", "0.2"]), /timed out/);
        assert.equal(await redis.ping(), "PONG"); // the default timeout outlasts the server's sleep
        assert.equal(await fast.ping(), "PONG");
      });
    });
  }
});
