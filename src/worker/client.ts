/**
 * `wrapClient()`: in a worker thread, a client whose commands run in the owner thread. It is a
 * {@link CommandApi}, so every typed command, `multi()`, `pipeline()`, `with()` and the scan
 * iterators work as on a client of its own; only `send`, `transaction` and `isolated` cross.
 * @module
 */
import * as Comlink from "comlink";
import type { Cache } from "../cache/cache.ts";
import { CommandApi } from "../client/api.ts";
import type { BytesReplies, EitherReplies } from "../client/bytes-typing.ts";
import type { Cmd } from "../client/spec.ts";
import type { CommandOptions } from "../conn/command.ts";
import { HookSet } from "../conn/hook-set.ts";
import type { Hooks } from "../conn/hooks.ts";
import { ClosedError } from "../errors.ts";
import type { MessageListener, SubscriptionKind } from "../mux/subscriber.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { comlinkEndpoint, toPort, type Endpoint } from "./endpoint.ts";
import type { OwnerApi, SubscribeRequest } from "./protocol.ts";
import { PubSubReceiver } from "./pubsub.ts";
import { inMode, IsolatedConnection } from "./isolated-connection.ts";
import { RemoteSession, type RemoteState } from "./remote-session.ts";

/**
 * Events of a {@link WorkerClient}.
 *
 * @example
 * ```ts
 * redis.on("end", ({ error }) => { if (error) console.error("lost the owner:", error.message); });
 * ```
 */
export interface WorkerClientEvents {
  [event: string]: unknown;
  /**
   * The client ended: closed by you (no `error`), by the owner (`ClosedError`), or because the
   * owner stopped answering (`ConnectionError`).
   */
  end: { error?: Error };
}

/**
 * Options of {@link wrapClient}.
 *
 * @example
 * ```ts
 * const redis = wrapClient(port, { connectTimeout: 2_000 });
 * ```
 */
export interface WrapOptions {
  /**
   * How long to wait for the owner to answer at all, ms: the connect request is repeated until
   * it does (an owner may call `exposeClient` after the worker started), and when this passes
   * first (nobody serves the other end, or the owner is gone) `ready` and the commands waiting
   * reject with `ConnectionError` and the client ends. Once connected, the owner's heartbeat
   * timeout applies. Default `10000`.
   */
  connectTimeout?: number;
  /** Observe this worker's commands (`hooks.command`); connections and pool waits are the owner's to observe. */
  hooks?: Hooks;
  /**
   * How this client reads string replies: `"bytes"` as `Uint8Array`, `"string"` as UTF-8 text, and
   * its types say so (`wrapClient(port, { decode: "bytes" })` is a `BytesReplies<WorkerClient>`).
   * Without it, replies come in the mode of the shared client or pool (its `decode` option) while
   * the types say strings: give `decode: "bytes"` when sharing a bytes one. A call's `bytes`
   * option (`with({ bytes })`) still wins.
   */
  decode?: "string" | "bytes";
}

const ignore = () => {};

/**
 * A client in a worker thread whose commands run in the owner thread (see `exposeClient`).
 *
 * @example
 * ```ts
 * import { parentPort } from "node:worker_threads";
 * import { wrapClient } from "resplex/worker";
 *
 * const redis = wrapClient(parentPort!);
 * await redis.incr("jobs:done");
 * const [a, b] = await redis.pipeline().get("a").get("b").exec();
 * await redis.close(); // lets the worker exit
 * ```
 */
export class WorkerClient extends CommandApi<WorkerClientEvents> {
  readonly #session: RemoteSession;
  readonly #owner: Comlink.Remote<OwnerApi>;
  readonly #detach: () => void;
  readonly #hooks: HookSet;
  /** The mode `decode` asked for, put on each call that names none; undefined: the owner's. */
  readonly #mode: CommandOptions | undefined;
  #pubsub: PubSubReceiver | undefined;
  #closed: Promise<void> | undefined;

  constructor(endpoint: Endpoint, options: WrapOptions = {}) {
    super();
    const connectTimeout = options.connectTimeout ?? 10_000;
    if (!(connectTimeout > 0)) throw new RangeError(`wrapClient: connectTimeout must be a positive number of ms, got ${connectTimeout}`);
    if (options.decode !== undefined && options.decode !== "string" && options.decode !== "bytes") {
      throw new RangeError(`wrapClient: decode must be "string" or "bytes", got ${String(options.decode)}`);
    }
    this.#mode = options.decode === undefined ? undefined : { bytes: options.decode === "bytes" };
    const comlinkPort = comlinkEndpoint(toPort(endpoint), false);
    this.#detach = () => comlinkPort.detach();
    this.#owner = Comlink.wrap<OwnerApi>(comlinkPort);
    this.#hooks = new HookSet(options.hooks);
    this.#session = new RemoteSession(() => this.#owner.connect(), connectTimeout, (error) => {
      this.#detach();
      this.#pubsub?.close();
      this.emit("end", { error });
    }, this.#hooks);
  }

  /**
   * Observe this worker's commands from now on, next to the `hooks` it was created with (the
   * owner's connections and pool waits are the owner's to observe). Returns a function that
   * removes them. `instrument()` of `resplex/otel` uses it.
   *
   * @example
   * ```ts
   * const remove = redis.addHooks({ command: ({ name }) => ({ durationMs }) => console.log(name, durationMs) });
   * remove();
   * ```
   */
  addHooks(hooks: Hooks): () => void {
    return this.#hooks.add(hooks);
  }

  /** `connecting` until the owner answered, then `open`; `closing`, `closed` after `close()` or when the owner ended it. */
  get state(): RemoteState {
    return this.#session.state;
  }

  /**
   * Resolves once the owner answered; rejects if the client ended first (no answer within
   * `connectTimeout`, `close()`). Commands need not wait for it: those issued earlier are sent
   * when it resolves.
   *
   * @example
   * ```ts
   * await redis.ready; // the owner is there
   * ```
   */
  get ready(): Promise<void> {
    return this.#session.ready;
  }

  /**
   * This worker's client-side cache, when the shared client or pool has one (option `cache`):
   * its reads are answered in this thread, kept fresh by the invalidations the owner forwards;
   * `undefined` until connected, or without one.
   *
   * @example
   * ```ts
   * const redis = wrapClient(parentPort!);
   * await redis.ready;
   * redis.cache?.stats().hits;
   * ```
   */
  get cache(): Cache | undefined {
    return this.#session.cache;
  }

  /** The owner's default command timeout, ms (0 until connected, or when the owner has none). */
  get commandTimeout(): number {
    return this.#session.commandTimeout;
  }

  /** The owner's `keyPrefix` (`""` for none, and until connected): the owner puts it on every key. */
  get keyPrefix(): string {
    return this.#session.keyPrefix;
  }

  protected override resolveKeyPrefix(): Promise<string> {
    return this.ready.then(() => this.keyPrefix);
  }

  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    return this.#session.send(args, inMode(options, this.#mode));
  }

  transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    return this.#session.transaction(commands, inMode(options, this.#mode));
  }

  /**
   * Run `fn` with a connection the owner holds for this worker alone (a pool lease, or the
   * client's dedicated connection), given back when `fn` settles — or when this worker closes,
   * exits or is terminated.
   *
   * @example
   * ```ts
   * const result = await redis.isolated(async (c) => {
   *   await c.send(["WATCH", "balance"]);
   *   const balance = Number(await c.get("balance"));
   *   return c.multi().set("balance", balance - 10).exec(); // null if "balance" changed meanwhile
   * });
   * ```
   */
  async isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    const { id, done } = this.#session.control("isolate", "isolated()", 0);
    await done;
    const connection = new IsolatedConnection(this.#session, id, this.#mode);
    try {
      return await fn(connection);
    } finally {
      connection.detach();
      // The owner takes the connection back even if this fails (the worker closing, the owner gone).
      await this.#session.control("release", "isolated()", id).done.catch(ignore);
    }
  }

  /** Listen to channels. Resolves, once subscribed, to a function that unsubscribes this listener. */
  subscribe(channels: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("subscribe", channels, listener);
  }

  /** Listen to channels matching glob patterns; the listener also receives the pattern. */
  psubscribe(patterns: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("psubscribe", patterns, listener);
  }

  /** Listen to shard channels (Redis 7 `SSUBSCRIBE`). */
  ssubscribe(channels: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    return this.#subscribe("ssubscribe", channels, listener);
  }

  /**
   * A new MessagePort to the same owner, for a worker of this worker: transfer it there and call
   * `wrapClient(port)`. Its commands go straight to the owner, not through this thread.
   *
   * @example
   * ```ts
   * const port = await redis.createPort();
   * child.postMessage({ redis: port }, [port]);
   * ```
   */
  createPort(): Promise<MessagePort> {
    if (this.#session.state === "closing" || this.#session.state === "closed") {
      return Promise.reject(new ClosedError("createPort() refused: the client is closed"));
    }
    return this.#owner.createPort();
  }

  /**
   * Stop taking commands, give those in flight up to `timeout` ms (default 5000), then tell the
   * owner to release everything held for this worker and stop listening, so the worker can exit.
   * Commands still unanswered then reject with `ConnectionError` (they reached the owner: they may
   * have run), as a client's do.
   */
  close(options: { timeout?: number } = {}): Promise<void> {
    this.#closed ??= this.#session.close(options.timeout ?? 5_000);
    return this.#closed;
  }

  /** `await using redis = wrapClient(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #subscribe(kind: SubscriptionKind, names: string | string[], listener: MessageListener): Promise<() => Promise<void>> {
    const list = typeof names === "string" ? [names] : names;
    if (list.length === 0) throw new TypeError(`${kind}: give at least one channel or pattern`);
    if (typeof listener !== "function") throw new TypeError(`${kind}: listener must be a function`);
    const pubsub = (this.#pubsub ??= new PubSubReceiver());
    const port = pubsub.handOff();
    const request: SubscribeRequest = { kind, names: list, port };
    const { id, done } = this.#session.control("subscribe", kind.toUpperCase(), request, port);
    // Listening before the confirmation: a message may overtake it, on its own port.
    pubsub.add(id, listener);
    try {
      await done;
    } catch (err) {
      pubsub.remove(id);
      throw err;
    }
    return async () => {
      if (pubsub.remove(id)) await this.#session.control("unsubscribe", kind.toUpperCase(), id).done;
    };
  }
}

/**
 * In a worker thread, a client whose commands run in the owner thread, which called
 * `exposeClient()` on the other end of `endpoint` (Node `parentPort` or a `MessagePort`; a web
 * worker's `self`, or a `MessagePort` from `createPort()`). It connects at once; commands issued
 * before the owner answered wait, bounded by `connectTimeout`.
 *
 * @example
 * ```ts
 * const redis = wrapClient(self); // Deno / Bun web worker
 * await redis.set("k", "v");
 * const raw = wrapClient(self, { decode: "bytes" }); // BytesReplies<WorkerClient>: get() is a Uint8Array
 * ```
 */
export function wrapClient(endpoint: Endpoint, options: WrapOptions & { decode: "bytes" }): BytesReplies<WorkerClient>;
export function wrapClient(endpoint: Endpoint, options: WrapOptions & { decode: "string" }): WorkerClient;
export function wrapClient(endpoint: Endpoint, options: WrapOptions & { decode: "string" | "bytes" }): EitherReplies<WorkerClient>;
export function wrapClient(endpoint: Endpoint, options?: WrapOptions): WorkerClient;
export function wrapClient(endpoint: Endpoint, options?: WrapOptions): WorkerClient | BytesReplies<WorkerClient> | EitherReplies<WorkerClient> {
  return new WorkerClient(endpoint, options);
}
