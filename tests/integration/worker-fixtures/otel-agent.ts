/**
 * A worker whose client is instrumented with OpenTelemetry in the worker itself: `traced` runs
 * commands under a span of the worker's and reports the spans the worker's tracer recorded.
 */
import { wrapClient, type Endpoint, type WorkerClient } from "../../../worker.ts";
import { instrument } from "../../../otel.ts";
import { memoryTracing, useStackContext, withSpan } from "../../harness/otel.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const endpoint: Endpoint = g.Deno || g.Bun
  ? (globalThis as unknown as Endpoint)
  : ((await import("node:worker_threads")).parentPort as unknown as Endpoint);

useStackContext();
const tracing = memoryTracing();
let redis: WorkerClient | undefined;
/** Wrapped on first use: the owner listens only once this worker has loaded. */
function client(): WorkerClient {
  if (!redis) {
    redis = wrapClient(endpoint);
    instrument(redis, { tracerProvider: tracing.provider });
  }
  return redis;
}

const ops: Record<string, (...args: never[]) => unknown> = {
  ready: () => "ready",
  /** GET `key` and a failing LPUSH under a parent span; the spans as plain data. */
  async traced(key: string) {
    const parent = tracing.provider.getTracer("worker-app").startSpan("job");
    const redis = client();
    await withSpan(parent, () => redis.get(key));
    await withSpan(parent, () => redis.lpush(key, "x")).catch(() => {});
    await redis.multi().get(key).get(key).exec();
    parent.end();
    return tracing.spans().map((s) => ({
      name: s.name,
      parent: s.parentSpanContext?.spanId === parent.spanContext().spanId,
      attributes: s.attributes,
      status: s.status.code,
    }));
  },
  close: async () => {
    await redis?.close();
    return "closed";
  },
};

function onRequest(data: unknown) {
  const request = data as { call?: number; op: string; args: never[] };
  if (typeof request?.call !== "number") return; // resplex's own traffic
  const reply = (message: unknown) => (endpoint as { postMessage(m: unknown): void }).postMessage(message);
  Promise.resolve()
    .then(() => ops[request.op]!(...request.args))
    .then((value) => reply({ call: request.call, value }), (err) => reply({ call: request.call, error: { name: err?.name, message: err?.message, is: {} } }));
}

const ep = endpoint as { on?: (e: string, f: (d: unknown) => void) => void; addEventListener?: (e: string, f: (ev: MessageEvent) => void) => void };
if (ep.on) ep.on("message", onRequest);
else ep.addEventListener!("message", (event) => onRequest(event.data));
