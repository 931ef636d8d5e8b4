/**
 * `instrument()`: OpenTelemetry traces and metrics for a client, a pool or a worker client that
 * already exists, by the database semantic conventions, through the hooks every surface takes.
 * @module
 */
import { createNoopMeter, metrics, type MeterProvider, ProxyTracerProvider, trace, type Tracer, type TracerProvider } from "@opentelemetry/api";
import type { Hooks } from "../conn/hooks.ts";
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import { RedisClient } from "../mux/client.ts";
import { Pool } from "../pool/pool.ts";
import type { Arg } from "../resp/types.ts";
import { defaultPoolName, serverAttributes } from "./attributes.ts";
import { commandHook, queryFormatter } from "./commands.ts";
import { poolMetrics } from "./pool-metrics.ts";

/**
 * The name resplex's tracer and meter go by (the instrumentation scope), for views and filters.
 *
 * @example
 * ```ts
 * const spans = exporter.getFinishedSpans().filter((s) => s.instrumentationScope.name === SCOPE_NAME);
 * ```
 */
export const SCOPE_NAME = "resplex";

/**
 * Options of {@link instrument}.
 *
 * @example
 * ```ts
 * instrument(pool, { tracerProvider, meterProvider, poolName: "sessions", queryText: true });
 * ```
 */
export interface InstrumentOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /** Where metrics go. Default: the global provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /**
   * Record `db.query.text`: `true` for the arguments as hooks show them (a password-bearing
   * command shows only its name; binary values as `<N bytes>`; long values cut), or a function of
   * your own. Off by default: arguments may be personal data.
   */
  queryText?: boolean | ((args: readonly Arg[]) => string);
  /** A pool's `db.client.connection.pool.name`. Default `host:port/db`. */
  poolName?: string;
}

/**
 * Anything `instrument()` can observe: a `createClient()` client, a `createPool()` pool, a
 * `wrapClient()` worker client — whatever takes hooks after creation.
 *
 * @example
 * ```ts
 * const target: Instrumentable = createClient(url);
 * ```
 */
export interface Instrumentable {
  addHooks(hooks: Hooks): () => void;
}

/**
 * How the command hook gets its tracer. The global provider is a proxy until an SDK registers one:
 * until then each command asks it for the real tracer (a property read) instead of starting a
 * no-op span; once there, the tracer is kept.
 */
function tracerOf(provider: TracerProvider): () => Tracer | undefined {
  if (provider instanceof ProxyTracerProvider) {
    let tracer: Tracer | undefined;
    return () => (tracer ??= provider.getDelegateTracer(SCOPE_NAME));
  }
  const tracer = provider.getTracer(SCOPE_NAME);
  return () => tracer;
}

/**
 * Trace and measure `target`'s commands, and a pool's connections, with OpenTelemetry.
 *
 * - A span of kind CLIENT per command, named by the operation (`GET`), a child of the caller's
 *   active span, with `db.system.name`, `db.operation.name`, `db.namespace`, `server.address`,
 *   `server.port` (and `db.query.text` when asked for); a failed command's span has status ERROR
 *   and `error.type` (a `RedisError`'s prefix, e.g. `WRONGTYPE`, or a resplex error's code).
 *   A `multi()` transaction is one span named `MULTI` with `db.operation.batch.size`; a
 *   `pipeline()` is a span per command, as the commands it sends are.
 * - `db.client.operation.duration` (histogram, s) for every command.
 * - For a pool: `db.client.connection.count` by `db.client.connection.state` (`idle`/`used`),
 *   `.max`, `.idle.min`, `.pending_requests`, `.wait_time`, `.create_time`, `.use_time` and
 *   `.timeouts`, with `db.client.connection.pool.name`.
 *
 * A worker client's spans are made in its worker, under the worker caller's context; instrument
 * the owner's pool there for its connection metrics. Returns a function that removes the
 * instrumentation (spans already started still end).
 *
 * @example
 * ```ts
 * import { createPool } from "resplex";
 * import { instrument } from "resplex/otel";
 *
 * const pool = createPool({ url: "redis://localhost:6379", max: 8 });
 * const uninstrument = instrument(pool); // the global tracer and meter providers
 * await pool.get("k");                   // a span "GET", a duration
 * uninstrument();
 * ```
 */
export function instrument(target: Instrumentable, options: InstrumentOptions = {}): () => void {
  if (typeof target?.addHooks !== "function") {
    throw new TypeError("instrument() takes a client, a pool or a worker client (something with addHooks())");
  }
  const connection: ResolvedConnectionOptions | undefined =
    target instanceof RedisClient ? target.options.connection : target instanceof Pool ? target.options.connection : undefined;
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE_NAME);
  // The API's no-op meter stays no-op (meters have no proxy): timing commands for it would be waste.
  const duration = meter === createNoopMeter() ? undefined : meter.createHistogram("db.client.operation.duration", {
    unit: "s",
    description: "Duration of database client operations.",
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10] },
  });
  const command = commandHook({ tracer: tracerOf(options.tracerProvider ?? trace.getTracerProvider()), duration, server: serverAttributes(connection), query: queryFormatter(options.queryText) });
  const removers = [target.addHooks({ command })];
  if (target instanceof Pool) {
    const pool = poolMetrics(target, meter, options.poolName ?? defaultPoolName(target.options.connection));
    removers.push(target.addHooks(pool.hooks), pool.stop);
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    for (const remove of removers) remove();
  };
}
