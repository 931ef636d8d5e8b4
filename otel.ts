/**
 * resplex/otel — OpenTelemetry traces and metrics for resplex clients, pools and worker clients,
 * by the database semantic conventions. Depends on `@opentelemetry/api` (a peer dependency: install
 * it, with the SDK of your choice, to use this entry; nothing else in resplex needs it).
 *
 * @example
 * ```ts
 * import { createClient } from "resplex";
 * import { instrument } from "resplex/otel";
 *
 * const redis = createClient("redis://localhost:6379");
 * instrument(redis);              // spans and db.client.operation.duration, to the global providers
 * await redis.set("k", "v");
 * await redis.close();
 * ```
 * @module
 */
export { instrument, SCOPE_NAME } from "./src/otel/instrument.ts";
export type { Instrumentable, InstrumentOptions } from "./src/otel/instrument.ts";
