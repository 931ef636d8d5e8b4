/**
 * Worker side of a session: requests issued in one tick leave as one message (`request-batch.ts`);
 * replies settle the matching calls. Every call settles: with its reply, with the error the owner sent, at its
 * own deadline (the owner's plus a grace period, for an owner that vanished; for a command encoded
 * here, which the owner keeps no deadline for, the command's own), when its signal
 * aborts (the owner is told, and stops the command), or when the owner goes silent for the
 * heartbeat timeout — which also covers calls without a deadline (BLPOP 0, waiting for a lease).
 *
 * Until the owner answers, the connect request is repeated (`connect-retry.ts`). The session
 * ends, and `ready` rejects, once `connectTimeout` passes without an answer. One timer keeps all
 * of that, the deadlines and the owner's liveness (`session-watch.ts`); what a call's options
 * become on the wire and as a deadline is in `call-options.ts`.
 * @module
 */
import { ClientCache } from "../cache/cache.ts";
import type { Cmd } from "../client/spec.ts";
import type { CommandInfo } from "../commands/table.ts";
import { blockingTimeout, commandName, lookupCommand } from "../commands/lookup.ts";
import { prefixKeys } from "../commands/prefix.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { HookSet } from "../conn/hook-set.ts";
import { reportTo } from "../conn/hooks.ts";
import { ClosedError, ConnectionError, RedisError } from "../errors.ts";
import { waitAtMost } from "../wait.ts";
import { validateCommand } from "../resp/validate.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { callTimeout, notAborted, WORKER_GRACE_MS, wireOptions } from "./call-options.ts";
import { PendingCalls, type ReplyForm } from "./calls.ts";
import { ConnectRetry, declineSession, type Connected } from "./connect-retry.ts";
import { toPort, type Endpoint, type Port } from "./endpoint.ts";
import { errorFromWire, type OwnerMessage, type RequestOp, type SessionInfo, type WireError, type WorkerMessage } from "./protocol.ts";
import { applyCacheNews } from "./cache.ts";
import { FrameReader } from "./raw.ts";
import { RequestBatch } from "./request-batch.ts";
import { SessionWatch } from "./session-watch.ts";
import { pushArgs, replyFromWire } from "./values.ts";

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
  /** This tick's requests; its deadlines are watched from the first one on. */
  readonly #batch = new RequestBatch(() => this.#sendBatch(), () => this.#watch.ensure());
  /** The worker's client-side cache (see {@link RemoteSession.cache}). */
  #cache: ClientCache | undefined;
  /** Plain commands are encoded here, and their replies decoded here, when the owner takes them so (see `raw.ts`). */
  #encodeHere = false;
  readonly #frameReader = new FrameReader(this.#calls);
  /** Worker-side deadline of a call with the owner's default timeout; 0 (none) until the owner tells it. */
  #defaultTimeout = 0;
  readonly #watch: SessionWatch;
  readonly #onEnd: (error: Error | undefined) => void;
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
    this.#onEnd = onEnd;
    this.#hooks = hooks; // read at each call: hooks may be added later
    this.ready = new Promise((resolve, reject) => (this.#ready = { resolve, reject }));
    this.ready.catch(() => {}); // nobody has to wait for it
    const requests = new ConnectRetry(connect, (connected) => this.#attach(connected), (err) => this.#refused(err));
    this.#watch = new SessionWatch({
      calls: this.#calls,
      requests,
      ended: () => this.#state === "closed",
      connecting: () => this.#port === undefined,
      heartbeatTimeout: () => this.#info!.heartbeatTimeout,
      lost: (reason) => this.#end(new ConnectionError(reason), reason),
    }, connectTimeout);
    requests.send();
    this.#watch.arm(requests.due);
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
    const named = this.#named(args);
    const read = isolation === undefined ? cache.lookup(named, info, options, options?.bytes ?? this.#info!.decodeBytes) : undefined;
    if (read instanceof Promise) return read;
    const settled = cache.watch(named);
    const reply = this.#send(args, options, isolation, info);
    if (read) {
      const fill = cache.fill(read, reply);
      reply.then(fill, fill);
    }
    if (settled) reply.then(settled, settled);
    return reply;
  }

  /** `args` as Redis names their keys in its invalidations (what the cache keeps): with the owner's prefix. */
  #named(args: readonly Arg[]): readonly Arg[] {
    return this.keyPrefix ? prefixKeys(args, this.keyPrefix) : args;
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
    const id = this.#batch.add("send", wire, args, undefined);
    return reportTo(this.#calls.add(id, args, callTimeout(options, blocking, this.#defaultTimeout), options?.signal), observer);
  }

  /** A plain command, encoded here; its reply comes back as the server sent it (see `raw.ts`). */
  #sendRaw(args: readonly Arg[], bytes: boolean): Promise<RespValue> {
    const id = this.#batch.addEncoded(args);
    const form: ReplyForm = bytes ? "frame-bytes" : "frame";
    // The owner keeps no deadline for it: this call's is the command's own, kept by the watch.
    const timeout = this.#info!.commandTimeout;
    this.#watch.deadlineIn(timeout);
    return this.#calls.add(id, args, timeout, undefined, form);
  }

  /** `MULTI ... EXEC` in the owner; replies are parsed here, where the parse functions live. */
  async transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions, isolation?: number): Promise<unknown[] | null> {
    if (this.#state === "closing" || this.#state === "closed") return this.#refuse(["MULTI"]);
    for (const cmd of commands) validateCommand(cmd.args);
    notAborted(["MULTI"], options);
    const lists = commands.map((c) => {
      const list: Arg[] = [];
      pushArgs(c.args, list, this.#batch.transfer);
      return list;
    });
    const wire = options || isolation !== undefined ? wireOptions(options, false, isolation) : 0;
    const id = this.#batch.add("transaction", wire, undefined, lists);
    const observer = this.#hooks?.observe(["MULTI"], commands.length);
    const written = this.#cache ? commands.map((cmd) => this.#cache!.watch(this.#named(cmd.args))) : [];
    const outcome = reportTo(this.#calls.add(id, ["MULTI"], callTimeout(options, undefined, this.#defaultTimeout), options?.signal), observer);
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
    if (transfer) this.#batch.transfer.push(transfer);
    const id = this.#batch.add(op, 0, undefined, payload);
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
    if (this.#calls.size > 0) await waitAtMost(this.#calls.settled(), timeout);
    this.#sendBatch();
    this.#port?.post({ kind: "bye" } satisfies WorkerMessage);
    this.#end(undefined, "the client is closed");
  }

  /** A call's signal aborted it (its promise already rejected): tell the owner to stop the command. */
  #abort(id: number): void {
    if (this.#state === "closed") return;
    this.#batch.abort(id);
  }

  #sendBatch(): void {
    if (this.#port) this.#batch.post(this.#port); // before connect, requests wait here
  }

  /** A connect request was refused. */
  #refused(err: unknown): void {
    if (this.#port) return; // another request was answered
    this.#end(new ConnectionError("could not connect to the owner thread", { cause: err }), "the owner refused the connection");
  }

  #attach({ port, info }: Connected): void {
    if (this.#state === "closed" || this.#port) {
      // Closed meanwhile, or an answer to a repeated request: the owner may let this session go.
      declineSession(port);
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
    this.#watch.heard();
    if (this.#state === "connecting") this.#state = "open";
    this.#ready.resolve();
    this.#sendBatch();
  }

  #receive(message: OwnerMessage): void {
    this.#watch.heard();
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

  /** Settle every pending call, stop the timer, close the port. `error` is why, unless the user closed. */
  #end(error: Error | undefined, reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#endReason = reason;
    this.#ready.reject(error ?? new ClosedError(`not connected: ${reason}`));
    // A call that reached the owner may have run: only one that never left gets ClosedError ("not sent").
    const lost = error instanceof ConnectionError;
    this.#calls.failAll((name, id) =>
      lost ? new ConnectionError(`${name} did not complete: ${reason}`)
      : this.#batch.posted(id) ? new ConnectionError(`${name} did not complete: ${reason}; it reached the owner, so it may have run`)
      : new ClosedError(`${name} not sent: ${reason}`)
    );
    this.#batch.clear();
    this.#cache?.suspend(); // no invalidation reaches it any more
    this.#watch.stop();
    this.#stopListening();
    this.#rawPort?.close();
    this.#onEnd(error);
  }

  #refuse(args: readonly Arg[]): Promise<never> {
    return Promise.reject(new ClosedError(`${commandName(args)} not sent: ${this.#endReason}`));
  }
}
