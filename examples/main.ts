/**
 * A short tour of resplex against a real redis-server. When REDIS_URL is unset it starts a private
 * redis-server on a free loopback port and stops it afterwards. (`npm start` runs the benchmark
 * suite, bench/suite.ts.)
 *
 *   npm run example                     # private server
 *   REDIS_URL=redis://host:6379 npm run example
 */
import { createClient } from "../mod.ts";
import { startRedis } from "../tests/harness/redis.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const server = env.REDIS_URL ? undefined : await startRedis();
const url = env.REDIS_URL ?? server!.url;
console.log(`redis: ${server ? `private redis-server at ${url}` : "REDIS_URL"}`);

const redis = createClient(url);
try {
  await redis.set("tour:greeting", "hello from resplex");
  console.log("GET tour:greeting →", await redis.get("tour:greeting"));

  // Auto-pipelining: these 1000 INCRs leave in one write and come back in one round trip.
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: 1000 }, () => redis.incr("tour:counter")));
  console.log(`1000 concurrent INCRs → last value ${counts.at(-1)} in ${(performance.now() - started).toFixed(1)} ms`);

  // A transaction, written contiguously.
  const tx = await redis.multi().hset("tour:user", { name: "ada", visits: 1 }).hincrby("tour:user", "visits", 1).hgetall("tour:user").exec();
  console.log("MULTI/EXEC →", tx);

  // A blocking pop runs on a dedicated connection; the shared one keeps serving.
  const popped = redis.blpop("tour:jobs", 2);
  await redis.rpush("tour:jobs", "job-42");
  console.log("BLPOP →", await popped);

  // Pub/sub on its own connection.
  const received = new Promise<string>((resolve) => {
    void redis.subscribe("tour:news", (message) => resolve(String(message))).then(() => redis.publish("tour:news", "it works"));
  });
  console.log("message →", await received);
  console.log("stats →", redis.stats());
} finally {
  await redis.close();
  await server?.stop();
}
