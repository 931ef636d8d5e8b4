import assert from "node:assert/strict";
import { createClient, type RedisClient } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

/** A null-prototype object, as the parsers return for maps. */
const rec = <T>(o: Record<string, T>): Record<string, T> => Object.assign(Object.create(null), o);

describe("typed data commands", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  // The same expected values on both protocols: replies keep one JS shape on RESP2 and RESP3.
  for (const protocol of [2, 3] as const) {
    describe(`on RESP${protocol}`, () => {
      let redis: RedisClient;
      const k = (name: string) => `data${protocol}:${name}`;
      beforeAll(() => {
        redis = createClient({ url: server.url, protocol });
      });
      afterAll(() => redis?.close());

      test("bitmaps: bits, counts, positions, bitop and bitfield", async () => {
        assert.equal(await redis.setbit(k("b"), 7, 1), 0);
        assert.equal(await redis.getbit(k("b"), 7), 1);
        await redis.set(k("b2"), "\xff");
        assert.equal(await redis.bitcount(k("b")), 1);
        assert.equal(await redis.bitcount(k("b"), { start: 0, end: 6, unit: "BIT" }), 0);
        assert.equal(await redis.bitpos(k("b"), 1), 7);
        assert.equal(await redis.bitpos(k("b"), 1, { start: 1 }), -1);
        assert.equal(await redis.bitop("OR", k("bor"), k("b"), k("b")), 1);
        assert.deepEqual(
          await redis.bitfield(k("bf"), [
            { op: "set", type: "u8", offset: 0, value: 200 },
            { op: "get", type: "u8", offset: 0 },
            { op: "overflow", behavior: "FAIL" },
            { op: "incrby", type: "u8", offset: 0, increment: 100 },
          ]),
          [0, 200, null],
        );
        assert.deepEqual(await redis.bitfieldRo(k("bf"), [{ type: "u8", offset: "#0" }]), [200]);
        await assert.rejects(redis.bitcount(k("b"), { start: 0 }), TypeError);
      });

      test("hyperloglog: pfadd, pfcount over keys, pfmerge", async () => {
        assert.equal(await redis.pfadd(k("h1"), "a", "b", "c"), true);
        assert.equal(await redis.pfadd(k("h1"), "a"), false);
        await redis.pfadd(k("h2"), "c", "d");
        assert.equal(await redis.pfcount(k("h1"), k("h2")), 4);
        assert.equal(await redis.pfmerge(k("h3"), k("h1"), k("h2")), "OK");
        assert.equal(await redis.pfcount(k("h3")), 4);
      });

      test("geo: positions, distances, hashes and searches as numbers and objects", async () => {
        const places = [
          { longitude: 13.361389, latitude: 38.115556, member: "Palermo" },
          { longitude: 15.087269, latitude: 37.502669, member: "Catania" },
        ];
        assert.equal(await redis.geoadd(k("g"), places), 2);
        assert.equal(await redis.geoadd(k("g"), [{ ...places[0]!, longitude: 13.4 }], { xx: true, ch: true }), 1);
        await redis.geoadd(k("g"), places, { xx: true });
        const dist = await redis.geodist(k("g"), "Palermo", "Catania", "km");
        assert.ok(dist !== null && Math.abs(dist - 166.27) < 0.01, `distance ${dist}`);
        assert.equal(await redis.geodist(k("g"), "Palermo", "nowhere"), null);
        const [pos, missing] = await redis.geopos(k("g"), "Palermo", "nowhere");
        assert.ok(pos && Math.abs(pos.longitude - 13.361389) < 1e-5 && Math.abs(pos.latitude - 38.115556) < 1e-5);
        assert.equal(missing, null);
        assert.deepEqual(await redis.geohash(k("g"), "Palermo", "nowhere"), ["sqc8b49rny0", null]);
        const from = { longitude: 15, latitude: 37 };
        assert.deepEqual(await redis.geosearch(k("g"), from, { radius: 200, unit: "km" }, { order: "ASC" }), ["Catania", "Palermo"]);
        assert.deepEqual(await redis.geosearch(k("g"), { member: "Palermo" }, { width: 10, height: 10, unit: "km" }), ["Palermo"]);
        const found = await redis.geosearchWith(k("g"), from, { radius: 200, unit: "km" }, { order: "ASC", count: 1, withDist: true, withHash: true, withCoord: true });
        assert.equal(found.length, 1);
        assert.equal(found[0]!.member, "Catania");
        assert.ok(Math.abs(found[0]!.distance! - 56.4413) < 1e-3);
        assert.equal(typeof found[0]!.hash, "number");
        assert.ok(Math.abs(found[0]!.position!.longitude - 15.087269) < 1e-5);
        assert.equal(await redis.geosearchstore(k("gs"), k("g"), from, { radius: 100, unit: "km" }, { storeDist: true }), 1);
        assert.deepEqual(await redis.georadius(k("g"), from, 100, "km"), ["Catania"]);
        assert.deepEqual(await redis.georadiusRo(k("g"), from, 100, "km"), ["Catania"]);
        assert.deepEqual(await redis.georadiusbymember(k("g"), "Palermo", 10, "km"), ["Palermo"]);
        assert.deepEqual(await redis.georadiusbymemberRo(k("g"), "Palermo", 200, "km", { order: "DESC" }), ["Catania", "Palermo"]);
      });

      test("strings: lcs in its three forms, getset, psetex, substr", async () => {
        await redis.mset({ [k("s1")]: "ohmytext", [k("s2")]: "mynewtext" });
        assert.equal(await redis.lcs(k("s1"), k("s2")), "mytext");
        assert.equal(await redis.lcsLen(k("s1"), k("s2")), 6);
        assert.deepEqual(await redis.lcsIdx(k("s1"), k("s2"), { minMatchLen: 2, withMatchLen: true }), {
          matches: [
            { key1: [4, 7], key2: [5, 8], length: 4 },
            { key1: [2, 3], key2: [0, 1], length: 2 },
          ],
          length: 6,
        });
        assert.deepEqual((await redis.lcsIdx(k("s1"), k("s2"))).matches[1], { key1: [2, 3], key2: [0, 1] });
        assert.equal(await redis.getset(k("s1"), "new"), "ohmytext");
        assert.equal(await redis.psetex(k("px"), 100_000, "v"), "OK");
        assert.ok((await redis.pttl(k("px"))) > 90_000);
        assert.equal(await redis.substr(k("s2"), 0, 1), "my");
      });

      test("lists and hashes: lmpop, rpoplpush, hmset", async () => {
        await redis.rpush(k("l1"), "a", "b", "c");
        assert.deepEqual(await redis.lmpop([k("none"), k("l1")], "LEFT", 2), [k("l1"), ["a", "b"]]);
        assert.equal(await redis.lmpop([k("none")], "LEFT"), null);
        assert.equal(await redis.rpoplpush(k("l1"), k("l2")), "c");
        assert.equal(await redis.hmset(k("hm"), { a: "1", b: "2" }), "OK");
        assert.deepEqual(await redis.hgetall(k("hm")), rec({ a: "1", b: "2" }));
      });

      test("sorted sets: union, intersection, difference, lex ranges, rangestore, multi-key pops", async () => {
        await redis.zadd(k("z1"), [{ score: 1, member: "a" }, { score: 2, member: "b" }]);
        await redis.zadd(k("z2"), [{ score: 3, member: "b" }, { score: 4, member: "c" }]);
        assert.deepEqual(await redis.zunion([k("z1"), k("z2")]), ["a", "c", "b"]);
        assert.deepEqual(await redis.zunionWithScores([k("z1"), k("z2")], { weights: [2, 1], aggregate: "MAX" }), [
          { member: "a", score: 2 },
          { member: "b", score: 4 },
          { member: "c", score: 4 },
        ]);
        assert.deepEqual(await redis.zinter([k("z1"), k("z2")]), ["b"]);
        assert.deepEqual(await redis.zinterWithScores([k("z1"), k("z2")]), [{ member: "b", score: 5 }]);
        assert.deepEqual(await redis.zdiff([k("z1"), k("z2")]), ["a"]);
        assert.deepEqual(await redis.zdiffWithScores([k("z1"), k("z2")]), [{ member: "a", score: 1 }]);
        assert.equal(await redis.zdiffstore(k("zd"), [k("z2"), k("z1")]), 1);
        assert.equal(await redis.zintercard([k("z1"), k("z2")], 10), 1);
        await assert.rejects(redis.zunion([k("z1")], { weights: [1, 2] }), TypeError);

        await redis.zadd(k("lex"), ["a", "b", "c", "d"].map((member) => ({ score: 0, member })));
        assert.deepEqual(await redis.zrangebylex(k("lex"), "[b", "+", { offset: 0, count: 2 }), ["b", "c"]);
        assert.deepEqual(await redis.zrevrangebylex(k("lex"), "(c", "-"), ["b", "a"]);
        assert.equal(await redis.zlexcount(k("lex"), "-", "+"), 4);
        assert.equal(await redis.zremrangebylex(k("lex"), "[a", "[b"), 2);
        assert.deepEqual(await redis.zrevrangebyscore(k("z2"), "+inf", "-inf", { offset: 0, count: 1 }), ["c"]);
        assert.equal(await redis.zrangestore(k("zr"), k("z2"), 0, 0, { rev: true }), 1);
        assert.deepEqual(await redis.zrange(k("zr"), 0, -1), ["c"]);

        assert.deepEqual(await redis.zmpop([k("none"), k("z1")], "MIN", 5), { key: k("z1"), members: [{ member: "a", score: 1 }, { member: "b", score: 2 }] });
        assert.equal(await redis.zmpop([k("none")], "MAX"), null);
        assert.deepEqual(await redis.bzmpop(1, [k("z2")], "MAX"), { key: k("z2"), members: [{ member: "c", score: 4 }] });
        assert.equal(await redis.bzmpop(0.05, [k("none")], "MAX"), null);
      });

      test("scan steps return the next cursor and a page in the family's shape", async () => {
        await redis.hset(k("sh"), { f: "v" });
        await redis.sadd(k("ss"), "m");
        await redis.zadd(k("sz"), [{ score: 1.5, member: "m" }]);
        const first = await redis.scan(0, { match: k("sh"), count: 1000, type: "hash" });
        let cursor = first.cursor;
        const keys = [...first.items];
        while (cursor !== "0") {
          const next = await redis.scan(cursor, { match: k("sh"), count: 1000 });
          cursor = next.cursor;
          keys.push(...next.items);
        }
        assert.deepEqual(keys, [k("sh")]);
        assert.deepEqual(await redis.hscan(k("sh"), 0), { cursor: "0", items: [["f", "v"]] });
        assert.deepEqual(await redis.sscan(k("ss"), "0", { match: "m*" }), { cursor: "0", items: ["m"] });
        assert.deepEqual(await redis.zscan(k("sz"), 0), { cursor: "0", items: [{ member: "m", score: 1.5 }] });
      });

      test("keyspace: expiretime, move, sort, object introspection", async () => {
        await redis.set(k("e"), "v", { exat: 4_000_000_000 });
        assert.equal(await redis.expiretime(k("e")), 4_000_000_000);
        assert.equal(await redis.pexpiretime(k("e")), 4_000_000_000_000);
        assert.equal(await redis.expiretime(k("missing")), -2);
        assert.equal(await redis.move(k("e"), 1), true);
        assert.equal(await redis.exists(k("e")), 0);
        await redis.rpush(k("sortme"), "3", "1", "2");
        await redis.mset({ [k("w_1")]: "c", [k("w_2")]: "b", [k("w_3")]: "a" });
        assert.deepEqual(await redis.sort(k("sortme")), ["1", "2", "3"]);
        assert.deepEqual(await redis.sortRo(k("sortme"), { order: "DESC", limit: { offset: 0, count: 2 } }), ["3", "2"]);
        assert.deepEqual(await redis.sort(k("sortme"), { by: "nosort", get: [k("w_*"), k("none_*")] }), ["a", null, "c", null, "b", null]);
        assert.equal(await redis.sortStore(k("sortme"), k("sorted"), { alpha: true }), 3);
        assert.deepEqual(await redis.lrange(k("sorted"), 0, -1), ["1", "2", "3"]);
        assert.equal(await redis.objectRefcount(k("sorted")), 1);
        assert.equal(typeof (await redis.objectIdletime(k("sorted"))), "number");
        assert.equal(await redis.objectIdletime(k("missing")), null);
        assert.equal(await redis.migrate("127.0.0.1", 1, k("missing"), 0, 100), "NOKEY");
      });

      test("stream groups: claim, autoclaim, pending ranges, consumers and IDs", async () => {
        const s = k("st");
        await redis.xadd(s, { a: "1" }, { id: "1-1" });
        await redis.xadd(s, { b: "2" }, { id: "2-1" });
        await redis.xgroupCreate(s, "g", "0");
        await redis.xreadgroup("g", "c1", { [s]: ">" }, { count: 1 });
        const pending = await redis.xpendingRange(s, "g", { count: 10 });
        assert.deepEqual(pending.map(({ id, consumer, deliveries }) => ({ id, consumer, deliveries })), [{ id: "1-1", consumer: "c1", deliveries: 1 }]);
        assert.equal(typeof pending[0]!.idleMs, "number");
        assert.deepEqual(await redis.xclaim(s, "g", "c2", 0, ["1-1"]), [{ id: "1-1", fields: rec({ a: "1" }) }]);
        assert.deepEqual(await redis.xclaimJustid(s, "g", "c3", 0, ["1-1"], { retrycount: 5 }), ["1-1"]);
        assert.deepEqual(await redis.xautoclaim(s, "g", "c4", 0, "0-0", { count: 5 }), {
          next: "0-0",
          claimed: [{ id: "1-1", fields: rec({ a: "1" }) }],
          deleted: [],
        });
        assert.deepEqual(await redis.xautoclaimJustid(s, "g", "c5", 0), { next: "0-0", claimed: ["1-1"], deleted: [] });
        assert.equal(await redis.xgroupCreateconsumer(s, "g", "c9"), true);
        assert.equal(await redis.xgroupCreateconsumer(s, "g", "c9"), false);
        assert.equal(await redis.xgroupDelconsumer(s, "g", "c5"), 1);
        assert.equal(await redis.xgroupSetid(s, "g", "0", { entriesRead: 0 }), "OK");
        assert.equal(await redis.xsetid(s, "3-0", { entriesAdded: 5, maxDeletedId: "0-1" }), "OK");
      });

      test("xinfo: stream, full stream, groups and consumers", async () => {
        const s = k("si");
        await redis.xadd(s, { a: "1" }, { id: "1-1" });
        await redis.xadd(s, { b: "2" }, { id: "2-1" });
        await redis.xgroupCreate(s, "g", "0");
        await redis.xreadgroup("g", "c1", { [s]: ">" }, { count: 1 });
        assert.deepEqual(await redis.xinfoStream(s), {
          length: 2,
          radixTreeKeys: 1,
          radixTreeNodes: 2,
          lastGeneratedId: "2-1",
          maxDeletedEntryId: "0-0",
          entriesAdded: 2,
          recordedFirstEntryId: "1-1",
          groups: 1,
          firstEntry: { id: "1-1", fields: rec({ a: "1" }) },
          lastEntry: { id: "2-1", fields: rec({ b: "2" }) },
        });
        const full = await redis.xinfoStreamFull(s, { count: 0 });
        assert.deepEqual(full.entries.map((e) => e.id), ["1-1", "2-1"]);
        const group = full.groups[0]!;
        assert.deepEqual([group.name, group.lastDeliveredId, group.entriesRead, group.lag, group.pelCount], ["g", "1-1", 1, 1, 1]);
        assert.deepEqual([group.pending[0]!.id, group.pending[0]!.consumer, group.pending[0]!.deliveries], ["1-1", "c1", 1]);
        assert.deepEqual([group.consumers[0]!.name, group.consumers[0]!.pelCount, group.consumers[0]!.pending[0]!.id], ["c1", 1, "1-1"]);
        assert.deepEqual(await redis.xinfoGroups(s), [{ name: "g", consumers: 1, pending: 1, lastDeliveredId: "1-1", entriesRead: 1, lag: 1 }]);
        const [consumer] = await redis.xinfoConsumers(s, "g");
        assert.deepEqual([consumer!.name, consumer!.pending, typeof consumer!.idle], ["c1", 1, "number"]);
      });
    });
  }

  test("parsers read bytes replies: IDs, names and numbers as text and numbers, values as bytes", async () => {
    const redis = createClient({ url: server.url, decode: "bytes" });
    try {
      const s = "bytes:st";
      await redis.xadd(s, { a: "1" }, { id: "1-1" });
      await redis.xgroupCreate(s, "g", "0");
      await redis.xreadgroup("g", "c1", { [s]: ">" });
      const info = await redis.xinfoStream(s);
      assert.equal(info.lastGeneratedId, "1-1");
      assert.equal(info.firstEntry?.id, "1-1");
      assert.deepEqual(info.firstEntry?.fields.a, new TextEncoder().encode("1"));
      assert.deepEqual((await redis.xinfoGroups(s))[0]!.name, "g");
      const claimed = await redis.xautoclaim(s, "g", "c2", 0);
      assert.equal(claimed.next, "0-0");
      assert.equal(claimed.claimed[0]!.id, "1-1");
      await redis.geoadd("bytes:g", [{ longitude: 13.361389, latitude: 38.115556, member: "P" }]);
      const [pos] = await redis.geopos("bytes:g", "P");
      assert.ok(pos && Math.abs(pos.latitude - 38.115556) < 1e-5);
      assert.equal(typeof (await redis.geodist("bytes:g", "P", "P")), "number");
      const found: unknown[] = [];
      let cursor = "0";
      do {
        const page = await redis.scan(cursor, { match: "bytes:g", count: 1000 });
        assert.equal(typeof page.cursor, "string");
        cursor = page.cursor;
        found.push(...page.items);
      } while (cursor !== "0");
      assert.deepEqual(found, [new TextEncoder().encode("bytes:g")]);
      await redis.mset({ "bytes:s1": "ohmytext", "bytes:s2": "mynewtext" });
      assert.equal((await redis.lcsIdx("bytes:s1", "bytes:s2")).length, 6);
    } finally {
      await redis.close();
    }
  });
});
