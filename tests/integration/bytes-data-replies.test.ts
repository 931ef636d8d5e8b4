import assert from "node:assert/strict";
import { createClient, type BytesReplies, type RedisClient } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// The commands whose replies mix data and text, in bytes mode: the data (values, members, keys)
// comes as Uint8Array, what is text by nature (IDs, cursors, scores, distances) as text or numbers.

const b = (s: string) => new TextEncoder().encode(s);

describe("data and text side by side in bytes mode", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  for (const protocol of [2, 3] as const) {
    describe(`RESP${protocol}`, () => {
      let redis: BytesReplies<RedisClient>;
      const k = (name: string) => `data${protocol}:${name}`;
      beforeAll(() => {
        redis = createClient({ url: server.url, protocol, decode: "bytes" });
      });
      afterAll(() => redis?.close());

      test("strings: set's old value, echo, getrange and lcs are data", async () => {
        await redis.set(k("a"), "ohmytext");
        assert.deepEqual(await redis.set(k("a"), "mynewtext", { get: true }), b("ohmytext"));
        assert.deepEqual(await redis.getrange(k("a"), 0, 1), b("my"));
        await redis.set(k("b"), "ohmytext");
        assert.deepEqual(await redis.lcs(k("a"), k("b")), b("mytext"));
        assert.deepEqual(await redis.echo("hi"), b("hi"));
      });

      test("scan steps: the cursor is text, keys, fields, values and members are data, scores numbers", async () => {
        await redis.hset(k("h"), { f: "v" });
        await redis.sadd(k("s"), "m");
        await redis.zadd(k("z"), [{ score: 2.5, member: "m" }]);
        assert.deepEqual(await redis.scan(0, { match: k("h"), count: 1000 }), { cursor: "0", items: [b(k("h"))] });
        assert.deepEqual(await redis.hscan(k("h"), 0), { cursor: "0", items: [[b("f"), b("v")]] });
        assert.deepEqual(await redis.sscan(k("s"), "0"), { cursor: "0", items: [b("m")] });
        assert.deepEqual(await redis.zscan(k("z"), 0), { cursor: "0", items: [{ member: b("m"), score: 2.5 }] });
      });

      test("sorted-set algebra and random members are data, with numeric scores", async () => {
        await redis.zadd(k("z1"), [{ score: 1, member: "a" }, { score: 2, member: "b" }]);
        await redis.zadd(k("z2"), [{ score: 3, member: "b" }]);
        assert.deepEqual(await redis.zunion([k("z1"), k("z2")]), [b("a"), b("b")]);
        assert.deepEqual(await redis.zinterWithScores([k("z1"), k("z2")]), [{ member: b("b"), score: 5 }]);
        assert.deepEqual(await redis.zdiff([k("z1"), k("z2")]), [b("a")]);
        assert.deepEqual(await redis.zrandmember(k("z2"), 1), [b("b")]);
        assert.deepEqual(await redis.bzmpop(1, [k("z2")], "MAX"), { key: b(k("z2")), members: [{ member: b("b"), score: 3 }] });
      });

      test("lists: the multi-key pops give the key and elements as data; sort gives elements", async () => {
        await redis.rpush(k("l"), "3", "1", "2");
        assert.deepEqual(await redis.sort(k("l")), [b("1"), b("2"), b("3")]);
        assert.deepEqual(await redis.blmpop(1, [k("none"), k("l")], "RIGHT", 2), [b(k("l")), [b("2"), b("1")]]);
        assert.deepEqual(await redis.blpop(k("l"), 1), [b(k("l")), b("3")]);
        await redis.hset(k("h2"), { only: "x" });
        assert.deepEqual(await redis.hrandfield(k("h2")), [b("only")]);
      });

      test("geo: members are data, distances and positions numbers, hashes text", async () => {
        await redis.geoadd(k("g"), [{ longitude: 13.361389, latitude: 38.115556, member: "Palermo" }]);
        const from = { longitude: 13.36, latitude: 38.11 };
        assert.deepEqual(await redis.geosearch(k("g"), from, { radius: 10, unit: "km" }), [b("Palermo")]);
        assert.deepEqual(await redis.georadius(k("g"), from, 10, "km"), [b("Palermo")]);
        const [found] = await redis.geosearchWith(k("g"), from, { radius: 10, unit: "km" }, { withDist: true, withCoord: true });
        assert.deepEqual(found!.member, b("Palermo"));
        assert.equal(typeof found!.distance, "number");
        assert.equal(typeof found!.position!.longitude, "number");
      });

      test("streams: claimed and described entries keep IDs as text and values as data", async () => {
        await redis.xadd(k("x"), { f: "v1" }, { id: "1-1" });
        await redis.xgroupCreate(k("x"), "g", "0");
        await redis.xreadgroup("g", "c", { [k("x")]: ">" });
        const claimed = await redis.xclaim(k("x"), "g", "c2", 0, ["1-1"]);
        assert.deepEqual(claimed.map((e) => [e.id, { ...e.fields }]), [["1-1", { f: b("v1") }]]);
        const auto = await redis.xautoclaim(k("x"), "g", "c3", 0);
        assert.equal(auto.next, "0-0");
        assert.deepEqual(auto.claimed.map((e) => [e.id, { ...e.fields }]), [["1-1", { f: b("v1") }]]);
        const info = await redis.xinfoStream(k("x"));
        assert.equal(info.lastGeneratedId, "1-1");
        assert.deepEqual({ ...info.firstEntry!.fields }, { f: b("v1") });
        const full = await redis.xinfoStreamFull(k("x"));
        assert.deepEqual(full.entries.map((e) => [e.id, { ...e.fields }]), [["1-1", { f: b("v1") }]]);
        const [read] = (await redis.xread({ [k("x")]: "0" }))!;
        assert.deepEqual(read!.stream, b(k("x")));
        assert.deepEqual(await redis.xrevrange(k("x")).then((es) => es.map((e) => e.id)), ["1-1"]);
      });
    });
  }
});
