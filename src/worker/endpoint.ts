/**
 * Every kind of message endpoint behind one small interface, by duck typing: Node's `Worker`,
 * `parentPort` and `MessagePort` (`on`/`off`, listeners get the data), and the web's `Worker`,
 * worker `self` and `MessagePort` (`addEventListener`, listeners get a `MessageEvent`) as Deno
 * and Bun provide them.
 * @module
 */
import type { Endpoint as ComlinkEndpoint } from "comlink";

/**
 * A Node-style endpoint: `worker_threads` `Worker`, `parentPort` or `MessagePort` (listeners get
 * the data itself).
 *
 * @example
 * ```ts
 * const endpoint: NodeStyleEndpoint = new Worker(new URL("./job.js", import.meta.url)); // node:worker_threads
 * ```
 */
export interface NodeStyleEndpoint {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: "message", listener: (data: unknown) => void): unknown;
  off(event: "message", listener: (data: unknown) => void): unknown;
}

/**
 * A web-style endpoint: `Worker`, a worker's `self`, or a `MessagePort` (listeners get a
 * `MessageEvent`), as Deno and Bun provide them.
 *
 * @example
 * ```ts
 * const endpoint: WebStyleEndpoint = new Worker(new URL("./job.ts", import.meta.url), { type: "module" });
 * ```
 */
export interface WebStyleEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

/**
 * Where a client is served or reached: a Node `worker_threads` `Worker`, `parentPort` or
 * `MessagePort`, or a web `Worker`, a worker's `self` or a `MessagePort` (Deno, Bun).
 *
 * @example
 * ```ts
 * import { parentPort } from "node:worker_threads";
 * const redis = wrapClient(parentPort!); // parentPort is an Endpoint
 * ```
 */
export type Endpoint = NodeStyleEndpoint | WebStyleEndpoint;

/** An endpoint as the worker code uses it. */
export interface Port {
  post(message: unknown, transfer?: Transferable[]): void;
  /** Receive messages (starting the port if it needs that); returns a function that stops it. */
  listen(handler: (data: unknown) => void): () => void;
  /**
   * Call `gone` when the other side is known to be gone: a port closed (Node, Bun), a Node
   * worker exited, a web worker was terminated through this object. Returns a function that
   * stops watching (and restores a wrapped `terminate`).
   */
  watchGone(gone: () => void): () => void;
}

type Listener = (...args: never[]) => unknown;
interface Loose {
  on?: (event: string, listener: Listener) => unknown;
  off?: (event: string, listener: Listener) => unknown;
  addEventListener?: (type: string, listener: Listener) => void;
  removeEventListener?: (type: string, listener: Listener) => void;
  start?: () => void;
  terminate?: (...args: unknown[]) => unknown;
}

/**
 * Adapt `endpoint` to a {@link Port}.
 *
 * @example
 * ```ts
 * const port = toPort(worker);
 * const stop = port.listen((data) => console.log(data));
 * ```
 */
export function toPort(endpoint: Endpoint): Port {
  const ep = endpoint as Endpoint & Loose;
  // Node's own `on` is the fast path there (about 10% more throughput than addEventListener). An
  // `on` set on the object itself is someone's wrapper around a web port — Deno's node-compat one
  // walks every message it delivers looking for ports to patch, a third of the owner's time — so
  // such ports are used through their web interface.
  const nodeStyle = typeof ep.on === "function" && typeof ep.off === "function" && !Object.hasOwn(ep, "on");
  const watch = (event: string, fn: Listener): () => void => {
    if (nodeStyle) {
      ep.on!(event, fn);
      return () => void ep.off!(event, fn);
    }
    ep.addEventListener?.(event, fn);
    return () => ep.removeEventListener?.(event, fn);
  };
  return {
    post: (message, transfer) => ep.postMessage(message, (transfer ?? []) as Transferable[]),
    listen(handler) {
      const stop = nodeStyle ? watch("message", handler) : watch("message", (event: MessageEvent) => handler(event.data));
      ep.start?.(); // a web MessagePort queues messages until started
      return stop;
    },
    watchGone(gone) {
      const stops = [watch("close", gone), watch("exit", gone)];
      const terminate = ep.terminate;
      // A web Worker says nothing when terminated (Deno has no close event): hear it from the call.
      if (!nodeStyle && typeof terminate === "function") {
        ep.terminate = function (this: unknown, ...args: unknown[]) {
          gone();
          return terminate.apply(this, args);
        };
        stops.push(() => void (ep.terminate = terminate));
      }
      return () => stops.forEach((stop) => stop());
    },
  };
}

// Comlink set-up messages share the endpoint with whatever else the application posts on it
// (a worker's parentPort usually carries the app's own messages): an envelope tells them apart.
const ENVELOPE = "resplex:comlink";

/**
 * A Comlink endpoint over `port` whose messages travel in an envelope, so Comlink neither answers
 * nor swallows the application's own messages on the same endpoint. With `keepListening`, Comlink
 * cannot remove its listener (it does when a worker's proxy is garbage-collected, which would stop
 * the owner serving every other worker client on that endpoint); `detach()` removes everything.
 *
 * @example
 * ```ts
 * const ep = comlinkEndpoint(toPort(worker), true);
 * Comlink.expose(api, ep);
 * ep.detach(); // stop serving
 * ```
 */
export function comlinkEndpoint(port: Port, keepListening: boolean): ComlinkEndpoint & { detach(): void } {
  const stops = new Map<unknown, () => void>();
  let detached = false;
  return {
    postMessage(message: unknown, transfer?: Transferable[]) {
      if (!detached) port.post({ [ENVELOPE]: message }, transfer);
    },
    addEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      if (detached) return;
      const call = typeof listener === "function" ? listener : listener.handleEvent.bind(listener);
      stops.set(listener, port.listen((data) => {
        if (typeof data === "object" && data !== null && ENVELOPE in data) call({ data: (data as Record<string, unknown>)[ENVELOPE] } as MessageEvent);
      }));
    },
    removeEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      if (keepListening) return;
      stops.get(listener)?.();
      stops.delete(listener);
    },
    detach() {
      detached = true;
      for (const stop of stops.values()) stop();
      stops.clear();
    },
  };
}

