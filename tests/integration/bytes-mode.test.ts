import assert from "node:assert/strict";
import { createClient, type BytesReplies, type RedisClient } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// With `decode: "bytes"` every string reply arrives as a Uint8Array. The typed commands must still
// work: what is a number, a score, a cursor or an ID is read as text; what is data (keys, members,
// field values) stays bytes.

const text = new TextEncoder();
const b = (s: string) => text.encode(s);
const str = (v: unknown) => new TextDecoder().decode(v as Uint8Array);

describe("typed commands on a client with decode: 'bytes'", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      let redis: BytesReplies<RedisClient>;
      const k = (name: string) => `bytes${protocol}:${name}`;
      beforeAll(() => {
        redis = createClient({ url: server.url, protocol, decode: "bytes" });
      });
      afterAll(() => redis?.close());

      test("scanIterator walks a keyspace of more than 10 keys (several cursors), yielding each key once, as bytes", async () => {
        const keys = Array.from({ length: 35 }, (_, i) => k(`scan:${i}`));
        await redis.mset(keys.map((key) => [key, "v"] as [string, string]));
        const seen: string[] = [];
        for await (const key of redis.scanIterator({ match: k("scan:*") })) {
          assert.ok(key instanceof Uint8Array);
          seen.push(str(key));
        }
        assert.deepEqual(seen.sort(), keys.sort());
      });

      test("hscanIterator, sscanIterator and zscanIterator walk collections that take several cursors", async () => {
        const n = 300; // past the listpack sizes, so the server iterates in several rounds
        await redis.hset(k("hscan"), Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`])));
        await redis.sadd(k("sscan"), ...Array.from({ length: n }, (_, i) => `m${i}`));
        await redis.zadd(k("zscan"), Array.from({ length: n }, (_, i) => ({ score: i, member: `z${i}` })));
        const fields = new Map<string, string>();
        for await (const [field, value] of redis.hscanIterator(k("hscan"))) fields.set(str(field), str(value));
        assert.equal(fields.size, n);
        assert.equal(fields.get("f7"), "v7");
        const members = new Set<string>();
        for await (const member of redis.sscanIterator(k("sscan"))) members.add(str(member));
        assert.equal(members.size, n);
        const scores = new Map<string, string>();
        for await (const [member, score] of redis.zscanIterator(k("zscan"))) scores.set(str(member), score); // the score is text
        assert.equal(scores.size, n);
        assert.equal(scores.get("z42"), "42");
      });

      test("sorted sets: scores are numbers, members stay bytes", async () => {
        await redis.zadd(k("z"), [{ score: 1.5, member: "a" }, { score: 2, member: "b" }, { score: Infinity, member: "c" }]);
        assert.deepEqual(await redis.zrangeWithScores(k("z"), 0, -1), [
          { member: b("a"), score: 1.5 },
          { member: b("b"), score: 2 },
          { member: b("c"), score: Infinity },
        ]);
        assert.equal(await redis.zscore(k("z"), "a"), 1.5);
        assert.equal(await redis.zscore(k("z"), "missing"), null);
        assert.deepEqual(await redis.zmscore(k("z"), "b", "missing", "c"), [2, null, Infinity]);
        assert.equal(await redis.zincrby(k("z"), 1, "a"), 2.5);
        assert.deepEqual(await redis.zpopmin(k("z")), [{ member: b("b"), score: 2 }]);
        assert.deepEqual(await redis.zpopmax(k("z")), [{ member: b("c"), score: Infinity }]);
        assert.deepEqual(await redis.bzpopmin(k("z"), 1), [b(k("z")), b("a"), 2.5]);
      });

      test("streams: entry IDs are text, field values stay bytes", async () => {
        const id = await redis.xadd(k("s"), { f: "v1" }, { id: "1-1" });
        assert.equal(id, "1-1");
        await redis.xadd(k("s"), { f: "v2" }, { id: "2-1" });
        const entries = await redis.xrange(k("s"));
        assert.deepEqual(entries.map((e) => e.id), ["1-1", "2-1"]);
        assert.deepEqual(entries.map((e) => ({ ...e.fields })), [{ f: b("v1") }, { f: b("v2") }]);
        const read = (await redis.xread({ [k("s")]: "1-1" }))!;
        assert.deepEqual(read.map((r) => [str(r.stream), r.entries.map((e) => e.id)]), [[k("s"), ["2-1"]]]);
        await redis.xgroupCreate(k("s"), "g", "0");
        const claimed = (await redis.xreadgroup("g", "c", { [k("s")]: ">" }))!;
        assert.deepEqual(claimed[0]!.entries.map((e) => e.id), ["1-1", "2-1"]);
        const pending = await redis.xpending(k("s"), "g");
        assert.deepEqual(pending, {
          count: 2,
          lowest: "1-1",
          highest: "2-1",
          consumers: [{ name: "c", pending: 2 }],
        });
      });

      test("float increments, TIME and INFO decode their text; hashes keep values as bytes", async () => {
        assert.equal(await redis.incrbyfloat(k("f"), 1.25), 1.25);
        assert.equal(await redis.hincrbyfloat(k("hf"), "x", 0.5), 0.5);
        const [seconds, micros] = await redis.time();
        assert.ok(Math.abs(seconds - Date.now() / 1000) < 60 && Number.isInteger(micros), `TIME gave ${seconds}, ${micros}`);
        assert.match(await redis.info("server"), /redis_version:/);
        await redis.hset(k("h"), { a: "1" });
        assert.deepEqual({ ...(await redis.hgetall(k("h"))) }, { a: b("1") });
      });

      test("what the types call bytes is bytes at run time, on the client and on a with({ bytes: true }) view", async () => {
        await redis.set(k("s"), "v");
        await redis.hset(k("dh"), { f: "v" });
        await redis.rpush(k("l"), "x", "y");
        await redis.sadd(k("set"), "m");
        const plain = createClient({ url: server.url, protocol });
        try {
          for (const api of [redis, plain.with({ bytes: true })]) {
            const get: Uint8Array | null = await api.get(k("s"));
            assert.deepEqual(get, b("v"));
            const many: Array<Uint8Array | null> = await api.mget(k("s"), k("none"));
            assert.deepEqual(many, [b("v"), null]);
            const hash: Record<string, Uint8Array> = await api.hgetall(k("dh"));
            assert.deepEqual({ ...hash }, { f: b("v") });
            const field: Uint8Array | null = await api.hget(k("dh"), "f");
            assert.deepEqual(field, b("v"));
            const list: Uint8Array[] = await api.lrange(k("l"), 0, -1);
            assert.deepEqual(list, [b("x"), b("y")]);
            const members: Uint8Array[] = await api.smembers(k("set"));
            assert.deepEqual(members, [b("m")]);
            const keys: Uint8Array[] = await api.keys(k("s"));
            assert.deepEqual(keys, [b(k("s"))]);
            // Text by nature stays text.
            const set: "OK" | null = await api.set(k("s"), "v");
            assert.equal(set, "OK");
            assert.equal(typeof (await api.incr(k("n"))), "number");
          }
          const text: string | null = await plain.get(k("s"));
          assert.equal(text, "v");
        } finally {
          await plain.close();
        }
      });
    });
  }
});
