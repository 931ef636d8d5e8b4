/**
 * A worker that wraps the owner's client and runs operations the tests ask for, answering with
 * plain messages on the same endpoint resplex uses (which also shows the two do not mix up).
 */
import { AbortError, ClosedError, ConnectionError, RedisError, ResplexError, TimeoutError } from "../../../mod.ts";
import { wrapClient, type Endpoint, type WorkerClient, type WrapOptions } from "../../../worker.ts";
import { sleep } from "../../harness/wait.ts";

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const endpoint: Endpoint = g.Deno || g.Bun
  ? (globalThis as unknown as Endpoint) // a web worker's self
  : ((await import("node:worker_threads")).parentPort as unknown as Endpoint);

let redis: WorkerClient | undefined;
/** What the command hook saw, newest last: `NAME` or `NAME:ERRORCODE`. */
const hooked: string[] = [];
const wrap = (options: WrapOptions = {}): WorkerClient =>
  wrapClient(endpoint, {
    ...options,
    hooks: { command: ({ name }) => ({ error }) => void hooked.push(error ? `${name}:${(error as ResplexError).code ?? error.name}` : name) },
  });
const client = (): WorkerClient => (redis ??= wrap());
/** Block this thread's event loop for `ms`, as CPU-bound work would. */
function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}
const held: Record<string, Promise<unknown>> = {};
const received: unknown[] = [];
const unsubscribers: Array<() => Promise<void>> = [];

function report(err: unknown) {
  const e = err as Error & { code?: string };
  const classes = { RedisError, ClosedError, ConnectionError, TimeoutError, AbortError, ResplexError, TypeError, Error };
  const is = Object.fromEntries(Object.entries(classes).map(([name, cls]) => [name, err instanceof cls]));
  const causes: Array<{ name: string; code?: string }> = [];
  for (let c = e?.cause as (Error & { code?: string }) | undefined; c && causes.length < 8; c = c.cause as typeof c) causes.push({ name: c.name, code: c.code });
  return { name: e?.name, message: e?.message, code: e?.code, is, causes };
}

const ops: Record<string, (...args: never[]) => unknown> = {
  ready: () => "ready",
  /** Wrap the client now, with these options (otherwise the first operation that needs it does). */
  wrap(options: WrapOptions) {
    redis = wrap(options);
    return "wrapped";
  },
  /** The last `n` commands the worker's command hook reported. */
  hooked: (n: number) => hooked.slice(-n),
  /** `n` INCRs of `key` from `loops` concurrent loops. */
  async incr(key: string, n: number, loops: number) {
    let left = n;
    await Promise.all(Array.from({ length: loops }, async () => {
      while (left > 0) {
        left--;
        await client().incr(key);
      }
    }));
    return n;
  },
  async typed(prefix: string) {
    const r = client();
    return {
      set: await r.set(`${prefix}:s`, "v", { ex: 60 }),
      get: await r.get(`${prefix}:s`),
      missing: await r.get(`${prefix}:none`),
      hset: await r.hset(`${prefix}:h`, { a: "1", b: "2" }),
      hgetall: { ...(await r.hgetall(`${prefix}:h`)) },
      exists: await r.exists(`${prefix}:s`, `${prefix}:none`),
      bytes: await r.getBuffer(`${prefix}:s`),
      send: await r.send(["ECHO", "hi"]),
    };
  },
  multi: (key: string) => client().multi().set(key, "1").incr(key).get(key).exec(),
  async pipeline(key: string) {
    const out = await client().pipeline().set(key, "x").get(key).lpush(key, "y").exec();
    return out.map((v) => (v instanceof Error ? report(v) : v));
  },
  async multiWithError(key: string) {
    const out = await client().multi().set(key, "x").lpush(key, "y").get(key).exec();
    return out?.map((v) => (v instanceof Error ? report(v) : v));
  },
  /** A WATCHed transaction on an isolated connection: returns EXEC's result (null if the key changed). */
  watch: (key: string) =>
    client().isolated(async (c) => {
      await c.send(["WATCH", key]);
      const value = Number(await c.get(key));
      return c.multi().set(key, String(value + 1)).exec();
    }),
  blpop: (key: string, seconds: number) => client().blpop(key, seconds),
  /** Enter isolated() and never leave it. Resolves once inside. */
  holdIsolated: () =>
    new Promise((inside) => {
      held.isolated = client().isolated(async (c) => {
        await c.ping();
        inside("inside");
        await new Promise(() => {});
      });
    }),
  /** Start a call and keep its promise; `outcome` reports how it settled. */
  start(name: string, args: string[]) {
    held[name] = client().send(args);
    held[name].catch(() => {});
    return "started";
  },
  async outcome(name: string) {
    try {
      return { value: await held[name] };
    } catch (err) {
      return { error: report(err) };
    }
  },
  async abortAfter(key: string, ms: number) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), ms);
    return client().with({ signal: controller.signal }).blpop(key, 0);
  },
  timeout: (key: string, ms: number) => client().send(["BLPOP", key, 0], { timeout: ms }),
  badArgument: () => client().send(["SET", "k", undefined as never]),
  async subscribe(kind: "subscribe" | "psubscribe", name: string) {
    unsubscribers.push(await client()[kind](name, (message, channel, pattern) => received.push({ message, channel, pattern })));
    return "subscribed";
  },
  async received(count: number) {
    for (let i = 0; i < 200 && received.length < count; i++) await sleep(10);
    return received.splice(0);
  },
  async unsubscribeAll() {
    for (const stop of unsubscribers.splice(0)) await stop();
    return "done";
  },
  /** Wrap a second client on a port handed over, and run a command on it. */
  async viaPort(port: MessagePort, key: string) {
    const other = wrapClient(port as unknown as Endpoint);
    const n = await other.incr(key);
    await other.close();
    return n;
  },
  /** From now on, use a client on this port (from the owner's createPort()). */
  usePort(port: MessagePort) {
    redis = wrapClient(port as unknown as Endpoint);
    return "using";
  },
  /** Block this thread's event loop for `ms`, as CPU-bound work would. */
  spin(ms: number) {
    spin(ms);
    return "spun";
  },
  /**
   * In a task of its own, as CPU work scheduled by the application would be: start a call and,
   * once it is sent, block the event loop for `ms`, so its reply waits in the port while the
   * client's own timers come due. Resolves once the thread is free again; `outcome` reports how
   * the call settled. (Node runs timers before reading ports after a `setImmediate` task; Deno
   * has no `setImmediate`, and runs timers first after a timer's.)
   */
  busyWhileReplying: (name: string, args: string[], ms: number) =>
    new Promise((spun) =>
      (globalThis.setImmediate ?? setTimeout)(() => {
        held[name] = client().send(args);
        held[name].catch(() => {});
        queueMicrotask(() => { // after the client's own microtask sent the call
          spin(ms);
          spun("spun");
        });
      })
    ),
  state: () => client().state,
  async close() {
    await redis?.close();
    redis = undefined;
    return "closed";
  },
};

function answer(message: unknown, transfer: Transferable[] = []) {
  (endpoint as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(message, transfer);
}

function onRequest(data: unknown) {
  const request = data as { call?: number; op: string; args: never[] };
  if (typeof request?.call !== "number") return; // resplex's own traffic
  Promise.resolve()
    .then(() => ops[request.op]!(...request.args))
    .then((value) => answer({ call: request.call, value }), (err) => answer({ call: request.call, error: report(err) }));
}

const ep = endpoint as { on?: (e: string, f: (d: unknown) => void) => void; addEventListener?: (e: string, f: (ev: MessageEvent) => void) => void };
if (ep.on) ep.on("message", onRequest);
else ep.addEventListener!("message", (event) => onRequest(event.data));
