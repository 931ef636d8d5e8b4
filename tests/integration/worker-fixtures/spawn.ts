/**
 * Starts a fixture script in a worker of the running runtime's own kind — Node `worker_threads`
 * (through boot.mjs, which loads TypeScript), a web `Worker` on Deno and Bun — and calls the
 * operations it offers with plain messages on the same endpoint resplex uses.
 */
import type { Endpoint } from "../../../worker.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
/** Which runtime runs the tests. */
export const runtime: "node" | "deno" | "bun" = g.Deno ? "deno" : g.Bun ? "bun" : "node";

/** What the agent reports about an error it caught. */
export interface ErrorReport {
  name: string;
  message: string;
  code?: string;
  /** `instanceof` checks done in the worker, against the worker's own error classes. */
  is: Record<string, boolean>;
  /** The `cause` chain, outermost first: each one's name and `code`. */
  causes: Array<{ name: string; code?: string }>;
}

/** The agent's answer to one call. */
type Answer = { call: number; value?: unknown; error?: ErrorReport };

/** A worker running a fixture, and the operations it offers. */
export interface TestWorker {
  /** The Worker object, for `exposeClient`. */
  readonly endpoint: Endpoint;
  /** Run an operation of the fixture; resolves to its value, rejects with its error report. */
  call(op: string, args?: unknown[], transfer?: Transferable[]): Promise<unknown>;
  /** Terminate the thread; resolves once it is gone. */
  terminate(): Promise<void>;
}

type WebWorker = {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  terminate(): void;
};

/** Start `fixture` (a file name in this directory) in a worker. */
export async function spawnWorker(fixture: string): Promise<TestWorker> {
  const url = new URL(`./${fixture}`, import.meta.url);
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let calls = 0;
  const onAnswer = (data: unknown) => {
    const answer = data as Answer;
    if (typeof answer !== "object" || answer === null || typeof answer.call !== "number") return; // resplex's own traffic
    const w = waiting.get(answer.call);
    waiting.delete(answer.call);
    if (answer.error) w?.reject(answer.error);
    else w?.resolve(answer.value);
  };
  let post: (message: unknown, transfer: Transferable[]) => void;
  let endpoint: Endpoint;
  let terminate: () => Promise<void>;
  if (runtime === "node") {
    const { Worker } = await import("node:worker_threads");
    const worker = new Worker(new URL("./boot.mjs", import.meta.url), { workerData: { fixture: url.href } });
    worker.on("message", onAnswer);
    worker.on("error", (err) => console.error(`worker ${fixture} failed`, err));
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    post = (message, transfer) => worker.postMessage(message, transfer as never);
    endpoint = worker;
    terminate = async () => {
      await worker.terminate();
      await exited;
    };
  } else {
    const worker = new Worker(url.href, { type: "module" }) as unknown as WebWorker;
    worker.addEventListener("message", (event) => onAnswer(event.data));
    post = (message, transfer) => worker.postMessage(message, transfer);
    endpoint = worker;
    terminate = async () => worker.terminate();
  }
  const call = (op: string, args: unknown[] = [], transfer: Transferable[] = []) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++calls;
      waiting.set(id, { resolve, reject });
      post({ call: id, op, args }, transfer);
    });
  await call("ready"); // the module (and its imports) loaded
  return { endpoint, call, terminate };
}
