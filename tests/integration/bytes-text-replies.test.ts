import assert from "node:assert/strict";
import { createClient, type BytesReplies, type RedisClient } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// In bytes mode the server's status replies ("OK", "PONG", a type name) and the bulk strings that
// are text by nature (a SHA, a geohash, a config value, a consumer's name) arrive as Uint8Array
// like the data does. The typed commands must still answer them as text, as their types say.

const b = (s: string) => new TextEncoder().encode(s);

describe("what is text by nature stays text in bytes mode", () => {
  let server: RedisServer;
  let plain: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    plain = createClient({ url: server.url });
  });
  afterAll(async () => {
    await plain?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    for (const surface of ["decode: 'bytes'", "with({ bytes: true })"] as const) {
      describe(`RESP${protocol}, ${surface}`, () => {
        let owned: BytesReplies<RedisClient> | undefined;
        let redis: BytesReplies<RedisClient>;
        const k = (name: string) => `text${protocol}${surface.length}:${name}`;
        beforeAll(() => {
          owned = createClient({ url: server.url, protocol, decode: "bytes" });
          redis = surface === "decode: 'bytes'" ? owned : createClient({ url: server.url, protocol }).with({ bytes: true });
        });
        afterAll(async () => {
          await owned?.close();
          if (redis !== owned) await redis?.close();
        });

        test("status replies are the words their types name", async () => {
          await redis.rpush(k("l"), "a", "b", "c");
          assert.equal(await redis.lset(k("l"), 0, "z"), "OK");
          assert.equal(await redis.ltrim(k("l"), 0, 1), "OK");
          assert.equal(await redis.rename(k("l"), k("l2")), "OK");
          assert.equal(await redis.setex(k("s"), 100, "v"), "OK");
          assert.equal(await redis.mset({ [k("m1")]: "1", [k("m2")]: "2" }), "OK");
          const dumped = (await redis.dump(k("s")))!;
          assert.equal(await redis.restore(k("s"), 0, dumped, { replace: true }), "OK");
          assert.equal(await redis.xgroupCreate(k("x"), "g", "$", { mkstream: true }), "OK");
          assert.equal(await redis.scriptFlush(), "OK");
          assert.equal(await redis.configSet("maxmemory-samples", "5"), "OK");
          assert.equal(await redis.flushdb(), "OK");
        });

        test("type names, encodings, SHAs, PONG and geohashes are text", async () => {
          await redis.rpush(k("l"), "a");
          assert.equal(await redis.type(k("l")), "list");
          assert.match((await redis.objectEncoding(k("l")))!, /^(listpack|quicklist|ziplist)$/); // by server version
          assert.equal(await redis.objectEncoding(k("missing")), null);
          assert.equal(await redis.scriptLoad("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
          assert.equal(await redis.ping(), "PONG");
          assert.equal(await redis.ping("hi"), "hi");
          await redis.geoadd(k("g"), [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }]);
          assert.deepEqual(await redis.geohash(k("g"), "Palermo", "missing"), ["sqc8b49rny0", null]);
        });

        test("config values and client names are text", async () => {
          assert.deepEqual({ ...(await redis.configGet("maxmemory-samples")) }, { "maxmemory-samples": "5" });
          await redis.isolated(async (c) => {
            assert.equal(await c.clientGetname(), null);
            assert.equal(await c.clientSetname("bytes-test"), "OK");
            assert.equal(await c.clientGetname(), "bytes-test");
          });
        });

        test("xpending names consumers as text, as xpendingRange does", async () => {
          await redis.xadd(k("x"), { f: "v" }, { id: "1-1" });
          await redis.xgroupCreate(k("x"), "g", "0");
          await redis.xreadgroup("g", "alice", { [k("x")]: ">" });
          const pending = await redis.xpending(k("x"), "g");
          assert.deepEqual(pending.consumers, [{ name: "alice", pending: 1 }]);
          const [entry] = await redis.xpendingRange(k("x"), "g", { count: 10 });
          assert.equal(entry!.consumer, "alice");
        });

        test("zscanIterator yields members as bytes and scores as text", async () => {
          await redis.zadd(k("z"), [{ score: 1.5, member: "a" }]);
          const seen: Array<[Uint8Array, string]> = [];
          for await (const pair of redis.zscanIterator(k("z"))) seen.push(pair);
          assert.deepEqual(seen, [[b("a"), "1.5"]]);
        });

        test("zmpop and bzmpop give the key they popped from as data, like lmpop and bzpopmin", async () => {
          await redis.zadd(k("zp"), [{ score: 1, member: "a" }]);
          assert.deepEqual(await redis.zmpop([k("zp")], "MIN"), { key: b(k("zp")), members: [{ member: b("a"), score: 1 }] });
          await redis.rpush(k("lp"), "x");
          assert.deepEqual(await redis.lmpop([k("lp")], "LEFT"), [b(k("lp")), [b("x")]]);
        });
      });
    }
  }
});
