/**
 * Owner side of one worker client: runs the requests that arrive on its port against the shared
 * client, and sends the replies back batched per tick, each as soon as it settled (a slow command
 * never holds the others' replies). It also holds what it opened for that worker — isolated
 * connections, subscriptions, abortable commands — and gives all of it back when the session ends,
 * whether the worker said goodbye, exited, was terminated, or stopped answering pings.
 * @module
 */
import type { ClientCache } from "../cache/cache.ts";
import type { CommandApi } from "../client/api.ts";
import { commandName } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import { ClosedError, ProtocolError } from "../errors.ts";
import type { MessageListener } from "../mux/subscriber.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { toPort, type Endpoint, type Port } from "./endpoint.ts";
import { errorToWire, RAW_RUN, REQUEST_HEADER, type OwnerMessage, type RequestOp, type SubscribeRequest, type WireOptions, type WorkerMessage } from "./protocol.ts";
import { PubSubSender } from "./pubsub.ts";
import { CacheForwarder } from "./cache.ts";
import { RawForwarder, type RunWriter } from "./raw.ts";
import { TickFlush } from "./tick.ts";
import { replyForWire } from "./values.ts";

type Subscribe = (names: string[], listener: MessageListener) => Promise<() => Promise<void>>;

/** What an owner can share: the command API, and `subscribe()` and friends where it has them. */
export type SharedTarget = CommandApi & Partial<Record<SubscribeRequest["kind"], Subscribe>>;

/** A connection `target.isolated()` handed over for one worker, held until released. */
interface Isolation {
  connection: CommandApi | undefined;
  release: () => void;
  /** The id of the `release` request to answer once the target took the connection back. */
  releaseId: number | undefined;
  /** Settles once the target took the connection back. */
  done: Promise<unknown>;
}

/** What a session tells its owner. */
export interface SessionHooks {
  /** Requests arrived: the owner's heartbeat should run. */
  active(): void;
  /** The session ended; forget it. */
  ended(session: Session): void;
}

const ignore = () => {};

/**
 * One worker client's session.
 *
 * @example
 * ```ts
 * const { port1, port2 } = new MessageChannel();
 * const session = new Session(port1, pool, hooks); // port2 goes to the worker
 * await session.end("the owner closed");
 * ```
 */
export class Session {
  /** When a message last came from the worker (`Date.now()` ms). */
  lastHeard: number = Date.now();
  readonly #port: MessagePort;
  readonly #out: Port;
  readonly #target: SharedTarget;
  readonly #hooks: SessionHooks;
  readonly #stopListening: () => void;
  readonly #stopWatching: () => void;
  #ending: Promise<void> | undefined;
  /** Requests received and not answered yet. */
  #outstanding = 0;
  /** Set by `drain()`: new work is refused, and this is called once nothing is outstanding. */
  #drained: (() => void) | undefined;
  #ok: unknown[] = [];
  #failed: unknown[] = [];
  #nested: unknown[] = [];
  #transfer: Transferable[] = [];
  /** Writes the worker's encoded commands and gathers their replies; undefined when the owner takes none (see `raw.ts`). */
  readonly #forwarder: RawForwarder | undefined;
  readonly #flush = new TickFlush(() => this.#sendReplies());
  /** What the shared client's cache hears, for this worker's cache (see `cache.ts`). */
  readonly #news: CacheForwarder | undefined;
  readonly #controllers = new Map<number, AbortController>();
  readonly #isolations = new Map<number, Isolation>();
  readonly #subscriptions = new Map<number, Promise<(() => Promise<void>) | undefined>>();
  #pubsub: PubSubSender | undefined;

  /** `writeRun`: how encoded commands reach `target`, when the owner takes them; `cache`: the target's client-side cache. */
  constructor(port: MessagePort, target: SharedTarget, hooks: SessionHooks, writeRun?: RunWriter, cache?: ClientCache) {
    this.#port = port;
    this.#news = cache && new CacheForwarder(cache, () => this.#flush.schedule());
    this.#forwarder = writeRun && new RawForwarder(writeRun, {
      replied: (count) => this.#replied(count),
      failed: (id, error) => this.#reject(id, error),
    });
    this.#out = toPort(port as unknown as Endpoint);
    this.#target = target;
    this.#hooks = hooks;
    this.#stopListening = this.#out.listen((data) => this.#receive(data as WorkerMessage));
    // Node and Bun close a port whose other end's thread died; elsewhere pings find out.
    this.#stopWatching = this.#out.watchGone(() => void this.end());
  }

  /** Whether the session holds anything the owner must get back if the worker vanishes. */
  get busy(): boolean {
    return this.#outstanding > 0 || this.#isolations.size > 0 || this.#subscriptions.size > 0;
  }

  ping(): void {
    this.#out.post({ kind: "ping" } satisfies OwnerMessage);
  }

  /**
   * Stop taking new work — commands, transactions, isolated connections and subscriptions are
   * refused with `ClosedError`, not run — while what is under way finishes (releases, unsubscribes
   * and aborts still go through). Resolves once nothing is outstanding.
   */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.#drained = resolve;
      if (this.#outstanding === 0 || this.#ending) resolve(); // an ended session answers nothing more
    });
  }

  /**
   * End the session: tell the worker why (`notice`) if it may still listen, abort its abortable
   * commands, release its isolated connections and subscriptions. Resolves once they are back.
   */
  end(notice?: string): Promise<void> {
    if (this.#ending) return this.#ending;
    this.#drained?.(); // nothing more will be answered: a drain waits no longer
    this.#sendReplies(); // what already settled reaches the worker before the notice
    if (notice) this.#out.post({ kind: "closed", reason: notice } satisfies OwnerMessage);
    this.#stopListening();
    this.#stopWatching();
    this.#port.close();
    for (const controller of this.#controllers.values()) controller.abort();
    this.#controllers.clear();
    const returned: Promise<unknown>[] = [];
    for (const isolation of this.#isolations.values()) {
      isolation.release();
      returned.push(isolation.done);
    }
    for (const subscription of this.#subscriptions.values()) returned.push(subscription.then((stop) => stop?.()));
    this.#subscriptions.clear();
    this.#pubsub?.close();
    this.#forwarder?.close();
    this.#news?.close();
    this.#hooks.ended(this);
    this.#ending = Promise.allSettled(returned).then(ignore);
    return this.#ending;
  }

  #receive(message: WorkerMessage): void {
    if (this.#ending) return;
    this.lastHeard = Date.now();
    if (message.kind === "batch") {
      this.#run(message.requests, message.bytes);
      this.#hooks.active();
    } else if (message.kind === "bye") {
      void this.end();
    }
  }

  #run(requests: unknown[], bytes: Uint8Array | undefined): void {
    let rawStart = 0; // raw runs lie one after another in `bytes`
    for (let i = 0; i < requests.length; ) {
      const op = requests[i] as RequestOp;
      const id = requests[i + 1] as number;
      const wire = requests[i + 2] as WireOptions | 0;
      const n = requests[i + 3] as number;
      if (op === "raw") {
        const count = requests[i + RAW_RUN.count] as number;
        const end = requests[i + RAW_RUN.end] as number;
        this.#outstanding += count;
        if (this.#forwarder && !this.#drained) this.#forwarder.write(id, bytes!.subarray(rawStart, end), count);
        else for (let k = 0; k < count; k++) this.#reject(id + k, this.#drained ? notRun("command") : new ProtocolError("this owner takes no encoded commands"));
        rawStart = end;
        i += REQUEST_HEADER + n;
        continue;
      }
      i += REQUEST_HEADER;
      const payload = op === "send" ? requests.slice(i, i + n) : requests[i];
      i += n;
      if (op !== "abort") this.#outstanding++;
      try {
        if (this.#drained && STARTS_WORK.has(op)) throw notRun(op === "send" ? commandName(payload as Arg[]) : op);
        this.#start(op, id, payload, wire);
      } catch (err) {
        this.#reject(id, err);
      }
    }
  }

  /** The forwarder gathered `count` replies to encoded commands. */
  #replied(count: number): void {
    this.#answered(count);
    this.#flush.schedule();
  }

  #start(op: RequestOp, id: number, payload: unknown, wire: WireOptions | 0): void {
    switch (op) {
      case "send": {
        const reply = wire === 0 ? this.#target.send(payload as Arg[]) : this.#on(wire, payload as Arg[]).send(payload as Arg[], this.#options(id, wire));
        reply.then((value) => this.#resolve(id, value), (err) => this.#reject(id, err));
        return;
      }
      case "transaction": {
        const cmds = (payload as Arg[][]).map((args) => ({ args }));
        const on = wire === 0 ? this.#target : this.#on(wire, ["MULTI"]);
        on.transaction(cmds, wire === 0 ? undefined : this.#options(id, wire)).then((value) => this.#resolve(id, value as RespValue), (err) => this.#reject(id, err));
        return;
      }
      case "isolate":
        return this.#isolate(id);
      case "release":
        return this.#release(id, payload as number);
      case "subscribe":
        return this.#subscribe(id, payload as SubscribeRequest);
      case "unsubscribe":
        return this.#unsubscribe(id, payload as number);
      case "abort":
        this.#controllers.get(payload as number)?.abort();
        return;
    }
  }

  /** Where a command with options runs: the shared client, or one of this worker's isolated connections. */
  #on(wire: WireOptions, args: readonly Arg[]): CommandApi {
    if (wire.isolation === undefined) return this.#target;
    const connection = this.#isolations.get(wire.isolation)?.connection;
    if (!connection) throw new ClosedError(`${commandName(args)} not sent: the isolated connection was released`);
    return connection;
  }

  #options(id: number, wire: WireOptions): CommandOptions {
    const options: CommandOptions = {};
    if (wire.timeout !== undefined) options.timeout = wire.timeout;
    if (wire.bytes !== undefined) options.bytes = wire.bytes;
    if (wire.abortable) {
      const controller = new AbortController();
      this.#controllers.set(id, controller);
      options.signal = controller.signal;
    }
    return options;
  }

  #isolate(id: number): void {
    let release = ignore;
    const held = new Promise<void>((resolve) => (release = resolve));
    const isolation: Isolation = { connection: undefined, release, releaseId: undefined, done: held };
    this.#isolations.set(id, isolation);
    isolation.done = this.#target.isolated(async (connection) => {
      isolation.connection = connection;
      this.#resolve(id, null); // the worker's fn may start
      await held;
    });
    isolation.done.then(
      () => this.#isolationDone(id, isolation, undefined),
      (err: unknown) => this.#isolationDone(id, isolation, err),
    );
  }

  #isolationDone(id: number, isolation: Isolation, err: unknown): void {
    this.#isolations.delete(id);
    // Failed before the connection was handed over (pool timeout, closed): the isolate request fails.
    if (!isolation.connection) return this.#reject(id, err);
    if (isolation.releaseId === undefined) return;
    if (err === undefined) this.#resolve(isolation.releaseId, null);
    else this.#reject(isolation.releaseId, err);
  }

  #release(id: number, isolationId: number): void {
    const isolation = this.#isolations.get(isolationId);
    if (!isolation) return this.#resolve(id, null); // already given back
    isolation.releaseId = id;
    isolation.release();
  }

  #subscribe(id: number, request: SubscribeRequest): void {
    if (request.port) this.#pubsub = new PubSubSender(request.port);
    const subscribe = this.#target[request.kind];
    const pubsub = this.#pubsub;
    if (typeof subscribe !== "function" || !pubsub) {
      throw new TypeError(`${request.kind}() is not available: the owner shares a ${this.#target.constructor.name}, which has no ${request.kind}(); share a createClient() client`);
    }
    const subscribed = subscribe.call(this.#target, request.names, (message, channel, pattern) => pubsub.deliver(id, message, channel, pattern));
    this.#subscriptions.set(id, subscribed.catch(() => undefined));
    subscribed.then(
      () => this.#resolve(id, null),
      (err) => {
        this.#subscriptions.delete(id);
        this.#reject(id, err);
      },
    );
  }

  #unsubscribe(id: number, subscriptionId: number): void {
    const subscription = this.#subscriptions.get(subscriptionId);
    this.#subscriptions.delete(subscriptionId);
    Promise.resolve(subscription)
      .then((stop) => stop?.())
      .then(() => this.#resolve(id, null), (err) => this.#reject(id, err));
  }

  #resolve(id: number, value: RespValue): void {
    if (this.#ending) return;
    this.#answered(1);
    if (this.#controllers.size > 0) this.#controllers.delete(id);
    if (typeof value !== "object" || value === null) this.#ok.push(id, value);
    else {
      const wire = replyForWire(value, this.#transfer);
      (wire.nested ? this.#nested : this.#ok).push(id, wire.value);
    }
    this.#flush.schedule();
  }

  #reject(id: number, err: unknown): void {
    if (this.#ending) return;
    this.#answered(1);
    if (this.#controllers.size > 0) this.#controllers.delete(id);
    this.#failed.push(id, errorToWire(err));
    this.#flush.schedule();
  }

  /** `count` requests were answered: a drain waiting for the last of them ends. */
  #answered(count: number): void {
    this.#outstanding -= count;
    if (this.#outstanding === 0) this.#drained?.();
  }

  #sendReplies(): void {
    if (this.#ending || (this.#ok.length + this.#failed.length + this.#nested.length === 0 && !this.#forwarder?.holding && !this.#news?.pending)) return;
    const frames = this.#forwarder?.take();
    if (frames) this.#transfer.push(frames.bytes.buffer as ArrayBuffer);
    const message: OwnerMessage = { kind: "replies", ok: this.#ok, failed: this.#failed, nested: this.#nested, frames: frames?.bytes, frameRuns: frames?.runs, cache: this.#news?.take() };
    this.#out.post(message, this.#transfer);
    // postMessage cloned the lists synchronously, so they can be reused.
    this.#ok.length = this.#failed.length = this.#nested.length = this.#transfer.length = 0;
  }
}

/** The requests that start work, refused once the owner is closing (see `Session.drain()`). */
const STARTS_WORK: ReadonlySet<RequestOp> = new Set<RequestOp>(["send", "transaction", "isolate", "subscribe"]);

const notRun = (what: string) => new ClosedError(`${what} not run: the owner is closing`);
