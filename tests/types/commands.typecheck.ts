/**
 * Expected types of the command API, checked by `tsc -p .` (this file is never run): each
 * `expectType` pins a type exactly, each `@ts-expect-error` a call the types must refuse. If the
 * types drift, the type check fails.
 */
import type { Lease, Multi, Pipeline, Pool, RedisClient, RedisError, StreamInfo } from "../../mod.ts";
import { createClient, createPool, raw } from "../../mod.ts";

/** Whether `X` and `Y` are the same type. */
type Equal<X, Y> = (<G>() => G extends X ? 1 : 2) extends <G>() => G extends Y ? 1 : 2 ? true : false;
/** Fails to compile unless `Actual` is exactly `Expected`. */
function expectType<Expected>() {
  return <Actual>(_value: Actual, ..._same: Equal<Actual, Expected> extends true ? [] : [never]) => {};
}

declare const redis: RedisClient;
declare const pool: Pool;
declare const lease: Lease;

export async function setOverloads(): Promise<void> {
  // Without `get` the reply is "OK", or null when nx/xx prevented the write.
  expectType<"OK" | null>()(await redis.set("k", "v"));
  expectType<"OK" | null>()(await redis.set("k", "v", { ex: 10, nx: true }));
  expectType<"OK" | null>()(await redis.set("k", "v", { get: false, keepTtl: true }));
  // With `get: true` it is the old value.
  expectType<string | null>()(await redis.set("k", "v", { get: true }));
  expectType<string | null>()(await pool.set("k", "v", { get: true, px: 5 }));
  // A `get` known only at run time gives the union of both.
  const get = Math.random() > 0.5;
  expectType<string | null>()(await redis.set("k", "v", { get }));

  // @ts-expect-error ex and px exclude each other
  await redis.set("k", "v", { ex: 1, px: 1 });
  // @ts-expect-error an expiry and keepTtl exclude each other
  await redis.set("k", "v", { exat: 1, keepTtl: true });
  // @ts-expect-error nx and xx exclude each other
  await redis.set("k", "v", { nx: true, xx: true });
  // @ts-expect-error nx and xx exclude each other in a chain too
  redis.multi().set("k", "v", { nx: true, xx: true });
  // @ts-expect-error geoadd's nx and xx exclude each other
  await redis.geoadd("g", [{ longitude: 0, latitude: 0, member: "m" }], { nx: true, xx: true });
}

export async function typedBatches(): Promise<void> {
  // A transaction's exec() is a tuple of its replies (each possibly the RedisError it failed with), or null after WATCH.
  const tx = await redis.multi().get("a").incr("n").exec();
  expectType<[string | null | RedisError, number | RedisError] | null>()(tx);

  // Overloads pick the entry's type.
  const sets = await redis.multi().set("a", "1").set("a", "2", { get: true }).exec();
  expectType<["OK" | null | RedisError, string | null | RedisError] | null>()(sets);

  // add() appends the described command's reply type.
  const added = await redis.multi().add(raw<number>(["DBSIZE"])).xinfoStream("s").exec();
  expectType<[number | RedisError, StreamInfo | RedisError] | null>()(added);

  // watch() resolves to the transaction's replies (it retries instead of resolving null).
  const watched = await redis.watch("k", async (tx) => tx.multi().set("k", String(Number(await tx.get("k")) + 1)).get("k"));
  expectType<["OK" | null | RedisError, string | null | RedisError]>()(watched);

  // A typed script runs alone or as a command in a chain.
  const incrBy = redis.script<number>("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  expectType<number>()(await incrBy.run(["n"], [1]));
  expectType<[number | RedisError, string | null | RedisError] | null>()(await redis.multi().add(incrBy.cmd(["n"], [1])).get("n").exec());

  // A pipeline's entries may fail on their own with any error (timeouts, a lost connection).
  const piped = await redis.pipeline().hgetall("h").zscore("z", "m").exec();
  expectType<[Record<string, string> | Error, number | null | Error]>()(piped);

  // Every surface builds the same types.
  expectType<[boolean | Error]>()(await pool.pipeline().expire("k", 1).exec());
  expectType<[number | RedisError] | null>()(await lease.multi().del("a", "b").exec());
  await redis.isolated(async (c) => {
    expectType<[string | RedisError] | null>()(await c.multi().ping().exec());
  });

  // The builder's type grows with each call; an empty one resolves to an empty tuple.
  expectType<Multi<[string | null]>>()(redis.multi().get("a"));
  expectType<Pipeline<[]>>()(redis.pipeline());
  expectType<[] | null>()(await redis.multi().exec());
}

export async function arguments_(): Promise<void> {
  // @ts-expect-error keys are strings or bytes
  await redis.get(1);
  // @ts-expect-error bitop takes one of four operations
  await redis.bitop("NAND", "d", "a");
  // @ts-expect-error excluded commands have no method: multi() and exec() do it
  await redis.exec();
  expectType<Array<{ longitude: number; latitude: number } | null>>()(await redis.geopos("g", "a"));
  expectType<{ key: string; members: Array<{ member: string; score: number }> } | null>()(await redis.zmpop(["z"], "MIN"));
}

export async function bytesReplies(): Promise<void> {
  // decode: "bytes" (a literal) gives a client whose data commands resolve to bytes.
  const raw = createClient({ url: "redis://localhost:6379", decode: "bytes" });
  expectType<Uint8Array | null>()(await raw.get("k"));
  expectType<Array<Uint8Array | null>>()(await raw.mget("a", "b"));
  expectType<Record<string, Uint8Array>>()(await raw.hgetall("h"));
  expectType<Uint8Array[]>()(await raw.lrange("l", 0, -1));
  expectType<Uint8Array[]>()(await raw.smembers("s"));
  // What is text by nature stays text: counts, "OK", parsed numbers.
  expectType<number>()(await raw.incr("n"));
  expectType<"OK" | null>()(await raw.set("k", "v"));
  expectType<number | null>()(await raw.zscore("z", "m"));
  // The rest of the surface is the client's own.
  expectType<Promise<void>>()(raw.close());

  // with({ bytes: true }) on any surface, views of views too.
  expectType<Uint8Array | null>()(await redis.with({ bytes: true }).get("k"));
  expectType<Uint8Array | null>()(await pool.with({ bytes: true, timeout: 100 }).hget("h", "f"));
  expectType<Uint8Array | null>()(await lease.with({ bytes: true }).lpop("l"));
  expectType<Uint8Array[]>()(await createPool({ decode: "bytes" }).keys("*"));

  // Without the literal, strings.
  expectType<string | null>()(await redis.with({ timeout: 100 }).get("k"));
  expectType<string | null>()(await redis.with({ bytes: false }).get("k"));
  expectType<string | null>()(await createClient({ decode: "string" }).get("k"));
  expectType<string | null>()(await createClient("redis://localhost:6379").get("k"));
  // @ts-expect-error a bytes client's get() is no string
  const text: string | null = await raw.get("k");
  void text;
}
