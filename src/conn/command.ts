/**
 * One command's life: its arguments, how its reply decodes, and the promise that settles exactly
 * once — with the reply, a server error, a timeout, an abort or a lost connection.
 * @module
 */
import { commandName } from "../commands/lookup.ts";
import { AbortError, RedisError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";

/** Per-call options accepted by every command method. */
export interface CommandOptions {
  /** Aborting rejects the command with `AbortError` (if already written, its reply is discarded). */
  signal?: AbortSignal;
  /** Deadline for this command (queue, send and reply), ms, overriding `commandTimeout`; `0` disables. */
  timeout?: number;
  /** Decode this reply's strings as `Uint8Array`. */
  bytes?: boolean;
  /**
   * `false`: a read bypasses the client-side cache (sent to Redis, its reply not cached), e.g.
   * `redis.with({ cache: false }).get(k)`. Writes drop cached entries either way.
   */
  cache?: boolean;
}

/** Where a command is: waiting to be written, written and awaiting its reply, or settled. */
export type CommandState = "queued" | "written" | "done";

/** A command and its settlement. Created by executors; carried by queues and connections. */
export class Command {
  readonly args: readonly Arg[];
  readonly bytes: boolean;
  /** Absolute deadline (`Date.now()` ms), or 0 for none. */
  readonly deadline: number;
  state: CommandState = "queued";
  /** The commands of its transaction (itself included), written as one piece or not at all. */
  together: readonly Command[] | undefined = undefined;
  /** See `listen()`. */
  #listener: ((outcome: RespValue | Error) => void) | undefined = undefined;
  /** Why it failed, kept for a listener that comes after (see `listen()`). */
  #failure: Error | undefined = undefined;
  readonly promise: Promise<RespValue>;
  /** Told how the command ended (the command hook's observer), once. */
  readonly #onDone: ((error: Error | undefined) => void) | undefined;
  #resolve!: (value: RespValue) => void;
  #reject!: (err: Error) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;

  constructor(
    args: readonly Arg[],
    bytes: boolean,
    timeoutMs: number,
    signal?: AbortSignal,
    onDone?: (error: Error | undefined) => void,
  ) {
    this.args = args;
    this.#onDone = onDone;
    this.bytes = bytes;
    this.deadline = timeoutMs > 0 ? Date.now() + timeoutMs : 0;
    this.promise = new Promise<RespValue>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (signal) {
      if (signal.aborted) {
        this.fail(abortError(args, signal));
        return;
      }
      this.#signal = signal;
      this.#onAbort = () => this.fail(abortError(args, signal));
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Its reply is decoded (a raw command's is forwarded as bytes: see raw-command.ts). */
  get raw(): false {
    return false;
  }

  /** The command name, upper-cased, for messages. */
  get name(): string {
    return commandName(this.args);
  }

  /** Arm a timer of its own (for deadlines the shared sweeper does not cover). */
  armTimer(onExpire: (cmd: Command) => void): void {
    if (this.deadline === 0 || this.state === "done") return;
    this.#timer = setTimeout(() => onExpire(this), Math.max(0, this.deadline - Date.now()));
  }

  /**
   * Tell `listener` the outcome the moment it is known, before the promise settles (the
   * client-side cache keeps a reply this way, before a push read right after it could invalidate
   * it). A command that already failed — refused or aborted as it was created or written — tells
   * it at once (a reply cannot have come yet: replies arrive in a later task).
   */
  listen(listener: (outcome: RespValue | Error) => void): void {
    if (this.#failure !== undefined) listener(this.#failure);
    else this.#listener = listener;
  }

  /** Settle with a reply; an error reply rejects with it. No-op once settled. */
  settle(reply: RespValue): void {
    if (this.state === "done") return;
    const error = reply instanceof RedisError ? reply : undefined;
    this.#finish(error);
    if (this.#listener) this.#listener(reply);
    if (error) this.#reject(error);
    else this.#resolve(reply);
  }

  /** Reject. No-op once settled. */
  fail(err: Error): void {
    if (this.state === "done") return;
    this.#finish(err);
    this.#failure = err;
    if (this.#listener) this.#listener(err);
    this.#reject(err);
  }

  #finish(error: Error | undefined): void {
    this.state = "done";
    if (this.#onDone) this.#onDone(error);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort) this.#signal!.removeEventListener("abort", this.#onAbort);
    this.#timer = this.#signal = this.#onAbort = undefined;
  }
}

function abortError(args: readonly Arg[], signal: AbortSignal): AbortError {
  return new AbortError(`${commandName(args)} aborted`, { cause: signal.reason });
}
