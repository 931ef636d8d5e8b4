/**
 * The calls a worker client is waiting on, keyed by request id. Lighter than a `Command` per call
 * (a worker-side call needs no write state, timer or hooks — the owner's command has those, or,
 * for a command the worker encoded, the watch timer keeps its deadline), and
 * kept in a ring indexed by id rather than a `Map`: ids are sequential and replies come back
 * nearly in order, and a Map churned by one set and one delete per call rebuilds its hash table
 * every few hundred calls — measured on Node 20, those tables (and the calls in them) got
 * promoted to the old generation at such a rate that GC took a third of a worker's time.
 * Deadlines are swept by the session's watch timer, not a timer per call.
 * @module
 */
import { commandName } from "../commands/lookup.ts";
import { AbortError, RedisError, TimeoutError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";

/** Slots of an empty ring; a power of two, so a slot is `id & mask`. */
const MIN_SLOTS = 1024;

/**
 * How a call's reply comes: as a value the owner decoded, or as the server's bytes for this
 * thread to decode (see `raw.ts`), into strings or into `Uint8Array`s.
 */
export type ReplyForm = "value" | "frame" | "frame-bytes";

/** One call awaiting the owner's reply. */
interface Call {
  id: number;
  promise: Promise<RespValue>;
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
  /** What the call was, for error messages: the command's arguments (never shown, only the name). */
  args: readonly Arg[];
  /** `Date.now()` ms after which the worker gives up on the owner, or 0 for never. */
  deadline: number;
  form: ReplyForm;
  /** Stops listening to the caller's signal, when there is one. */
  unlisten: (() => void) | undefined;
}

/**
 * Outstanding calls.
 *
 * @example
 * ```ts
 * const calls = new PendingCalls((id) => tellOwnerToAbort(id));
 * const promise = calls.add(1, ["GET", "k"], 6_000, undefined);
 * calls.settle(1, "v"); // promise resolves to "v"
 * ```
 */
export class PendingCalls {
  /** Call `id` sits at `id & mask`; the ring doubles when an old call still holds a new call's slot. */
  #slots: Array<Call | undefined> = new Array<Call | undefined>(MIN_SLOTS).fill(undefined);
  #mask = MIN_SLOTS - 1;
  #size = 0;
  readonly #onAbort: (id: number) => void;

  /** `onAbort(id)` is called when a call's signal aborts it (the owner should stop the command). */
  constructor(onAbort: (id: number) => void) {
    this.#onAbort = onAbort;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Track call `id`. `timeout` ms (0 = none) bounds how long it waits for the owner; `signal`
   * rejects it at once with `AbortError`. A raw call's (`form` other than "value") timeout is the
   * command's own: the owner keeps no deadline for it.
   */
  add(id: number, args: readonly Arg[], timeout: number, signal: AbortSignal | undefined, form: ReplyForm = "value"): Promise<RespValue> {
    let resolve!: Call["resolve"];
    let reject!: Call["reject"];
    const promise = new Promise<RespValue>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const call: Call = { id, promise, resolve, reject, args, deadline: timeout > 0 ? Date.now() + timeout : 0, form, unlisten: undefined };
    if (signal) {
      if (signal.aborted) {
        call.reject(new AbortError(`${commandName(args)} aborted`, { cause: signal.reason }));
        this.#onAbort(id); // its request is already queued
        return promise;
      }
      const abort = () => {
        if (this.#take(id) !== call) return;
        call.reject(new AbortError(`${commandName(args)} aborted`, { cause: signal.reason }));
        this.#onAbort(id);
      };
      signal.addEventListener("abort", abort, { once: true });
      call.unlisten = () => signal.removeEventListener("abort", abort);
    }
    this.#put(call);
    return promise;
  }

  /** Resolve call `id` with the owner's reply (an error reply rejects). No-op for unknown ids. */
  settle(id: number, value: RespValue): void {
    const call = this.#take(id);
    if (!call) return;
    if (value instanceof RedisError) call.reject(value);
    else call.resolve(value);
  }

  /** Whether call `id` wants its reply's strings as `Uint8Array` (false for unknown ids). */
  wantsBytes(id: number): boolean {
    const call = this.#slots[id & this.#mask];
    return call !== undefined && call.id === id && call.form === "frame-bytes";
  }

  /** Reject call `id`. No-op for unknown ids. */
  fail(id: number, error: Error): void {
    this.#take(id)?.reject(error);
  }

  /** Reject every call, each with the error `make` builds from its command name. */
  failAll(make: (name: string) => Error): void {
    const calls = this.#all();
    this.#reset();
    for (const call of calls) {
      call.unlisten?.();
      call.reject(make(commandName(call.args)));
    }
  }

  /** Reject the calls whose deadline passed with `TimeoutError`; returns the earliest deadline left, or 0. */
  expire(now: number): number {
    let earliest = 0;
    for (const call of this.#all()) {
      if (call.deadline === 0) continue;
      if (call.deadline > now) {
        if (earliest === 0 || call.deadline < earliest) earliest = call.deadline;
        continue;
      }
      this.#take(call.id);
      const what = call.form === "value" ? "timed out: no reply from the owner thread" : "timed out waiting for its reply";
      call.reject(new TimeoutError(`${commandName(call.args)} ${what}`));
    }
    return earliest;
  }

  /** Resolves once every call now outstanding has settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled(this.#all().map((call) => call.promise));
  }

  #put(call: Call): void {
    while (this.#slots[call.id & this.#mask] !== undefined) this.#grow();
    this.#slots[call.id & this.#mask] = call;
    this.#size++;
  }

  #take(id: number): Call | undefined {
    const slot = id & this.#mask;
    const call = this.#slots[slot];
    if (call === undefined || call.id !== id) return undefined;
    this.#slots[slot] = undefined;
    call.unlisten?.();
    if (--this.#size === 0 && this.#slots.length > MIN_SLOTS) this.#reset(); // give a burst's ring back
    return call;
  }

  #grow(): void {
    const calls = this.#all();
    this.#slots = new Array<Call | undefined>(this.#slots.length * 2).fill(undefined);
    this.#mask = this.#slots.length - 1;
    this.#size = 0;
    for (const call of calls) this.#put(call);
  }

  #reset(): void {
    this.#slots = new Array<Call | undefined>(MIN_SLOTS).fill(undefined);
    this.#mask = MIN_SLOTS - 1;
    this.#size = 0;
  }

  #all(): Call[] {
    return this.#slots.filter((call): call is Call => call !== undefined);
  }
}
