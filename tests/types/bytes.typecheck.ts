/**
 * Expected types of bytes mode, checked by `tsc -p .` (this file is never run): a surface made with
 * `decode: "bytes"` or `with({ bytes: true })` types each data reply as `Uint8Array`, per command
 * family, and keeps what is text by nature as text. `@ts-expect-error` marks a bytes reply that
 * must not be taken as a string.
 */
import type {
  BytesReplies,
  EitherReplies,
  Lease,
  Multi,
  Pool,
  RedisClient,
  RedisCluster,
  RedisError,
  ScanPage,
  ScoredMember,
  StreamEntry,
  StreamInfo,
  StreamRead,
  ZPopped,
} from "../../mod.ts";
import { createClient, createCluster, createPool, raw } from "../../mod.ts";

/** Whether `X` and `Y` are the same type. */
type Equal<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;
/** Fails to compile unless `Actual` is exactly `Expected`. */
function expectType<Expected>() {
  return <Actual>(_value: Actual, ..._same: Equal<Actual, Expected> extends true ? [] : [never]) => {};
}

declare const bytes: BytesReplies<RedisClient>;
declare const redis: RedisClient;
declare const pool: Pool;
type Bytes = Uint8Array;

export async function strings(): Promise<void> {
  expectType<Bytes | null>()(await bytes.get("k"));
  expectType<Bytes | null>()(await bytes.getdel("k"));
  expectType<Bytes | null>()(await bytes.getex("k", { ex: 1 }));
  expectType<Bytes>()(await bytes.getrange("k", 0, -1));
  expectType<Array<Bytes | null>>()(await bytes.mget("a", "b"));
  expectType<Bytes>()(await bytes.lcs("a", "b"));
  // set: "OK" without get, the old value with it, either when get is known only at run time.
  expectType<"OK" | null>()(await bytes.set("k", "v"));
  expectType<Bytes | null>()(await bytes.set("k", "v", { get: true }));
  expectType<Bytes | "OK" | null>()(await bytes.set("k", "v", { get: Math.random() > 0.5 }));
  // Text by nature: counts, floats, "OK".
  expectType<number>()(await bytes.incrbyfloat("k", 1));
  expectType<"OK">()(await bytes.mset({ a: "1" }));
  expectType<Bytes | null>()(await bytes.getBuffer("k"));
  // @ts-expect-error a bytes surface's get() is no string
  const text: string | null = await bytes.get("k");
  void text;
}

export async function keysAndHashes(): Promise<void> {
  expectType<Bytes[]>()(await bytes.keys("*"));
  expectType<Bytes | null>()(await bytes.randomkey());
  expectType<Array<Bytes | null>>()(await bytes.sort("l", { alpha: true }));
  expectType<Bytes[]>()(await bytes.clusterGetkeysinslot(0, 10));
  expectType<string>()(await bytes.type("k"));
  expectType<string | null>()(await bytes.objectEncoding("k"));
  expectType<"OK">()(await bytes.rename("a", "b"));
  expectType<Bytes | null>()(await bytes.hget("h", "f"));
  expectType<Array<Bytes | null>>()(await bytes.hmget("h", "f", "g"));
  expectType<Record<string, Bytes>>()(await bytes.hgetall("h"));
  expectType<Bytes[]>()(await bytes.hkeys("h"));
  expectType<Bytes[]>()(await bytes.hvals("h"));
  expectType<Bytes[]>()(await bytes.hrandfield("h", 2));
}

export async function listsAndSets(): Promise<void> {
  expectType<Bytes | null>()(await bytes.lpop("l"));
  expectType<Bytes[] | null>()(await bytes.rpopCount("l", 2));
  expectType<Bytes[]>()(await bytes.lrange("l", 0, -1));
  expectType<Bytes | null>()(await bytes.lmove("a", "b", "LEFT", "RIGHT"));
  expectType<[Bytes, Bytes] | null>()(await bytes.blpop("l", 1));
  expectType<[Bytes, Bytes[]] | null>()(await bytes.lmpop(["l"], "LEFT"));
  expectType<[Bytes, Bytes[]] | null>()(await bytes.blmpop(1, ["l"], "LEFT"));
  expectType<"OK">()(await bytes.lset("l", 0, "v"));
  expectType<Bytes[]>()(await bytes.smembers("s"));
  expectType<Bytes | null>()(await bytes.spop("s"));
  expectType<Bytes[]>()(await bytes.sdiff("a", "b"));
  expectType<boolean>()(await bytes.sismember("s", "m"));
}

export async function sortedSets(): Promise<void> {
  expectType<Bytes[]>()(await bytes.zrange("z", 0, -1));
  expectType<Bytes[]>()(await bytes.zrangebylex("z", "-", "+"));
  expectType<ScoredMember<Bytes>[]>()(await bytes.zrangeWithScores("z", 0, -1));
  expectType<ScoredMember<Bytes>[]>()(await bytes.zpopmin("z"));
  expectType<ScoredMember<Bytes>[]>()(await bytes.zunionWithScores(["a", "b"]));
  expectType<Bytes[]>()(await bytes.zinter(["a", "b"]));
  expectType<[Bytes, Bytes, number] | null>()(await bytes.bzpopmax("z", 1));
  expectType<ZPopped<Bytes> | null>()(await bytes.zmpop(["z"], "MIN"));
  expectType<Bytes[]>()(await bytes.zrandmember("z", 2));
  expectType<number | null>()(await bytes.zscore("z", "m"));
  // @ts-expect-error a member is data
  const member: string = (await bytes.zpopmin("z"))[0]!.member;
  void member;
}

export async function geoAndStreams(): Promise<void> {
  expectType<Bytes[]>()(await bytes.geosearch("g", { member: "m" }, { radius: 1, unit: "km" }));
  expectType<Bytes[]>()(await bytes.georadius("g", { longitude: 0, latitude: 0 }, 1, "km"));
  const found = await bytes.geosearchWith("g", { member: "m" }, { radius: 1, unit: "km" }, { withDist: true });
  expectType<Bytes>()(found[0]!.member);
  expectType<number | undefined>()(found[0]!.distance);
  expectType<Array<string | null>>()(await bytes.geohash("g", "m"));
  // Entry IDs and field names are text, field values and stream keys data.
  expectType<StreamEntry<Bytes>[]>()(await bytes.xrange("s"));
  expectType<StreamRead<Bytes>[] | null>()(await bytes.xread({ s: "0" }));
  expectType<StreamRead<Bytes>[] | null>()(await bytes.xreadgroup("g", "c", { s: ">" }));
  expectType<StreamEntry<Bytes>[]>()(await bytes.xclaim("s", "g", "c", 0, ["1-1"]));
  expectType<StreamEntry<Bytes>[]>()((await bytes.xautoclaim("s", "g", "c", 0)).claimed);
  expectType<string[]>()((await bytes.xautoclaimJustid("s", "g", "c", 0)).claimed);
  expectType<StreamInfo<Bytes>>()(await bytes.xinfoStream("s"));
  expectType<string | null>()(await bytes.xadd("s", { f: "v" }));
  const [entry] = await bytes.xrange("s");
  expectType<string>()(entry!.id);
  // @ts-expect-error a field value is data
  const value: string | undefined = entry!.fields.f;
  void value;
}

export async function scans(): Promise<void> {
  expectType<ScanPage<Bytes>>()(await bytes.scan(0));
  expectType<ScanPage<[Bytes, Bytes]>>()(await bytes.hscan("h", 0));
  expectType<ScanPage<ScoredMember<Bytes>>>()(await bytes.zscan("z", 0));
  expectType<string>()((await bytes.sscan("s", 0)).cursor);
  for await (const key of bytes.scanIterator()) expectType<Bytes>()(key);
  for await (const pair of bytes.hscanIterator("h")) expectType<[Bytes, Bytes]>()(pair);
  for await (const member of bytes.sscanIterator("s")) expectType<Bytes>()(member);
  for await (const pair of bytes.zscanIterator("z")) expectType<[Bytes, string]>()(pair);
  for await (const key of redis.scanIterator()) expectType<string>()(key);
}

export async function serverAndScripts(): Promise<void> {
  expectType<Bytes>()(await bytes.echo("hi"));
  expectType<string>()(await bytes.ping());
  expectType<string>()(await bytes.info());
  expectType<string>()(await bytes.clientList());
  expectType<Record<string, string>>()(await bytes.configGet("*"));
  expectType<string>()(await bytes.scriptLoad("return 1"));
  expectType<string | null>()(await bytes.clientGetname());
  expectType<string[]>()(await bytes.pubsubChannels());
}

export async function chains(): Promise<void> {
  const tx = await bytes.multi().get("a").incr("n").hgetall("h").set("k", "v").exec();
  expectType<[Bytes | null | RedisError, number | RedisError, Record<string, Bytes> | RedisError, "OK" | null | RedisError] | null>()(tx);
  const piped = await bytes.pipeline().lrange("l", 0, -1).zscore("z", "m").exec();
  expectType<[Bytes[] | Error, number | null | Error]>()(piped);
  // add() of a raw command: its strings are bytes too, as sent.
  expectType<[Bytes | RedisError] | null>()(await bytes.multi().add(raw<string>(["ECHO", "x"])).exec());
  expectType<Multi<[Bytes | null], "bytes">>()(bytes.multi().get("a"));
  // A string surface's chains stay strings.
  expectType<[string | null | RedisError] | null>()(await redis.multi().get("a").exec());
}

export async function lentConnections(): Promise<void> {
  await bytes.isolated(async (c) => {
    expectType<Bytes | null>()(await c.get("k"));
    expectType<[Bytes | null | RedisError] | null>()(await c.multi().get("k").exec());
  });
  const watched = await bytes.watch("k", async (tx) => {
    expectType<Bytes | null>()(await tx.get("k"));
    return tx.multi().get("k");
  });
  expectType<[Bytes | null | RedisError]>()(watched);

  const bytesPool = createPool({ url: "redis://localhost:6379", decode: "bytes" });
  const lease = await bytesPool.acquire();
  expectType<BytesReplies<Lease>>()(lease);
  expectType<Bytes | null>()(await lease.get("k"));
  expectType<Promise<void>>()(lease.release());
  expectType<Bytes[]>()(await bytesPool.withConnection((l) => l.lrange("l", 0, -1)));
  expectType<Bytes | null>()(await (await pool.with({ bytes: true }).acquire()).get("k"));
  expectType<string | null>()(await (await pool.acquire()).get("k"));
}

export async function surfaces(): Promise<void> {
  const cluster = createCluster({ nodes: [{ host: "localhost", port: 7000 }], decode: "bytes" });
  expectType<BytesReplies<RedisCluster>>()(cluster);
  expectType<Bytes | null>()(await cluster.get("k"));
  await cluster.isolated("{a}k", async (c) => expectType<Bytes | null>()(await c.get("{a}k")));
  expectType<string | null>()(await createCluster({ nodes: [{ host: "localhost", port: 7000 }] }).get("k"));

  // Views of views keep the mode unless `bytes` changes it.
  expectType<Bytes | null>()(await bytes.with({ timeout: 100 }).get("k"));
  expectType<string | null>()(await bytes.with({ bytes: false }).get("k"));
  expectType<Bytes | null>()(await redis.with({ bytes: true }).with({ timeout: 1 }).get("k"));
}

export async function modeKnownAtRunTime(): Promise<void> {
  // A `bytes` flag or a `decode` value not known as a literal: data is either.
  const flag = Math.random() > 0.5;
  const view = redis.with({ bytes: flag });
  expectType<EitherReplies<RedisClient>>()(view);
  expectType<string | Bytes | null>()(await view.get("k"));
  expectType<number>()(await view.incr("n"));
  const decode: "string" | "bytes" = flag ? "bytes" : "string";
  expectType<string | Bytes | null>()(await createClient({ url: "redis://localhost:6379", decode }).get("k"));
  expectType<string | Bytes | null>()(await createPool({ url: "redis://localhost:6379", decode }).get("k"));
  // A literal "string" (or no decode) is a string client.
  expectType<RedisClient>()(createClient({ url: "redis://localhost:6379", decode: "string" }));
}
