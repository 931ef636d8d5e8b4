/**
 * Worker side of a session: requests issued in one tick leave as one message; replies settle
 * the matching calls. Every call settles: with its reply, with the error the owner sent, at its
 * own deadline (the owner's plus a grace period, for an owner that vanished; for a command encoded
 * here, which the owner keeps no deadline for, the command's own), when its signal
 * aborts (the owner is told, and stops the command), or when the owner goes silent for the
 * heartbeat timeout — which also covers calls without a deadline (BLPOP 0, waiting for a lease).
 *
 * Until the owner answers, the connect request is repeated: one posted before the owner called
 * `exposeClient` is lost (a `Worker` drops messages nobody listens to). The session ends, and
 * `ready` rejects, once `connectTimeout` passes without an answer.
 *
 * A worker's event loop may be busy for long stretches (that is what workers are for); meanwhile
 * the owner's replies and pings wait in the port, and a timer may run before they are read. So
 * the watch judges nothing on the timer that finds a call or the owner overdue: it yields a task,
 * letting what waits in the port be read, and judges on the next.
 * @module
 */
import { ClientCache } from "../cache/cache.ts";
import type { Cmd } from "../client/spec.ts";
import type { CommandInfo } from "../commands/table.ts";
import { blockingDeadline } from "../conn/blocking.ts";
import { blockingTimeout, commandName, lookupCommand } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { HookSet } from "../conn/hook-set.ts";
import { reportTo } from "../conn/hooks.ts";
import { AbortError, ClosedError, ConnectionError, RedisError } from "../errors.ts";
import { validateCommand } from "../resp/validate.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { PendingCalls, type ReplyForm } from "./calls.ts";
import { toPort, type Endpoint, type Port } from "./endpoint.ts";
import { errorFromWire, type OwnerMessage, type RequestOp, type SessionInfo, type WireError, type WireOptions, type WorkerMessage } from "./protocol.ts";
import { applyCacheNews } from "./cache.ts";
import { FrameReader, RunEncoder } from "./raw.ts";
import { TickFlush } from "./tick.ts";
import { pushArgs, replyFromWire } from "./values.ts";

/** Added to the owner's deadline for a command, so the owner's own timeout (or reply) wins the race. */
export const WORKER_GRACE_MS = 1_000;

/** While calls are pending, deadlines and the owner's liveness are checked this often. */
const WATCH_MS = 250;

/** The first repeat of an unanswered connect request, ms; each next waits twice as long, up to {@link CONNECT_RETRY_MAX_MS}. */
const CONNECT_RETRY_MS = 100;
const CONNECT_RETRY_MAX_MS = 1_000;

/**
 * Where a worker client is in its life.
 *
 * @example
 * ```ts
 * if (redis.state === "closed") redis = wrapClient(parentPort!);
 * ```
 */
export type RemoteState = "connecting" | "open" | "closing" | "closed";

const ignore = () => {};

/**
 * The calls of one worker client and the port they travel on.
 *
 * @example
 * ```ts
 * const session = new RemoteSession(() => ownerApi.connect(), 10_000, (error) => console.log("ended", error));
 * await session.send(["PING"]); // "PONG", run by the owner
 * ```
 */
export class RemoteSession {
  #state: RemoteState = "connecting";
  #port: Port | undefined;
  #rawPort: MessagePort | undefined;
  #stopListening = ignore;
  #info: SessionInfo | undefined;
  readonly #calls = new PendingCalls((id) => this.#abort(id));
  #nextId = 0;
  readonly #requests: unknown[] = [];
  readonly #transfer: Transferable[] = [];
  /** The worker's client-side cache (see {@link RemoteSession.cache}). */
  #cache: ClientCache | undefined;
  /** Plain commands are encoded here, and their replies decoded here, when the owner takes them so (see `raw.ts`). */
  #encodeHere = false;
  readonly #runs = new RunEncoder();
  readonly #frameReader = new FrameReader(this.#calls);
  readonly #flush = new TickFlush(() => this.#sendBatch());
  /** Worker-side deadline of a call with the owner's default timeout; 0 (none) until the owner tells it. */
  #defaultTimeout = 0;
  /** When the owner was last heard from; while connecting, when the session started. */
  #lastHeard = Date.now();
  #watch: ReturnType<typeof setTimeout> | undefined;
  /** When the watch timer fires (`Date.now()` ms). */
  #watchAt = 0;
  /** The watch timer now armed is the one after a task yielded: it judges what is overdue. */
  #yielded = false;
  readonly #connect: () => Promise<Connected>;
  /** When to repeat the connect request, and how long to wait after that one. */
  #retryAt = 0;
  #retryDelay = CONNECT_RETRY_MS;
  readonly #onEnd: (error: Error | undefined) => void;
  readonly #connectTimeout: number;
  readonly #hooks: HookSet | undefined;
  #endReason = "the client is closed";
  /** Settles when the owner answered (resolves) or the session ended before that (rejects). */
  readonly ready: Promise<void>;
  #ready!: { resolve: () => void; reject: (error: Error) => void };

  /**
   * `connect` asks the owner for a session (it is repeated until one answers); `connectTimeout`:
   * how long to wait for that answer, ms; `hooks` observe this worker's commands.
   */
  constructor(
    connect: () => Promise<Connected>,
    connectTimeout: number,
    onEnd: (error: Error | undefined) => void,
    hooks?: HookSet,
  ) {
    this.#connect = connect;
    this.#onEnd = onEnd;
    this.#connectTimeout = connectTimeout;
    this.#hooks = hooks; // read at each call: hooks may be added later
    this.ready = new Promise((resolve, reject) => (this.#ready = { resolve, reject }));
    this.ready.catch(() => {}); // nobody has to wait for it
    this.#requestSession();
    this.#watchUntil(this.#retryAt);
  }

  get state(): RemoteState {
    return this.#state;
  }

  /** The owner's default command timeout, ms; 0 until connected. */
  get commandTimeout(): number {
    return this.#info?.commandTimeout ?? 0;
  }

  /** The owner's `keyPrefix` (`""` for none, and until connected). */
  get keyPrefix(): string {
    return this.#info?.keyPrefix ?? "";
  }

  /**
   * The worker's own client-side cache, when the owner's client or pool has one: fed by the
   * invalidations the owner forwards (see `cache.ts`).
   */
  get cache(): ClientCache | undefined {
    return this.#cache;
  }

  /** Run a command in the owner, on its shared client or (with `isolation`) on an isolated connection. */
  send(args: readonly Arg[], options?: CommandOptions, isolation?: number): Promise<RespValue> {
    if (this.#state === "closing" || this.#state === "closed") return this.#refuse(args);
    try {
      validateCommand(args); // a bad argument would fail the whole batch's postMessage
      notAborted(args, options);
    } catch (err) {
      return Promise.reject(err);
    }
    const info = lookupCommand(args);
    const cache = this.#cache;
    if (cache === undefined) return this.#send(args, options, isolation, info);
    // A read on an isolated connection is the caller's own; a write anywhere drops its keys' entries.
    const read = isolation === undefined ? cache.lookup(args, info, options, options?.bytes ?? this.#info!.decodeBytes) : undefined;
    if (read instanceof Promise) return read;
    const settled = cache.watch(args);
    const reply = this.#send(args, options, isolation, info);
    if (read) {
      const fill = cache.fill(read, reply);
      reply.then(fill, fill);
    }
    if (settled) reply.then(settled, settled);
    return reply;
  }

  #send(args: readonly Arg[], options: CommandOptions | undefined, isolation: number | undefined, info: CommandInfo | undefined): Promise<RespValue> {
    // Commands with a rule in the table (blocking, refused on shared connections, WAIT) take the
    // value path, where the owner's client applies the rule; plain ones may go raw.
    const blocking = blockingTimeout(args, info);
    const observer = this.#hooks?.observe(args);
    if (this.#encodeHere && info?.rule === undefined && isolation === undefined && options?.signal === undefined && options?.timeout === undefined) {
      return reportTo(this.#sendRaw(args, options?.bytes ?? this.#info!.decodeBytes), observer);
    }
    const wire = options || blocking !== undefined || isolation !== undefined ? wireOptions(options, blocking !== undefined, isolation) : 0;
    const id = this.#enqueue("send", wire, args, undefined);
    return reportTo(this.#calls.add(id, args, this.#timeout(options, blocking), options?.signal), observer);
  }

  /** A plain command, encoded here; its reply comes back as the server sent it (see `raw.ts`). */
  #sendRaw(args: readonly Arg[], bytes: boolean): Promise<RespValue> {
    const id = ++this.#nextId;
    if (this.#runs.add(this.#requests, id, args)) this.#scheduled();
    const form: ReplyForm = bytes ? "frame-bytes" : "frame";
    // The owner keeps no deadline for it: this call's is the command's own, kept by the watch.
    const timeout = this.#info!.commandTimeout;
    if (timeout > 0 && timeout < WATCH_MS) {
      const deadline = Date.now() + timeout;
      if (deadline < this.#watchAt) this.#watchUntil(deadline);
    }
    return this.#calls.add(id, args, timeout, undefined, form);
  }

  /** `MULTI ... EXEC` in the owner; replies are parsed here, where the parse functions live. */
  async transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions, isolation?: number): Promise<unknown[] | null> {
    if (this.#state === "closing" || this.#state === "closed") return this.#refuse(["MULTI"]);
    for (const cmd of commands) validateCommand(cmd.args);
    notAborted(["MULTI"], options);
    const lists = commands.map((c) => {
      const list: Arg[] = [];
      pushArgs(c.args, list, this.#transfer);
      return list;
    });
    const wire = options || isolation !== undefined ? wireOptions(options, false, isolation) : 0;
    const id = this.#enqueue("transaction", wire, undefined, lists);
    const observer = this.#hooks?.observe(["MULTI"], commands.length);
    const written = this.#cache ? commands.map((cmd) => this.#cache!.watch(cmd.args)) : [];
    const outcome = reportTo(this.#calls.add(id, ["MULTI"], this.#timeout(options, undefined), options?.signal), observer);
    const settled = () => written.forEach((drop) => drop?.());
    if (written.some(Boolean)) outcome.then(settled, settled);
    const results = (await outcome) as RespValue[] | null;
    if (results === null) return null;
    return results.map((reply, i) => (reply instanceof RedisError || !commands[i]!.parse ? reply : commands[i]!.parse!(reply)));
  }

  /**
   * A control request (`isolate`, `subscribe`, ...): `name` appears in error messages. Returns
   * the request id (which names the isolation or subscription) and its settlement.
   */
  control(op: RequestOp, name: string, payload: unknown, transfer?: Transferable): { id: number; done: Promise<RespValue> } {
    // Releases and unsubscribes still go out while closing: they give back what the worker held.
    const giveBack = op === "release" || op === "unsubscribe";
    if (this.#state === "closed" || (this.#state === "closing" && !giveBack)) return { id: 0, done: this.#refuse([name]) };
    if (transfer) this.#transfer.push(transfer);
    const id = this.#enqueue(op, 0, undefined, payload);
    // Waiting for a lease or a release has no deadline here: the owner's acquireTimeout and the heartbeat bound it.
    const timeout = op === "subscribe" || op === "unsubscribe" ? this.#defaultTimeout : 0;
    return { id, done: this.#calls.add(id, [name], timeout, undefined) };
  }

  /**
   * Stop taking calls, give pending ones up to `timeout` ms to settle, tell the owner (which
   * releases everything held for this worker), and close the port.
   */
  async close(timeout: number): Promise<void> {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.#state = "closing";
    if (this.#calls.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.#calls.settled(), new Promise((resolve) => (timer = setTimeout(resolve, timeout)))]);
      clearTimeout(timer);
    }
    this.#sendBatch();
    this.#port?.post({ kind: "bye" } satisfies WorkerMessage);
    this.#end(undefined, "the client is closed");
  }

  /** The worker-side deadline: the owner's for this call, plus grace; 0 for none. */
  #timeout(options: CommandOptions | undefined, blocking: number | undefined): number {
    if (options?.timeout !== undefined) return options.timeout > 0 ? options.timeout + WORKER_GRACE_MS : 0;
    if (blocking !== undefined) return blocking === 0 ? 0 : blockingDeadline(blocking) + WORKER_GRACE_MS;
    return this.#defaultTimeout;
  }

  /** Queue a request for this tick's batch — a command's `args`, or one `payload` — and return its id. */
  #enqueue(op: RequestOp, wire: WireOptions | 0, args: readonly Arg[] | undefined, payload: unknown): number {
    const id = ++this.#nextId;
    if (args) {
      this.#requests.push(op, id, wire, args.length);
      pushArgs(args, this.#requests, this.#transfer);
    } else this.#requests.push(op, id, wire, 1, payload);
    this.#scheduled();
    return id;
  }

  /** A request was queued: it leaves at the end of the tick, and its deadline is watched. */
  #scheduled(): void {
    this.#flush.schedule();
    if (this.#watch === undefined) this.#startWatch();
  }

  /** A call's signal aborted it (its promise already rejected): tell the owner to stop the command. */
  #abort(id: number): void {
    if (this.#state === "closed") return;
    this.#requests.push("abort", 0, 0, 1, id);
    this.#flush.schedule();
  }

  #sendBatch(): void {
    if (!this.#port || this.#requests.length === 0) return; // before connect, requests wait here
    const bytes = this.#runs.take();
    if (bytes) this.#transfer.push(bytes.buffer as ArrayBuffer);
    this.#port.post({ kind: "batch", requests: this.#requests, bytes } satisfies WorkerMessage, this.#transfer);
    this.#requests.length = this.#transfer.length = 0; // postMessage cloned them synchronously
  }

  /** Ask the owner for a session, and schedule the next request should this one go unanswered. */
  #requestSession(): void {
    this.#connect().then(
      ({ port, info }) => this.#attach(port, info),
      (err: unknown) => {
        if (this.#port) return; // another request was answered
        this.#end(new ConnectionError("could not connect to the owner thread", { cause: err }), "the owner refused the connection");
      },
    );
    this.#retryAt = Date.now() + this.#retryDelay;
    this.#retryDelay = Math.min(this.#retryDelay * 2, CONNECT_RETRY_MAX_MS);
  }

  #attach(port: MessagePort, info: SessionInfo): void {
    if (this.#state === "closed" || this.#port) {
      // Closed meanwhile, or an answer to a repeated request: the owner may let this session go.
      port.postMessage({ kind: "bye" } satisfies WorkerMessage);
      port.close();
      return;
    }
    this.#info = info;
    this.#encodeHere = info.takesEncoded;
    if (info.cache) {
      this.#cache = new ClientCache(info.cache, this.#hooks);
      if (!info.cacheActive) this.#cache.suspend();
    }
    this.#rawPort = port;
    this.#port = toPort(port as unknown as Endpoint);
    this.#stopListening = this.#port.listen((data) => this.#receive(data as OwnerMessage));
    this.#defaultTimeout = info.commandTimeout > 0 ? info.commandTimeout + WORKER_GRACE_MS : 0;
    this.#lastHeard = Date.now();
    if (this.#state === "connecting") this.#state = "open";
    this.#ready.resolve();
    this.#sendBatch();
  }

  #receive(message: OwnerMessage): void {
    this.#lastHeard = Date.now();
    switch (message.kind) {
      case "replies": {
        const { ok, failed, nested, frames, frameRuns } = message;
        if (message.cache && this.#cache) applyCacheNews(this.#cache, message.cache);
        if (frames) this.#frameReader.read(frames, frameRuns!);
        for (let i = 0; i < ok.length; i += 2) this.#calls.settle(ok[i] as number, ok[i + 1] as RespValue);
        for (let i = 0; i < nested.length; i += 2) this.#calls.settle(nested[i] as number, replyFromWire(nested[i + 1]));
        for (let i = 0; i < failed.length; i += 2) this.#calls.fail(failed[i] as number, errorFromWire(failed[i + 1] as WireError));
        return;
      }
      case "ping":
        this.#port?.post({ kind: "pong" } satisfies WorkerMessage);
        return;
      case "closed":
        this.#end(new ClosedError(`the owner ended this client: ${message.reason}`), message.reason);
        return;
    }
  }

  #startWatch(): void {
    this.#lastHeard = Date.now(); // nothing was expected from the owner until now
    this.#watchUntil(this.#lastHeard + WATCH_MS);
  }

  /**
   * While connecting or calls are pending: repeat the connect request, expire deadlines, and
   * take an owner silent for the heartbeat timeout (or not answering within the connect timeout)
   * for gone.
   */
  #check(): void {
    this.#watch = undefined;
    const yielded = this.#yielded;
    this.#yielded = false;
    if (this.#state === "closed") return;
    const connecting = this.#port === undefined;
    if (!connecting && this.#calls.size === 0) return;
    const now = Date.now();
    const limit = connecting ? this.#connectTimeout : this.#info!.heartbeatTimeout;
    const next = this.#calls.nextDeadline();
    const overdue = (next !== 0 && next <= now) || now - this.#lastHeard >= limit;
    if (overdue && !yielded) {
      // Replies and pings that came while this thread was busy may wait in the port behind this
      // timer: let them be read first.
      this.#yielded = true;
      this.#watchUntil(now);
      return;
    }
    const earliest = overdue ? this.#calls.expire(now) : next;
    if (!connecting && this.#calls.size === 0) return;
    if (now - this.#lastHeard >= limit) {
      const reason = connecting ? `no owner answered on this endpoint within ${limit} ms` : `the owner thread did not answer for ${limit} ms`;
      this.#end(new ConnectionError(reason), reason);
      return;
    }
    if (connecting && now >= this.#retryAt) this.#requestSession();
    this.#watchUntil(Math.min(now + WATCH_MS, this.#lastHeard + limit, earliest || Infinity, connecting ? this.#retryAt : Infinity));
  }

  /** (Re)arm the watch timer for `at`. */
  #watchUntil(at: number): void {
    clearTimeout(this.#watch);
    this.#watchAt = at;
    this.#watch = setTimeout(() => this.#check(), Math.max(0, at - Date.now()));
  }

  /** Settle every pending call, stop the timer, close the port. `error` is why, unless the user closed. */
  #end(error: Error | undefined, reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#endReason = reason;
    this.#ready.reject(error ?? new ClosedError(`not connected: ${reason}`));
    const lost = error instanceof ConnectionError;
    this.#calls.failAll((name) => (lost ? new ConnectionError(`${name} did not complete: ${reason}`) : new ClosedError(`${name} did not complete: ${reason}`)));
    this.#requests.length = this.#transfer.length = 0;
    this.#runs.take();
    this.#cache?.suspend(); // no invalidation reaches it any more
    clearTimeout(this.#watch);
    this.#watch = undefined;
    this.#stopListening();
    this.#rawPort?.close();
    this.#onEnd(error);
  }

  #refuse(args: readonly Arg[]): Promise<never> {
    return Promise.reject(new ClosedError(`${commandName(args)} not sent: ${this.#endReason}`));
  }
}

/** What the owner answers a connect request with. */
type Connected = { port: MessagePort; info: SessionInfo };

/**
 * Throw `AbortError` when the call's signal is already aborted: its request must not be queued,
 * for the owner would write the command before the abort that follows it could stop it.
 */
function notAborted(args: readonly Arg[], options: CommandOptions | undefined): void {
  const signal = options?.signal;
  if (signal?.aborted) throw new AbortError(`${commandName(args)} aborted`, { cause: signal.reason });
}

function wireOptions(options: CommandOptions | undefined, blocking: boolean, isolation: number | undefined): WireOptions | 0 {
  const wire: WireOptions = {};
  if (options?.timeout !== undefined) wire.timeout = options.timeout;
  if (options?.bytes !== undefined) wire.bytes = options.bytes;
  if (options?.signal || blocking) wire.abortable = true;
  if (isolation !== undefined) wire.isolation = isolation;
  return Object.keys(wire).length > 0 ? wire : 0; // 0: nothing to say, the owner uses its defaults
}
