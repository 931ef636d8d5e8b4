/**
 * A pool's connection metrics, named and measured as the database client conventions define them
 * (https://opentelemetry.io/docs/specs/semconv/database/database-metrics/): counts read off
 * `pool.stats()` and `pool.options` at each collection, times recorded as they happen.
 * @module
 */
import type { Attributes, Histogram, Meter, Observable } from "@opentelemetry/api";
import type { Hooks } from "../conn/hooks.ts";
import { PoolTimeoutError } from "../errors.ts";
import type { Pool } from "../pool/pool.ts";
import { CONNECTION_STATE, POOL_NAME } from "./attributes.ts";

/** Bucket bounds for connection waits and connects, s: from a microtask hop to an acquireTimeout. */
const POOL_TIME_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/**
 * Observe `pool`: returns the hooks that record waits, connects and timeouts, and a function
 * that stops the counts and the lease listeners.
 *
 * @example
 * ```ts
 * const { hooks, stop } = poolMetrics(pool, meter, "127.0.0.1:6379/0");
 * const remove = pool.addHooks(hooks);
 * // later: remove(); stop();
 * ```
 */
export function poolMetrics(pool: Pool, meter: Meter, poolName: string): { hooks: Hooks; stop: () => void } {
  const named: Attributes = { [POOL_NAME]: poolName };
  const idle: Attributes = { ...named, [CONNECTION_STATE]: "idle" };
  const used: Attributes = { ...named, [CONNECTION_STATE]: "used" };
  const count = meter.createObservableUpDownCounter("db.client.connection.count", {
    unit: "{connection}",
    description: "The number of connections that are currently in state described by the state attribute.",
  });
  const max = meter.createObservableUpDownCounter("db.client.connection.max", { unit: "{connection}", description: "The maximum number of open connections allowed." });
  const idleMin = meter.createObservableUpDownCounter("db.client.connection.idle.min", { unit: "{connection}", description: "The minimum number of idle open connections allowed." });
  const pending = meter.createObservableUpDownCounter("db.client.connection.pending_requests", {
    unit: "{request}",
    description: "The number of current pending requests for an open connection.",
  });
  const time = (name: string, description: string): Histogram =>
    meter.createHistogram(name, { unit: "s", description, advice: { explicitBucketBoundaries: POOL_TIME_BUCKETS } });
  const waitTime = time("db.client.connection.wait_time", "The time it took to obtain an open connection from the pool.");
  const createTime = time("db.client.connection.create_time", "The time it took to create a new connection.");
  const useTime = time("db.client.connection.use_time", "The time between borrowing a connection and returning it to the pool.");
  const timeouts = meter.createCounter("db.client.connection.timeouts", {
    unit: "{timeout}",
    description: "The number of connection timeouts that have occurred trying to obtain a connection from the pool.",
  });

  const observables: Observable[] = [count, max, idleMin, pending];
  const collect = (result: { observe(o: Observable, value: number, attributes?: Attributes): void }) => {
    const stats = pool.stats();
    // A connection being health-checked or reset is the pool's own use of it: not idle.
    result.observe(count, stats.idle, idle);
    result.observe(count, stats.inUse + stats.checking, used);
    result.observe(max, pool.options.max, named);
    result.observe(idleMin, pool.options.min, named);
    result.observe(pending, stats.waiting, named);
  };
  meter.addBatchObservableCallback(collect, observables);
  // Every lease, served at once (0) or after waiting; pool commands only when they had to wait
  // (one that pipelines onto a busy connection obtains none).
  const offAcquire = pool.on("acquire", ({ waited }) => waitTime.record(waited / 1000, named));
  const offRelease = pool.on("release", ({ heldFor }) => useTime.record(heldFor / 1000, named));
  const hooks: Hooks = {
    connection: (event) => {
      if (event.type === "open") createTime.record(event.durationMs / 1000, named);
    },
    poolWait: (event) => {
      if (event.outcome === "acquired") {
        if (event.kind === "command") waitTime.record(event.waitedMs / 1000, named);
      } else if (event.error instanceof PoolTimeoutError) timeouts.add(1, named);
    },
  };
  return {
    hooks,
    stop: () => {
      meter.removeBatchObservableCallback(collect, observables);
      offAcquire();
      offRelease();
    },
  };
}
