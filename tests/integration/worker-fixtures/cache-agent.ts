/**
 * A worker for the client-side cache tests: wraps the owner's client (which has a cache, so this
 * worker gets one of its own) and runs the reads and writes the tests ask for.
 */
import { wrapClient, type Endpoint, type WorkerClient } from "../../../worker.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const endpoint: Endpoint = g.Deno || g.Bun
  ? (globalThis as unknown as Endpoint) // a web worker's self
  : ((await import("node:worker_threads")).parentPort as unknown as Endpoint);

let redis: WorkerClient | undefined;
const client = (): WorkerClient => (redis ??= wrapClient(endpoint));

const ops: Record<string, (...args: never[]) => unknown> = {
  ready: () => "ready",
  get: (key: string) => client().get(key),
  set: (key: string, value: string) => client().set(key, value),
  ping: () => client().ping(),
  /** The worker's cache counters (null without a cache). */
  async stats() {
    await client().ready;
    return client().cache?.stats() ?? null;
  },
  /** Write `key` and read it in the same tick: read-your-writes on the worker that wrote. */
  async writeThenRead(key: string, value: string) {
    const written = client().set(key, value);
    const read = client().get(key);
    await written;
    return read;
  },
  /** Same, through multi() and pipeline(). */
  async multiThenRead(key: string, value: string) {
    const written = client().multi().set(key, value).exec();
    const read = client().get(key);
    await written;
    return read;
  },
  async pipelineThenRead(key: string, value: string) {
    const written = client().pipeline().set(key, value).exec();
    const read = client().get(key);
    await written;
    return read;
  },
  async close() {
    await redis?.close();
    redis = undefined;
    return "closed";
  },
};

function onRequest(data: unknown) {
  const request = data as { call?: number; op: string; args: never[] };
  if (typeof request?.call !== "number") return; // resplex's own traffic
  Promise.resolve()
    .then(() => ops[request.op]!(...request.args))
    .then(
      (value) => (endpoint as { postMessage(m: unknown): void }).postMessage({ call: request.call, value }),
      (err) => (endpoint as { postMessage(m: unknown): void }).postMessage({ call: request.call, error: { name: (err as Error).name, message: (err as Error).message } }),
    );
}

const ep = endpoint as { on?: (e: string, f: (d: unknown) => void) => void; addEventListener?: (e: string, f: (ev: MessageEvent) => void) => void };
if (ep.on) ep.on("message", onRequest);
else ep.addEventListener!("message", (event) => onRequest(event.data));
