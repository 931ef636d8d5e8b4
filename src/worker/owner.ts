/**
 * `exposeClient()`: the owner thread serves its client, pool or worker client to other threads.
 * Comlink answers each worker's `connect()` with a port of its own (a {@link Session}); a heartbeat
 * finds workers that vanished without a word, so what they held goes back to the pool.
 * @module
 */
import * as Comlink from "comlink";
import type { BytesReplies, EitherReplies } from "../client/bytes-typing.ts";
import type { RedisCluster } from "../cluster/client.ts";
import { ClientCache } from "../cache/cache.ts";
import { RedisClient, writeRun } from "../mux/client.ts";
import type { RunWriter } from "./raw.ts";
import type { Pool } from "../pool/pool.ts";
import { waitAtMost } from "../wait.ts";
import { WorkerClient } from "./client.ts";
import { comlinkEndpoint, toPort, type Endpoint } from "./endpoint.ts";
import type { OwnerApi, SessionInfo } from "./protocol.ts";
import { Session, type SharedTarget } from "./session.ts";

/**
 * Options of {@link exposeClient}.
 *
 * @example
 * ```ts
 * exposeClient(pool, worker, { heartbeatInterval: 500, heartbeatTimeout: 5_000 });
 * ```
 */
export interface ExposeOptions {
  /**
   * While a worker holds anything (calls in flight, an isolated connection, subscriptions), the
   * owner pings it this often, ms. Default `1000`.
   */
  heartbeatInterval?: number;
  /**
   * A worker that sends nothing for this long while holding something is taken for gone and what
   * it held is released; the worker, if it was only busy, finds its client closed. Time the
   * owner's own thread was too busy to listen does not count. It also bounds how long a worker
   * waits for an owner that went silent. Default `10000` ms.
   */
  heartbeatTimeout?: number;
}

/**
 * What {@link exposeClient} returns.
 *
 * @example
 * ```ts
 * const owner = exposeClient(pool, worker);
 * const port = owner.createPort();          // for another worker:
 * other.postMessage({ redis: port }, [port]); // there: wrapClient(event.data.redis)
 * await owner.close();
 * ```
 */
export interface OwnerHandle {
  /**
   * A new MessagePort served by this owner: transfer it to any worker, which calls
   * `wrapClient(port)`. It serves the clients that connect through it; once the last of them
   * closed (or the port's other end did), it is closed and let go.
   */
  createPort(): MessagePort;
  /** Worker clients connected now. */
  readonly connections: number;
  /**
   * Ports from `createPort()` still served: a port is let go once every client that connected
   * through it ended, or its other end closed.
   */
  readonly ports: number;
  /**
   * Stop serving. Workers' commands under way get up to `timeout` ms (default 5000) to finish,
   * while new ones are refused with `ClosedError` (not run); then the calls still pending reject —
   * with `ConnectionError` those that had left the worker (they may have run), with `ClosedError`
   * those not sent yet — and what the workers held (isolated connections, subscriptions) is
   * released. The shared client itself stays open: it is yours to close. Resolves once
   * everything is back.
   */
  close(options?: { timeout?: number }): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * What can be shared: a multiplexing client, a pool, a cluster client, or a worker client (to pass
 * access on to a worker of a worker), in either mode (`decode: "bytes"` too: worker clients then
 * read bytes, see `WrapOptions.decode`). Subscriptions need a client: a pool has no `subscribe()`.
 *
 * @example
 * ```ts
 * const shared: Shareable = createPool({ url: "redis://localhost:6379", max: 8, decode: "bytes" });
 * ```
 */
export type Shareable = InAnyMode<RedisClient> | InAnyMode<Pool> | InAnyMode<RedisCluster> | InAnyMode<WorkerClient>;

/**
 * A surface as any reply mode types it. The bytes types are the surface's members retyped, not its
 * class (they lack its private fields), so a bytes client is no `RedisClient` to the type checker.
 */
type InAnyMode<S> = S | BytesReplies<S> | EitherReplies<S>;

/**
 * Serve `target` to the worker(s) behind `endpoint`: a Node `Worker`, `parentPort` or
 * `MessagePort`, or a web `Worker`, `self` or `MessagePort`. On the other side, `wrapClient()`
 * returns a client with the same command API whose commands run here. Call it once per endpoint;
 * `createPort()` on the handle serves more.
 *
 * @example
 * ```ts
 * import { Worker } from "node:worker_threads";
 * import { createPool } from "resplex";
 * import { exposeClient } from "resplex/worker";
 *
 * const pool = createPool({ url: "redis://localhost:6379", max: 8 });
 * const worker = new Worker(new URL("./job.js", import.meta.url));
 * const owner = exposeClient(pool, worker); // job.js: const redis = wrapClient(parentPort)
 * ```
 */
export function exposeClient(target: Shareable, endpoint: Endpoint, options: ExposeOptions = {}): OwnerHandle {
  const owner = new Owner(target, resolveHeartbeat(options));
  owner.serve(endpoint);
  return owner;
}

/** An endpoint this owner serves, and the sessions that came through it. */
interface Served {
  sessions: number;
  /** Stop serving it. */
  stop(): void;
  /** The port `createPort()` made for it, closed and let go with it. */
  owned: MessagePort | undefined;
}

class Owner implements OwnerHandle {
  readonly #shared: RedisClient | Pool | RedisCluster | WorkerClient;
  readonly #target: SharedTarget;
  readonly #heartbeat: Heartbeat;
  /** How workers' encoded commands reach the shared client; undefined when they must not (see `raw.ts`). */
  readonly #writeRun: RunWriter | undefined;
  /** The shared client's or pool's client-side cache: its invalidations go to every worker's cache. */
  readonly #cache: ClientCache | undefined;
  readonly #sessions = new Map<Session, Served>(); // session → the endpoint it came through
  readonly #served = new Set<Served>();
  #ports = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the heartbeat timer is due (`Date.now()` ms). */
  #beatDue = 0;
  #closing: Promise<void> | undefined;
  /** Closed past its drain: no more heartbeats. */
  #stopped = false;

  constructor(shareable: Shareable, heartbeat: Heartbeat) {
    // The object is the surface whatever its mode's type; the mode is read from its options.
    const target = shareable as RedisClient | Pool | RedisCluster | WorkerClient;
    this.#shared = target;
    // A command hook must see each command: encoded ones would pass it by.
    if (target instanceof RedisClient && !target.options.connection.hooks?.command) {
      this.#writeRun = (run, cmds) => target[writeRun](run, cmds);
    }
    this.#target = target as unknown as SharedTarget;
    this.#heartbeat = heartbeat;
    const cache = target instanceof WorkerClient || !("cache" in target) ? undefined : target.cache;
    this.#cache = cache instanceof ClientCache ? cache : undefined;
  }

  get connections(): number {
    return this.#sessions.size;
  }

  get ports(): number {
    return this.#ports;
  }

  serve(endpoint: Endpoint, owned?: MessagePort): void {
    const port = toPort(endpoint);
    const comlinkPort = comlinkEndpoint(port, true);
    const served: Served = { sessions: 0, stop: () => {}, owned };
    const api: OwnerApi = {
      connect: async () => {
        const info = await this.#info();
        if (this.#closing || !this.#served.has(served)) throw new Error("the owner is closed");
        const channel = new MessageChannel();
        const hooks = { active: () => this.#startHeartbeat(), ended: (s: Session) => this.#ended(s) };
        const session = new Session(channel.port1, this.#target, hooks, this.#writeRun, this.#cache);
        this.#sessions.set(session, served);
        served.sessions++;
        return Comlink.transfer({ port: channel.port2, info }, [channel.port2]);
      },
      createPort: () => {
        const created = this.createPort();
        return Comlink.transfer(created, [created]);
      },
    };
    Comlink.expose(api, comlinkPort);
    // The worker behind this endpoint exited or was terminated (or a created port's other end
    // closed): its sessions are over, and a created port is let go.
    const stopWatching = port.watchGone(() => {
      for (const [session, from] of this.#sessions) if (from === served) void session.end();
      if (owned) this.#unserve(served);
    });
    served.stop = () => {
      comlinkPort.detach();
      stopWatching();
      owned?.close();
    };
    this.#served.add(served);
  }

  createPort(): MessagePort {
    if (this.#closing) throw new Error("createPort(): the owner is closed");
    const { port1, port2 } = new MessageChannel();
    this.#ports++;
    this.serve(port1 as unknown as Endpoint, port1);
    return port2;
  }

  /** A session ended. A created port serves the clients that connect through it: after the last one, it is let go. */
  #ended(session: Session): void {
    const served = this.#sessions.get(session);
    if (!served) return;
    this.#sessions.delete(session);
    if (--served.sessions === 0 && served.owned) this.#unserve(served);
  }

  #unserve(served: Served): void {
    if (!this.#served.delete(served)) return;
    served.stop();
    if (served.owned) this.#ports--;
  }

  close(options: { timeout?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      for (const served of this.#served) this.#unserve(served);
      const sessions = [...this.#sessions.keys()];
      // The heartbeat goes on while commands drain: a worker that hears nothing takes the owner for gone.
      await waitAtMost(Promise.all(sessions.map((session) => session.drain())), options.timeout ?? 5_000);
      this.#stopped = true;
      clearTimeout(this.#timer);
      await Promise.all(sessions.map((session) => session.end("the owner closed")));
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** What a connecting worker is told. A worker client shared on must know its own owner's first. */
  async #info(): Promise<SessionInfo> {
    const shared = this.#shared;
    if (!(shared instanceof WorkerClient)) {
      const { commandTimeout, decode, keyPrefix = "" } = shared.options.connection;
      // Encoded commands skip the client's command factory, which is where keys get their prefix.
      const takesEncoded = this.#writeRun !== undefined && keyPrefix === "";
      const cache = this.#cache && { cache: this.#cache.options, cacheActive: this.#cache.active };
      return { ...this.#heartbeat, commandTimeout, decodeBytes: decode === "bytes", takesEncoded, keyPrefix, ...cache };
    }
    await shared.ready.catch(() => {}); // if it never connects, its commands fail and say why
    return { ...this.#heartbeat, commandTimeout: shared.commandTimeout, decodeBytes: false, takesEncoded: false, keyPrefix: shared.keyPrefix };
  }

  /** Runs only while some session holds something, so an idle owner keeps no timer (and can exit). */
  #startHeartbeat(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#beatDue = Date.now() + this.#heartbeat.heartbeatInterval;
    this.#timer = setTimeout(() => this.#beat(), this.#heartbeat.heartbeatInterval);
  }

  #beat(): void {
    this.#timer = undefined;
    const now = Date.now();
    // While this thread was too busy to run the timer it neither pinged the workers nor read
    // their answers: that time is not their silence.
    const lag = now - this.#beatDue;
    let busy = false;
    for (const session of this.#sessions.keys()) {
      if (!session.busy) continue;
      busy = true;
      if (lag > 0) session.lastHeard = Math.min(now, session.lastHeard + lag);
      if (now - session.lastHeard > this.#heartbeat.heartbeatTimeout) {
        void session.end(`the worker did not answer for ${this.#heartbeat.heartbeatTimeout} ms`);
      } else session.ping();
    }
    if (busy) this.#startHeartbeat();
  }
}

type Heartbeat = Pick<SessionInfo, "heartbeatInterval" | "heartbeatTimeout">;

function resolveHeartbeat(options: ExposeOptions): Heartbeat {
  const heartbeatInterval = options.heartbeatInterval ?? 1_000;
  const heartbeatTimeout = options.heartbeatTimeout ?? 10_000;
  if (!(heartbeatInterval > 0) || !(heartbeatTimeout > heartbeatInterval)) {
    throw new RangeError(`exposeClient: need 0 < heartbeatInterval < heartbeatTimeout, got ${heartbeatInterval} and ${heartbeatTimeout}`);
  }
  return { heartbeatInterval, heartbeatTimeout };
}
