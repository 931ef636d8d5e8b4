/**
 * Type-checked (never run) inside the fresh project by scripts/pack-smoke.mjs, against the
 * installed package's declarations: a user's strict NodeNext project must see real types, not
 * `any`. Each `@ts-expect-error` fails the check if the types stopped catching that mistake.
 */
import { createClient, createPool, RedisError, type ClientOptions, type RespValue } from "resplex";
import { exposeClient, wrapClient, type OwnerHandle } from "resplex/worker";
import { instrument, type InstrumentOptions } from "resplex/otel";

const options: ClientOptions = { url: "redis://127.0.0.1:6390", commandTimeout: 1000 };
const redis = createClient(options);
const value: string | null = await redis.get("k");
const reply: RespValue = await redis.send(["PING"]);
const results: unknown[] | null = await redis.multi().set("a", "1").incr("a").exec();
// @ts-expect-error get() needs a key
await redis.get();
// @ts-expect-error a reply may be null
const notNull: string = await redis.get("k");

const pool = createPool({ url: "redis://127.0.0.1:6390", max: 4 });
{
  await using lease = await pool.acquire();
  const popped: [string, string] | null = await lease.blpop("q", 1);
  void popped;
}
const inUse: number = pool.stats().inUse;
const otelOptions: InstrumentOptions = { queryText: true, poolName: "main" };
const uninstrument: () => void = instrument(pool, otelOptions);
uninstrument();
// @ts-expect-error instrument() takes a client, a pool or a worker client
instrument("redis://127.0.0.1:6390");

declare const port: MessagePort;
const owner: OwnerHandle = exposeClient(pool, port);
const shared = wrapClient(owner.createPort());
const sharedValue: string | null = await shared.get("k");
// @ts-expect-error only a client, a pool or a worker client can be shared
exposeClient("redis://127.0.0.1:6390", port);
await shared.close();
await owner.close();

try {
  await redis.get("list");
} catch (err) {
  if (err instanceof RedisError) {
    const code: string = err.code;
    void code;
  }
}
await redis.close();
await pool.close();
void [value, reply, results, notNull, inUse, sharedValue];
