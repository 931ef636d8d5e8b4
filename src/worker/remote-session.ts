/**
 * Worker side of a session: requests issued in one tick leave as one message; replies settle
 * the matching calls. Every call settles: with its reply, with the error the owner sent, at its
 * own deadline (the owner's plus a grace period, for an owner that vanished), when its signal
 * aborts (the owner is told, and stops the command), or when the owner goes silent for the
 * heartbeat timeout — which also covers calls without a deadline (BLPOP 0, waiting for a lease).
 * @module
 */
import type { Cmd } from "../client/spec.ts";
import { blockingDeadline, blockingTimeout } from "../conn/blocking.ts";
import { Command, commandName, type CommandOptions } from "../conn/command.ts";
import { Deadlines } from "../conn/deadlines.ts";
import { ClosedError, ConnectionError, RedisError } from "../errors.ts";
import { validateCommand } from "../resp/validate.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { toPort, type Endpoint, type Port } from "./endpoint.ts";
import { errorFromWire, type OwnerMessage, type RequestOp, type SessionInfo, type WireError, type WireOptions, type WorkerMessage } from "./protocol.ts";
import { TickFlush } from "./tick.ts";
import { argsForWire, replyFromWire } from "./values.ts";

/** Added to the owner's deadline for a command, so the owner's own timeout (or reply) wins the race. */
export const WORKER_GRACE_MS = 1_000;


/** Where a worker client is in its life. */
export type RemoteState = "connecting" | "open" | "closing" | "closed";

const ignore = () => {};

/**
 * The calls of one worker client and the port they travel on.
 *
 * @example
 * ```ts
 * const session = new RemoteSession(ownerApi.connect(), 10_000, (error) => console.log("ended", error));
 * await session.send(["PING"]); // "PONG", run by the owner
 * ```
 */
export class RemoteSession {
  #state: RemoteState = "connecting";
  #port: Port | undefined;
  #rawPort: MessagePort | undefined;
  #stopListening = ignore;
  #info: SessionInfo | undefined;
  readonly #pending = new Map<number, Command>();
  #nextId = 0;
  readonly #requests: unknown[] = [];
  readonly #transfer: Transferable[] = [];
  readonly #flush = new TickFlush(() => this.#sendBatch());
  // No deadline for default-timeout calls until the owner tells its commandTimeout; the heartbeat covers them.
  #deadlines = new Deadlines(0);
  #lastHeard = Date.now();
  #watch: ReturnType<typeof setTimeout> | undefined;
  readonly #onEnd: (error: Error | undefined) => void;
  readonly #connectTimeout: number;
  #endReason = "the client is closed";

  /** `connectTimeout`: how long calls wait for the owner to answer at all, ms. */
  constructor(connected: Promise<{ port: MessagePort; info: SessionInfo }>, connectTimeout: number, onEnd: (error: Error | undefined) => void) {
    this.#onEnd = onEnd;
    this.#connectTimeout = connectTimeout;
    connected.then(
      ({ port, info }) => this.#attach(port, info),
      (err: unknown) => this.#end(new ConnectionError("could not connect to the owner thread", { cause: err }), "the owner refused the connection"),
    );
  }

  get state(): RemoteState {
    return this.#state;
  }

  /** The owner's default command timeout, ms; 0 until connected. */
  get commandTimeout(): number {
    return this.#info?.commandTimeout ?? 0;
  }

  /** Run a command in the owner, on its shared client or (with `isolation`) on an isolated connection. */
  send(args: readonly Arg[], options?: CommandOptions, isolation?: number): Promise<RespValue> {
    if (this.#state === "closing" || this.#state === "closed") return this.#refuse(args);
    try {
      validateCommand(args); // a bad argument would fail the whole batch's postMessage
    } catch (err) {
      return Promise.reject(err);
    }
    const blocking = blockingTimeout(args);
    const cmd = this.#command(args, options, blocking);
    const wire = options || blocking !== undefined || isolation !== undefined ? wireOptions(options, blocking !== undefined, isolation) : 0;
    this.#enqueue("send", cmd, argsForWire(args, this.#transfer), wire, options?.signal);
    return cmd.promise;
  }

  /** `MULTI ... EXEC` in the owner; replies are parsed here, where the parse functions live. */
  async transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions, isolation?: number): Promise<unknown[] | null> {
    if (this.#state === "closing" || this.#state === "closed") return this.#refuse(["MULTI"]);
    for (const cmd of commands) validateCommand(cmd.args);
    const cmd = this.#command(["MULTI"], options, undefined);
    const lists = commands.map((c) => argsForWire(c.args, this.#transfer));
    this.#enqueue("transaction", cmd, lists, options || isolation !== undefined ? wireOptions(options, false, isolation) : 0, options?.signal);
    const results = (await cmd.promise) as RespValue[] | null;
    if (results === null) return null;
    return results.map((reply, i) => (reply instanceof RedisError || !commands[i]!.parse ? reply : commands[i]!.parse!(reply)));
  }

  /**
   * A control request (`isolate`, `subscribe`, ...): `name` appears in error messages. Resolves
   * to the request id (which names the isolation or subscription) and its settlement.
   */
  control(op: RequestOp, name: string, payload: unknown, transfer?: Transferable): { id: number; done: Promise<RespValue> } {
    // Releases and unsubscribes still go out while closing: they give back what the worker held.
    const giveBack = op === "release" || op === "unsubscribe";
    if (this.#state === "closed" || (this.#state === "closing" && !giveBack)) return { id: 0, done: this.#refuse([name]) };
    // Waiting for a lease or a release has no deadline of its own here: the owner's acquireTimeout and the heartbeat bound it.
    const cmd = new Command([name], false, op === "subscribe" || op === "unsubscribe" ? this.#deadlines.defaultTimeout : 0);
    if (transfer) this.#transfer.push(transfer);
    const id = this.#enqueue(op, cmd, payload, 0, undefined);
    return { id, done: cmd.promise };
  }

  /**
   * Stop taking calls, give pending ones up to `timeout` ms to settle, tell the owner (which
   * releases everything held for this worker), and close the port.
   */
  async close(timeout: number): Promise<void> {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.#state = "closing";
    if (this.#pending.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = Promise.allSettled([...this.#pending.values()].map((cmd) => cmd.promise));
      await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, timeout)))]);
      clearTimeout(timer);
    }
    this.#sendBatch();
    this.#port?.post({ kind: "bye" } satisfies WorkerMessage);
    this.#end(undefined, "the client is closed");
  }

  #command(args: readonly Arg[], options: CommandOptions | undefined, blocking: number | undefined): Command {
    let timeout: number;
    if (options?.timeout !== undefined) timeout = options.timeout > 0 ? options.timeout + WORKER_GRACE_MS : 0;
    else if (blocking !== undefined) timeout = blocking === 0 ? 0 : blockingDeadline(blocking) + WORKER_GRACE_MS;
    else timeout = this.#deadlines.defaultTimeout;
    const cmd = new Command(args, false, timeout, options?.signal);
    this.#deadlines.track(cmd, timeout);
    return cmd;
  }

  #enqueue(op: RequestOp, cmd: Command, payload: unknown, wire: WireOptions | 0, signal: AbortSignal | undefined): number {
    if (cmd.state === "done") return 0; // its signal had already aborted
    const id = ++this.#nextId;
    this.#pending.set(id, cmd);
    this.#requests.push(op, id, payload, wire);
    this.#flush.schedule();
    if (this.#watch === undefined) this.#watchOwner();
    if (signal) this.#forwardAbort(id, cmd, signal);
    return id;
  }

  /** The caller's promise rejects at once (Command does that); the owner is told to stop the command. */
  #forwardAbort(id: number, cmd: Command, signal: AbortSignal): void {
    const onAbort = () => {
      if (!this.#pending.delete(id) || this.#state === "closed") return;
      this.#requests.push("abort", 0, id, 0);
      this.#flush.schedule();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const off = () => signal.removeEventListener("abort", onAbort);
    cmd.promise.then(off, off);
  }

  #sendBatch(): void {
    if (!this.#port || this.#requests.length === 0) return; // before connect, requests wait here
    this.#port.post({ kind: "batch", requests: this.#requests } satisfies WorkerMessage, this.#transfer);
    this.#requests.length = this.#transfer.length = 0; // postMessage cloned them synchronously
  }

  #attach(port: MessagePort, info: SessionInfo): void {
    if (this.#state === "closed") {
      port.postMessage({ kind: "bye" } satisfies WorkerMessage);
      port.close();
      return;
    }
    this.#info = info;
    this.#rawPort = port;
    this.#port = toPort(port as unknown as Endpoint);
    this.#stopListening = this.#port.listen((data) => this.#receive(data as OwnerMessage));
    this.#deadlines = new Deadlines(info.commandTimeout > 0 ? info.commandTimeout + WORKER_GRACE_MS : 0);
    this.#lastHeard = Date.now();
    if (this.#state === "connecting") this.#state = "open";
    this.#sendBatch();
  }

  #receive(message: OwnerMessage): void {
    this.#lastHeard = Date.now();
    switch (message.kind) {
      case "replies": {
        const { ok, failed, nested } = message;
        for (let i = 0; i < ok.length; i += 2) this.#settle(ok[i] as number, ok[i + 1] as RespValue);
        for (let i = 0; i < nested.length; i += 2) this.#settle(nested[i] as number, replyFromWire(nested[i + 1]));
        for (let i = 0; i < failed.length; i += 2) this.#fail(failed[i] as number, errorFromWire(failed[i + 1] as WireError));
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

  #settle(id: number, value: RespValue): void {
    const cmd = this.#pending.get(id);
    if (cmd === undefined) return;
    this.#pending.delete(id);
    cmd.settle(value);
  }

  #fail(id: number, err: Error): void {
    const cmd = this.#pending.get(id);
    if (cmd === undefined) return;
    this.#pending.delete(id);
    cmd.fail(err);
  }

  /** Armed while calls are pending: an owner silent for the heartbeat timeout is taken for gone. */
  #watchOwner(): void {
    const limit = this.#info?.heartbeatTimeout ?? this.#connectTimeout;
    if (this.#pending.size === 0 || this.#state === "closed") return void (this.#watch = undefined);
    if (this.#watch === undefined) this.#lastHeard = Date.now(); // nothing was expected until now
    const silent = Date.now() - this.#lastHeard;
    if (silent >= limit) {
      this.#watch = undefined;
      const reason = this.#port ? `the owner thread did not answer for ${limit} ms` : `no owner answered on this endpoint within ${limit} ms`;
      this.#end(new ConnectionError(reason), reason);
      return;
    }
    this.#watch = setTimeout(() => this.#watchOwner(), limit - silent);
  }

  /** Settle every pending call, stop every timer, close the port. `error` is why, unless the user closed. */
  #end(error: Error | undefined, reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    this.#endReason = reason;
    for (const cmd of this.#pending.values()) {
      const message = `${cmd.name} did not complete: ${reason}`;
      cmd.fail(error instanceof ConnectionError ? new ConnectionError(message) : new ClosedError(message));
    }
    this.#pending.clear();
    this.#requests.length = this.#transfer.length = 0;
    clearTimeout(this.#watch);
    this.#watch = undefined;
    this.#deadlines.clear();
    this.#stopListening();
    this.#rawPort?.close();
    this.#onEnd(error);
  }

  #refuse(args: readonly Arg[]): Promise<never> {
    return Promise.reject(new ClosedError(`${commandName(args)} not sent: ${this.#endReason}`));
  }
}

function wireOptions(options: CommandOptions | undefined, blocking: boolean, isolation: number | undefined): WireOptions | 0 {
  const wire: WireOptions = {};
  if (options?.timeout !== undefined) wire.timeout = options.timeout;
  if (options?.bytes !== undefined) wire.bytes = options.bytes;
  if (options?.signal || blocking) wire.abortable = true;
  if (isolation !== undefined) wire.isolation = isolation;
  return Object.keys(wire).length > 0 ? wire : 0; // 0: nothing to say, the owner uses its defaults
}
