/**
 * One Redis connection: the socket, the codec, and the queue of commands awaiting replies.
 *
 * Writes issued in one tick leave together at the end of the tick (nats.js-style: the first command
 * schedules a microtask flush; a byte threshold flushes at once) — except that while Redis has none
 * of this connection's commands, they leave as soon as 32 are waiting, so that Redis and the client
 * work at the same time instead of taking turns. Replies settle their commands one by one as they
 * are decoded, in order. Anything unexpected — malformed RESP, a reply nobody asked for —
 * poisons only this connection: it is destroyed and its commands rejected with the reason.
 * @module
 */
import { ClosedError, LimitError, ProtocolError, RedisError } from "../errors.ts";
import { CommandEncoder } from "../resp/encode.ts";
import { Decoder } from "../resp/decode.ts";
import type { RespValue } from "../resp/types.ts";
import type { Socket } from "../transport/types.ts";
import type { Command } from "./command.ts";
import type { ConnectionHooks, WireCommand } from "./connection-hooks.ts";
import { errorInFrame } from "./error-frame.ts";
import { afterQuietRounds } from "./flush-rounds.ts";
import { ReplySpan } from "./raw-command.ts";
import { guarded } from "./hooks.ts";
import { LivenessWatch } from "./liveness.ts";
import { describeAddress, type ResolvedConnectionOptions } from "./options.ts";
import { Queue } from "./queue.ts";
import { closeSocket, failUnwritten, failWritten } from "./teardown.ts";
import { waitAtMost } from "../wait.ts";

export type { ConnectionHooks, WireCommand };

/** Past this many encoded bytes a flush happens at once instead of at the end of the tick. */
const FLUSH_THRESHOLD = 256 * 1024;
/**
 * With nothing of ours at Redis, this many commands leave at once (see #flushSoon): enough to
 * keep Redis busy for a while, few enough to leave soon. 32 measured best of 16, 32 and a single
 * end-of-tick write at 100 and 1000 callers (bench/mux.ts).
 */
const EARLY_FLUSH = 32;

/** `open` → handshake running; `ready` → usable; `closing` → draining replies; `closed`. */
export type ConnectionState = "open" | "ready" | "closing" | "closed";

/** A single connection. Create it with `openConnection()` (conn/open.ts), which runs the handshake. */
export class Connection {
  readonly options: ResolvedConnectionOptions;
  readonly address: string;
  /** Bumped by nothing: each Connection is one socket's lifetime. Owners compare instances to detect reconnects. */
  state: ConnectionState = "open";
  /** Server-assigned client id (from HELLO, or CLIENT ID on RESP2); 0 until known. */
  clientId = 0;
  readonly closed: Promise<Error | undefined>;

  #socket: Socket | undefined;
  #hooks: ConnectionHooks;
  #encoder = new CommandEncoder();
  /** Replies to raw commands not handed over yet (see {@link ReplySpan}). */
  readonly #replySpan = new ReplySpan();
  #decoder: Decoder;
  #inFlight = new Queue<WireCommand>();
  /** Commands ever queued for writing here (see {@link Connection.answered}). */
  #enqueued = 0;
  /** Notices a peer that stopped answering without closing (see liveness.ts). */
  readonly #liveness: LivenessWatch | undefined;
  /** Encoded chunks waiting behind a blocked socket, in order (pre-encoded batches go here too). */
  #chunks: Uint8Array[] = [];
  /** How many commands at the tail of #inFlight have not been handed to the socket yet. */
  #unflushed = 0;
  #flushScheduled = false;
  #blocked = false;
  #closeError: Error | undefined;
  #resolveClosed!: (err: Error | undefined) => void;
  #drained: (() => void) | undefined;

  constructor(options: ResolvedConnectionOptions, hooks: ConnectionHooks = {}) {
    this.options = options;
    this.address = describeAddress(options);
    this.#hooks = hooks;
    this.#decoder = new Decoder(
      {
        onReply: (value) => this.#onReply(value),
        onPush: (value) => this.#onPush(value),
        onFrame: (buf, start, end) => this.#onFrame(buf, start, end),
        onLimit: (error) => this.#onLimit(error),
      },
      { bytes: options.decode === "bytes" },
    );
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#liveness = LivenessWatch.for(options, {
      address: this.address,
      awaiting: (index) => this.#inFlight.at(index),
      dead: (err) => this.destroy(err),
    });
  }

  /** Commands written or queued here that have not had their reply yet. */
  get inFlight(): number {
    return this.#inFlight.length;
  }

  /**
   * How many commands queued here so far have had their reply: what `enqueued` was when a
   * command-less write (a subscriber's SUBSCRIBE) went out tells whether a reply now arriving can
   * be that write's, or is the reply of a command written before it.
   */
  get answered(): number {
    return this.#enqueued - this.#inFlight.length;
  }

  /** How many commands were ever queued for writing here. */
  get enqueued(): number {
    return this.#enqueued;
  }

  /** How many more commands it takes before `maxInFlight` refuses them. */
  get room(): number {
    return this.options.maxInFlight - this.#inFlight.length;
  }

  /** Attach the connected socket (done once by openConnection). */
  attach(socket: Socket): void {
    this.#socket = socket;
    this.#hooks.onConnect?.();
    socket.closed.then((err) => this.#lost(err), (err) => this.#lost(err as Error));
  }

  /** Feed received bytes (the socket's onData). */
  receive(chunk: Uint8Array): void {
    if (this.#liveness) this.#liveness.heard = true;
    try {
      this.#decoder.feed(chunk);
    } catch (err) {
      this.destroy(err instanceof ProtocolError ? err : new ProtocolError(`bad reply from ${this.address}`, { cause: err }));
    } finally {
      this.#replySpan.handOver(); // it points into `chunk`, which the transport may reuse
    }
  }

  /**
   * Queue `cmd` for writing. Rejects it at once (nothing written) when an argument is invalid, the
   * connection is closed, or `maxInFlight` is reached.
   */
  write(cmd: Command): void {
    if (cmd.state === "done") return;
    if (this.state === "closing" || this.state === "closed") {
      cmd.fail(new ClosedError(`${cmd.name} not sent: connection to ${this.address} is ${this.state}`));
      return;
    }
    if (this.#inFlight.length >= this.options.maxInFlight) {
      cmd.fail(new LimitError("maxInFlight", `${cmd.name} refused: ${this.options.maxInFlight} commands already await replies on ${this.address} (maxInFlight)`));
      return;
    }
    try {
      this.#encoder.encode(cmd.args);
    } catch (err) {
      cmd.fail(err as Error);
      return;
    }
    this.#enqueue(cmd);
    this.#flushSoon();
  }

  /**
   * Flush now when the buffer is large, or when Redis has none of this connection's commands to
   * work on while EARLY_FLUSH or more wait here: Redis runs them while the callers of this tick
   * produce the rest, which leave at the end of the tick. Otherwise at the end of the tick.
   */
  #flushSoon(): void {
    const redisIdle = this.#unflushed >= EARLY_FLUSH && this.#unflushed === this.#inFlight.length;
    if (redisIdle || this.#encoder.length >= FLUSH_THRESHOLD) this.#flush();
    else this.#scheduleFlush();
  }

  /**
   * Queue several commands whose bytes were encoded together (MULTI ... EXEC, or a worker's
   * commands): they leave contiguously, so no other command can land between them.
   */
  writeEncoded(cmds: readonly WireCommand[], bytes: Uint8Array): void {
    if (this.state === "closing" || this.state === "closed") {
      for (const cmd of cmds) cmd.fail(new ClosedError(`${cmd.name} not sent: connection to ${this.address} is ${this.state}`));
      return;
    }
    if (this.#inFlight.length + cmds.length > this.options.maxInFlight) {
      const what = cmds.length === 1 ? cmds[0]!.name : `${cmds.length} commands written together (${cmds[0]!.name}, ...)`;
      const error = new LimitError("maxInFlight", `${what} refused: ${this.#inFlight.length} of ${this.options.maxInFlight} commands already await replies on ${this.address} (maxInFlight)`);
      for (const cmd of cmds) cmd.fail(error);
      return;
    }
    if (this.#encoder.length > 0) this.#chunks.push(this.#encoder.take());
    this.#chunks.push(bytes);
    for (const cmd of cmds) this.#enqueue(cmd);
    this.#flushSoon();
  }

  /**
   * Graceful close: no new commands; wait for replies to what was sent (at most `timeoutMs`), then
   * close. Commands still unanswered then reject with a `ConnectionError`: they may have run.
   */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.state === "closed") return;
    if (this.state !== "closing") {
      this.state = "closing";
      if (this.#inFlight.length > 0) {
        const drained = new Promise<void>((resolve) => (this.#drained = resolve));
        await waitAtMost(Promise.race([drained, this.closed]), timeoutMs);
      }
      if ((this.state as ConnectionState) !== "closed") { // the await above may have closed it
        this.#closeError = new ClosedError(`connection to ${this.address} closed`);
        await closeSocket(this.#socket);
        this.#lost(undefined);
      }
    }
    await this.closed;
  }

  /**
   * Close at once. Commands written and not yet answered reject with a `ConnectionError` saying
   * they may have run (`cause`: `err`); never-written ones go to `onClose`, or reject as not sent.
   */
  destroy(err?: Error): void {
    if (this.state === "closed") return;
    this.#closeError = err ?? new ClosedError(`connection to ${this.address} destroyed`);
    this.#socket?.destroy(err);
    this.#lost(err);
  }

  #enqueue(cmd: WireCommand): void {
    if (this.#inFlight.length === 0) {
      this.#decoder.bytes = cmd.bytes;
      this.#decoder.raw = cmd.raw;
      this.#liveness?.watch();
    }
    cmd.state = "written";
    this.#enqueued++;
    this.#inFlight.push(cmd);
    this.#unflushed++;
  }

  /** Flush once the commands of this tick are in (see flush-rounds.ts). */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const served = this.#hooks.callersServed;
    // Commands enqueued so far (not unflushed ones: an early flush would make a busy round look quiet).
    const activity = () => this.#enqueued + (served === undefined ? 0 : served());
    afterQuietRounds(activity, () => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    const socket = this.#socket;
    if (this.#blocked || !socket || this.state === "closed") return;
    if (this.#encoder.length > 0) this.#chunks.push(this.#encoder.take());
    this.#unflushed = 0;
    let ok = true;
    for (const chunk of this.#chunks) ok = socket.write(chunk) && ok;
    this.#chunks.length = 0;
    if (!ok) {
      // The socket's queue is past its high-water mark: keep encoding into our buffer (bounded by
      // maxInFlight) and hand it over when the socket drains.
      this.#blocked = true;
      socket.drain().then(() => {
        this.#blocked = false;
        this.#flush();
      }, () => {});
    }
  }

  #onReply(value: RespValue): void {
    if (this.#hooks.isPush?.(value)) return this.#onPush(value);
    // The subscriber's (un)subscribe commands have no Command to answer: it may claim an error
    // reply (a refusal) even while a heartbeat PING awaits its PONG, and any reply nothing awaits.
    const claim = this.#hooks.onUnmatchedReply;
    if (claim !== undefined && (this.#inFlight.length === 0 || value instanceof RedisError) && claim(value)) return;
    const cmd = this.#answered();
    if (cmd.raw) throw new ProtocolError(`decoded the reply to ${cmd.name}, which was to be forwarded as bytes`);
    cmd.settle(value);
    if (value instanceof RedisError) this.#hooks.onErrorReply?.(value);
    if (this.#inFlight.length === 0 && this.#drained) this.#drained();
  }

  #onFrame(buf: Uint8Array, start: number, end: number): void {
    const cmd = this.#answered();
    if (!cmd.raw) throw new ProtocolError(`the reply to ${cmd.name} was not decoded`);
    this.#replySpan.add(cmd, buf, start, end);
    if (this.#hooks.onErrorReply) {
      const error = errorInFrame(buf, start, end);
      if (error) this.#hooks.onErrorReply(error);
    }
    if (this.#inFlight.length === 0 && this.#drained) this.#drained();
  }

  /** A reply past a bound of RESP_LIMITS was read past: its command alone fails, the connection reads on. */
  #onLimit(error: LimitError): void {
    this.#answered().fail(error);
    if (this.#inFlight.length === 0 && this.#drained) this.#drained();
  }

  /** The command a reply just arrived for; the decoder is set up for the reply after it. */
  #answered(): WireCommand {
    const cmd = this.#inFlight.shift();
    if (!cmd) throw new ProtocolError(`${this.address} sent a reply no command was waiting for`);
    if (this.#unflushed > this.#inFlight.length) {
      throw new ProtocolError(`${this.address} replied to a command before it was sent`);
    }
    const next = this.#inFlight.peek();
    if (next) {
      this.#decoder.bytes = next.bytes;
      this.#decoder.raw = next.raw;
    }
    return cmd;
  }

  #onPush(value: RespValue[]): void {
    if (this.#hooks.onPush) this.#hooks.onPush(value);
  }

  /** The socket is gone (or we closed it): settle every queued command and tell the owner once. */
  #lost(socketError: Error | undefined): void {
    if (this.state === "closed") return;
    const opened = this.state !== "open"; // past the handshake: its opening was reported
    this.state = "closed";
    this.#liveness?.stop();
    const reason = this.#closeError ?? socketError;
    const commands = this.#inFlight.drain();
    const unwritten = commands.splice(commands.length - this.#unflushed, this.#unflushed);
    this.#unflushed = 0;
    this.#chunks.length = 0;
    this.#encoder.take();
    failWritten(commands, reason, this.address);
    for (const cmd of unwritten) cmd.state = "queued";
    if (this.#hooks.onClose) this.#hooks.onClose(reason, unwritten);
    else failUnwritten(unwritten, reason, this.address);
    this.#drained?.();
    this.#resolveClosed(reason);
    const hook = this.options.hooks?.connection;
    if (opened && hook) guarded(() => hook({ type: "close", address: this.address, clientId: this.clientId, ...(reason && { error: reason }) }));
  }
}
