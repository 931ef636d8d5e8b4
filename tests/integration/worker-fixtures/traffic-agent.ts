/**
 * A worker that wraps the owner's client and runs INCR traffic (tests/harness/traffic.ts) on it
 * until told to stop, answering with plain messages on the endpoint resplex uses.
 */
import { wrapClient, type Endpoint } from "../../../worker.ts";
import { startTraffic, type Traffic } from "../../harness/traffic.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const endpoint: Endpoint = g.Deno || g.Bun
  ? (globalThis as unknown as Endpoint)
  : ((await import("node:worker_threads")).parentPort as unknown as Endpoint);

const redis = wrapClient(endpoint);
let traffic: Traffic | undefined;

const ops: Record<string, (...args: never[]) => unknown> = {
  ready: () => "ready",
  start(key: string, callers: number) {
    traffic = startTraffic(() => redis.incr(key), callers);
    return "started";
  },
  acked: () => traffic?.tally.acked ?? 0,
  stop: () => traffic?.stop(),
  async close() {
    await redis.close();
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
      (err: Error) => (endpoint as { postMessage(m: unknown): void }).postMessage({ call: request.call, error: { name: err.name, message: err.message } }),
    );
}

const ep = endpoint as { on?: (e: string, f: (d: unknown) => void) => void; addEventListener?: (e: string, f: (ev: MessageEvent) => void) => void };
if (ep.on) ep.on("message", onRequest);
else ep.addEventListener!("message", (event) => onRequest(event.data));
