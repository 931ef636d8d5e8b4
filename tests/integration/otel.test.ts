import assert from "node:assert/strict";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { HistogramMetricData, MetricData } from "@opentelemetry/sdk-metrics";
import { createClient, createPool, PoolTimeoutError, RedisError } from "../../mod.ts";
import { instrument } from "../../otel.ts";
import { exposeClient } from "../../worker.ts";
import { memoryMetrics, memoryTracing, metric, useStackContext, withSpan } from "../harness/otel.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { spawnWorker } from "./worker-fixtures/spawn.ts";

/** The data points' values of a sum or gauge metric, keyed by one attribute's value. */
function pointsBy(data: MetricData, attribute: string): Record<string, number> {
  return Object.fromEntries(data.dataPoints.map((p) => [String(p.attributes[attribute]), p.value as number]));
}

/** How many values a histogram holds over all its points. */
function histogramCount(data: MetricData): number {
  return (data as HistogramMetricData).dataPoints.reduce((n, p) => n + p.value.count, 0);
}

describe("resplex/otel: instrument()", () => {
  let server: RedisServer;
  let stopContext: () => void;
  beforeAll(async () => {
    server = await startRedis();
    stopContext = useStackContext();
  });
  afterAll(async () => {
    stopContext?.();
    await server?.stop();
  });

  test("a client's commands become CLIENT spans named by the operation, with the database conventions' attributes", async () => {
    const tracing = memoryTracing();
    const redis = createClient({ url: `${server.url}/3` });
    instrument(redis, { tracerProvider: tracing.provider });
    try {
      await redis.set("otel:a", "1");
      await redis.get("otel:a");
      const [set, get] = tracing.spans();
      assert.deepEqual(tracing.spans().map((s) => s.name), ["SET", "GET"]);
      assert.equal(get!.kind, SpanKind.CLIENT);
      assert.deepEqual(get!.attributes, {
        "db.system.name": "redis",
        "db.operation.name": "GET",
        "db.namespace": "3",
        "server.address": "127.0.0.1",
        "server.port": server.port,
      });
      assert.equal(set!.status.code, SpanStatusCode.UNSET);
      assert.equal(get!.instrumentationScope.name, "resplex");
    } finally {
      await redis.close();
    }
  });

  test("a failed command's span has status ERROR and error.type: the reply's prefix, or the resplex error's code", async () => {
    const tracing = memoryTracing();
    const redis = createClient(server.url);
    instrument(redis, { tracerProvider: tracing.provider });
    try {
      await redis.set("otel:s", "v");
      await assert.rejects(redis.lpush("otel:s", "x"), RedisError);
      await assert.rejects(redis.send(["BLPOP", "otel:empty", 0], { timeout: 30 }));
      const lpush = tracing.spans().find((s) => s.name === "LPUSH")!;
      assert.equal(lpush.status.code, SpanStatusCode.ERROR);
      assert.match(lpush.status.message ?? "", /WRONGTYPE/);
      assert.equal(lpush.attributes["error.type"], "WRONGTYPE");
      assert.equal(lpush.attributes["db.response.status_code"], "WRONGTYPE");
      const blpop = tracing.spans().find((s) => s.name === "BLPOP")!;
      assert.equal(blpop.attributes["error.type"], "RESPLEX_TIMEOUT");
      assert.equal(blpop.attributes["db.response.status_code"], undefined);
    } finally {
      await redis.close();
    }
  });

  test("a command's span is a child of the caller's active span", async () => {
    const tracing = memoryTracing();
    const redis = createClient(server.url);
    instrument(redis, { tracerProvider: tracing.provider });
    try {
      const parent = tracing.provider.getTracer("app").startSpan("handle request");
      await withSpan(parent, () => redis.get("otel:a"));
      parent.end();
      const get = tracing.spans().find((s) => s.name === "GET")!;
      assert.equal(get.parentSpanContext?.spanId, parent.spanContext().spanId);
      assert.equal(get.spanContext().traceId, parent.spanContext().traceId);
    } finally {
      await redis.close();
    }
  });

  test("db.query.text only when asked for, without passwords; a function of your own redacts as you like", async () => {
    const tracing = memoryTracing();
    const pool = createPool({ url: server.url, max: 1 });
    const uninstrument = instrument(pool, { tracerProvider: tracing.provider, queryText: true });
    try {
      await pool.set("otel:q", "secret-value");
      await pool.withConnection((lease) => assert.rejects(lease.send(["AUTH", "nobody", "s3cret-pw"]), RedisError));
      const texts = tracing.spans().map((s) => s.attributes["db.query.text"]);
      assert.deepEqual(texts, ["SET otel:q secret-value", "AUTH (redacted) (redacted)"]);
      uninstrument();
      tracing.reset();
      instrument(pool, { tracerProvider: tracing.provider, queryText: (args) => `${String(args[0])} ?` });
      await pool.get("otel:q");
      assert.deepEqual(tracing.spans().map((s) => s.attributes["db.query.text"]), ["GET ?"]);
    } finally {
      await pool.close();
    }
    const plain = memoryTracing();
    const redis = createClient(server.url);
    instrument(redis, { tracerProvider: plain.provider });
    await redis.get("otel:q");
    await redis.close();
    assert.equal(plain.spans()[0]!.attributes["db.query.text"], undefined);
  });

  test("multi() is one MULTI span with db.operation.batch.size; pipeline() a span per command", async () => {
    const tracing = memoryTracing();
    const redis = createClient(server.url);
    instrument(redis, { tracerProvider: tracing.provider });
    try {
      await redis.multi().set("otel:m", "1").incr("otel:m").get("otel:m").exec();
      await redis.pipeline().get("otel:m").get("otel:a").exec();
      assert.deepEqual(tracing.spans().map((s) => s.name), ["MULTI", "GET", "GET"]);
      assert.equal(tracing.spans()[0]!.attributes["db.operation.batch.size"], 3);
    } finally {
      await redis.close();
    }
  });

  test("the function instrument() returns removes it; without providers it uses the global ones", async () => {
    const tracing = memoryTracing();
    trace.setGlobalTracerProvider(tracing.provider);
    const redis = createClient(server.url);
    try {
      const uninstrument = instrument(redis);
      await redis.get("otel:a");
      uninstrument();
      uninstrument();
      await redis.get("otel:a");
      assert.deepEqual(tracing.spans().map((s) => s.name), ["GET"]);
    } finally {
      trace.disable();
      await redis.close();
    }
  });

  test("a worker client's spans are made in the worker, under the worker caller's span", async () => {
    const redis = createClient(server.url);
    await redis.set("otel:worker", "v");
    const agent = await spawnWorker("otel-agent.ts");
    const owner = exposeClient(redis, agent.endpoint);
    try {
      const spans = (await agent.call("traced", ["otel:worker"])) as { name: string; parent: boolean; attributes: Record<string, unknown>; status: number }[];
      assert.deepEqual(spans.map((s) => [s.name, s.parent]), [["GET", true], ["LPUSH", true], ["MULTI", false], ["job", false]]);
      assert.equal(spans[0]!.attributes["db.system.name"], "redis");
      assert.equal(spans[0]!.attributes["db.operation.name"], "GET");
      assert.equal(spans[1]!.status, SpanStatusCode.ERROR);
      assert.equal(spans[1]!.attributes["error.type"], "WRONGTYPE");
      assert.equal(spans[2]!.attributes["db.operation.batch.size"], 2);
    } finally {
      await agent.call("close").catch(() => {});
      await agent.terminate();
      await owner.close();
      await redis.close();
    }
  }, 60_000);

  test("instrumented before an SDK is registered, commands get spans once it is", async () => {
    const redis = createClient(server.url);
    const uninstrument = instrument(redis); // the global provider: a proxy with nothing behind it yet
    const tracing = memoryTracing();
    try {
      await redis.get("otel:a");
      trace.setGlobalTracerProvider(tracing.provider);
      await redis.get("otel:a");
      assert.deepEqual(tracing.spans().map((s) => s.name), ["GET"]);
    } finally {
      uninstrument();
      trace.disable();
      await redis.close();
    }
  });

  test("a span the sampler drops is not kept, and its duration is still measured", async () => {
    const { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import("@opentelemetry/sdk-trace-base");
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const meters = memoryMetrics();
    const redis = createClient(server.url);
    instrument(redis, { tracerProvider: provider, meterProvider: meters.provider });
    try {
      await redis.get("otel:a");
      assert.equal(exporter.getFinishedSpans().length, 0);
      assert.equal(histogramCount(metric(await meters.collect(), "db.client.operation.duration")), 1);
    } finally {
      await redis.close();
      await meters.shutdown();
    }
  });

  test("instrument() refuses what it cannot observe", () => {
    assert.throws(() => instrument({} as never), TypeError);
  });

  test("db.client.operation.duration: a histogram in seconds per operation, failures marked by error.type", async () => {
    const meters = memoryMetrics();
    const redis = createClient(server.url);
    instrument(redis, { meterProvider: meters.provider });
    try {
      await redis.set("otel:d", "v");
      await Promise.all([redis.get("otel:d"), redis.get("otel:d")]);
      await assert.rejects(redis.incr("otel:d"), RedisError);
      const duration = metric(await meters.collect(), "db.client.operation.duration");
      assert.equal(duration.descriptor.unit, "s");
      const points = (duration as HistogramMetricData).dataPoints;
      const get = points.find((p) => p.attributes["db.operation.name"] === "GET")!;
      assert.equal(get.value.count, 2);
      assert.ok(get.value.sum! > 0 && get.value.sum! < 10, `GETs took ${get.value.sum} s`);
      assert.equal(get.attributes["server.port"], server.port);
      const incr = points.find((p) => p.attributes["db.operation.name"] === "INCR")!;
      assert.equal(incr.attributes["error.type"], "ERR");
    } finally {
      await redis.close();
      await meters.shutdown();
    }
  });

  test("a pool's connection metrics: counts by state, bounds, pending requests, wait, create and use times, timeouts", async () => {
    const meters = memoryMetrics();
    const pool = createPool({ url: server.url, max: 2, min: 1, acquireTimeout: 100 });
    instrument(pool, { meterProvider: meters.provider, poolName: "sessions" });
    try {
      const a = await pool.acquire();
      const b = await pool.acquire();
      const waiting = pool.acquire(); // times out: both are leased
      let all = await meters.collect();
      assert.deepEqual(pointsBy(metric(all, "db.client.connection.count"), "db.client.connection.state"), { idle: 0, used: 2 });
      assert.deepEqual(pointsBy(metric(all, "db.client.connection.max"), "db.client.connection.pool.name"), { sessions: 2 });
      assert.deepEqual(pointsBy(metric(all, "db.client.connection.idle.min"), "db.client.connection.pool.name"), { sessions: 1 });
      assert.deepEqual(pointsBy(metric(all, "db.client.connection.pending_requests"), "db.client.connection.pool.name"), { sessions: 1 });
      await assert.rejects(waiting, PoolTimeoutError);
      await a.release();
      await b.release();
      all = await meters.collect();
      assert.deepEqual(pointsBy(metric(all, "db.client.connection.count"), "db.client.connection.state"), { idle: 2, used: 0 });
      assert.deepEqual(pointsBy(metric(all, "db.client.connection.timeouts"), "db.client.connection.pool.name"), { sessions: 1 });
      assert.equal(histogramCount(metric(all, "db.client.connection.wait_time")), 2, "both leases, the one served at once too");
      assert.equal(histogramCount(metric(all, "db.client.connection.create_time")), 2);
      assert.equal(histogramCount(metric(all, "db.client.connection.use_time")), 2);
      for (const name of ["db.client.connection.wait_time", "db.client.connection.create_time", "db.client.connection.use_time"]) {
        assert.equal(metric(all, name).descriptor.unit, "s", name);
      }
      assert.equal(metric(all, "db.client.connection.count").descriptor.unit, "{connection}");
    } finally {
      await pool.close();
      await meters.shutdown();
    }
  });

  test("a pool command that had to wait for a connection records its wait; one that pipelined records none", async () => {
    const meters = memoryMetrics();
    const pool = createPool({ url: server.url, max: 1 });
    instrument(pool, { meterProvider: meters.provider });
    try {
      await pool.set("otel:w", "1"); // waits for the first connection to open
      await Promise.all([pool.get("otel:w"), pool.get("otel:w")]); // pipelined on the open one
      const all = await meters.collect();
      assert.equal(histogramCount(metric(all, "db.client.connection.wait_time")), 1);
      const name = metric(all, "db.client.connection.wait_time").dataPoints[0]!.attributes["db.client.connection.pool.name"];
      assert.equal(name, `127.0.0.1:${server.port}/0`);
    } finally {
      await pool.close();
      await meters.shutdown();
    }
  });

  test("after uninstrument() a pool reports no more counts", async () => {
    const meters = memoryMetrics();
    const pool = createPool({ url: server.url, max: 1 });
    const uninstrument = instrument(pool, { meterProvider: meters.provider });
    try {
      await pool.get("otel:w");
      uninstrument();
      const all = await meters.collect();
      assert.equal(all.find((m) => m.descriptor.name === "db.client.connection.count")?.dataPoints.length ?? 0, 0);
    } finally {
      await pool.close();
      await meters.shutdown();
    }
  });
});
