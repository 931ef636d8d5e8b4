/**
 * Worker threads for the benchmarks that share one owner (bench/worker.ts, bench/worker-cache.ts):
 * a bench module starts copies of itself as workers, tells them what to do with small control
 * messages, and waits for their reports. Node, Deno and Bun start and name workers differently;
 * this module hides that.
 * @module
 */
import { pathToFileURL } from "node:url";
import type { Endpoint } from "../worker.ts";

/** The running runtime. */
export const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/** A message with a `bench` tag: controls to a worker, reports from it. */
type Tagged = { bench: string };

/** A bench worker as its main thread sees it. */
export interface BenchWorker<C extends Tagged, R extends Tagged> {
  /** The worker as a resplex endpoint, for `exposeClient`. */
  endpoint: Endpoint;
  /** Send a control message; resolves with the worker's next report. */
  ask(control: C): Promise<R>;
  terminate(): Promise<void>;
}

/** Start the module at `moduleUrl` as a worker with `role` (see {@link benchWorkerEndpoint}). */
export async function startBenchWorker<C extends Tagged, R extends Tagged>(moduleUrl: string, role: string): Promise<BenchWorker<C, R>> {
  let answer: ((report: R) => void) | undefined;
  const onMessage = (data: unknown) => {
    if ((data as R)?.bench) answer?.(data as R);
  };
  let endpoint: Endpoint;
  let post: (control: C) => void;
  let terminate: () => Promise<void>;
  if (runtime === "node") {
    const { Worker } = await import("node:worker_threads");
    // Node 20 workers cannot load TypeScript from execArgv: register tsx, then load the module.
    const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl)}); });`;
    const worker = new Worker(boot, { eval: true, workerData: { role } });
    worker.on("message", onMessage);
    endpoint = worker;
    post = (control) => worker.postMessage(control);
    terminate = async () => void (await worker.terminate());
  } else {
    // Deno names the worker; Bun has no `name` in the worker but passes workerData to web workers too.
    const options = runtime === "bun" ? { type: "module", workerData: { role } } : { type: "module", name: role };
    const worker = new Worker(moduleUrl, options as WorkerOptions);
    worker.addEventListener("message", (event) => onMessage(event.data));
    endpoint = worker as unknown as Endpoint;
    post = (control) => worker.postMessage(control);
    terminate = async () => worker.terminate();
  }
  return {
    endpoint,
    ask: (control) =>
      new Promise((resolve) => {
        answer = resolve;
        post(control);
      }),
    terminate,
  };
}

/** In a bench worker started with `role`: the endpoint to the main thread; undefined elsewhere. */
export async function benchWorkerEndpoint(role: string): Promise<Endpoint | undefined> {
  if (runtime === "deno") return (globalThis as { name?: string }).name === role ? (globalThis as unknown as Endpoint) : undefined;
  const threads = await import("node:worker_threads");
  if (threads.workerData?.role !== role) return undefined;
  return runtime === "bun" ? (globalThis as unknown as Endpoint) : (threads.parentPort as unknown as Endpoint);
}

/** In a bench worker: call `handle` with each control message the main thread sends. */
export function onControls<C extends Tagged>(endpoint: Endpoint, handle: (control: C) => Promise<void>): void {
  const listener = (data: unknown) => {
    if ((data as C)?.bench) void handle(data as C);
  };
  const ep = endpoint as { on?: (e: string, f: (d: unknown) => void) => void; addEventListener?: (e: string, f: (ev: MessageEvent) => void) => void };
  if (ep.on) ep.on("message", listener);
  else ep.addEventListener!("message", (event) => listener(event.data));
}

/** Whether the module with `meta` was started as the program (not imported by the suite). */
export function startedDirectly(meta: ImportMeta): boolean {
  const main = (meta as { main?: boolean }).main; // Bun and Deno
  if (typeof main === "boolean") return main;
  const script = (globalThis as { process?: { argv: string[] } }).process?.argv[1];
  return script !== undefined && pathToFileURL(script).href === meta.url;
}
