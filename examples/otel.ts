/**
 * resplex/otel: a pool instrumented with OpenTelemetry, its spans and metrics printed to the
 * console. When REDIS_URL is unset it starts a private redis-server on a free loopback port.
 *
 *   node --import tsx examples/otel.ts      # or: deno run -A examples/otel.ts, bun examples/otel.ts
 *
 * A real application exports to a collector instead (OTLP exporters), usually through the
 * NodeSDK, which also registers the async context manager registered here by hand.
 */
import { context, type Attributes, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, type ReadableSpan, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createPool } from "../mod.ts";
import { instrument } from "../otel.ts";
import { startRedis } from "../tests/harness/redis.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const server = env.REDIS_URL ? undefined : await startRedis();
const url = env.REDIS_URL ?? server!.url;

// The checkout's spans print as they end, one line each (name, parent, duration, attributes);
// the load's are only counted.
let printedTrace = "";
const counted = new Map<string, number>();
const printSpans: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    for (const span of spans) {
      if (span.spanContext().traceId !== printedTrace) {
        counted.set(span.name, (counted.get(span.name) ?? 0) + 1);
        continue;
      }
      const ms = span.duration[0] * 1e3 + span.duration[1] / 1e6;
      const parent = span.parentSpanContext ? ` (in ${span.parentSpanContext.spanId})` : "";
      const failed = span.status.code === 2 ? ` ERROR ${span.status.message}` : "";
      console.log(`span ${span.name} ${span.spanContext().spanId}${parent} ${ms.toFixed(2)} ms${failed} ${format(span.attributes)}`);
    }
    done({ code: 0 });
  },
  shutdown: async () => {},
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(printSpans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });

const pool = createPool({ url, max: 4, min: 1 });
const uninstrument = instrument(pool, { tracerProvider, meterProvider, poolName: "example", queryText: true });
try {
  // The application's span: resplex's command spans become its children.
  await tracerProvider.getTracer("example-app").startActiveSpan("checkout", async (span) => {
    printedTrace = span.spanContext().traceId;
    await pool.set("otel:cart", "3 items");
    await pool.get("otel:cart");
    await pool.lpush("otel:cart", "oops").catch((err: Error) => console.log(`(LPUSH failed as expected: ${err.message})`));
    await pool.multi().incr("otel:orders").expire("otel:orders", 60).exec();
    span.end();
  });
  // Some load, so the pool's connection metrics have something to say.
  await Promise.all(Array.from({ length: 200 }, (_, i) => pool.withConnection((lease) => lease.incr(`otel:n:${i % 8}`))));
  for (const [name, count] of counted) console.log(`span ${name} × ${count} (the load's, not printed one by one)`);

  await reader.forceFlush();
  for (const metric of metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))) {
    for (const point of metric.dataPoints) {
      const value = point.value as number | { count: number; sum?: number };
      const shown = typeof value === "number" ? String(value) : `count ${value.count}, sum ${(value.sum ?? 0).toFixed(6)}`;
      console.log(`metric ${metric.descriptor.name} [${metric.descriptor.unit}] ${format(point.attributes)}: ${shown}`);
    }
  }
} finally {
  uninstrument();
  await pool.close();
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
  await server?.stop();
}

function format(attributes: Attributes): string {
  return Object.entries(attributes).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ");
}
