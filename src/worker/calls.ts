/**
 * The calls a worker client is waiting on, keyed by request id. Lighter than a `Command` per call
 * (a worker-side call needs no write state, timer or hooks — the owner's command has those, or,
 * for a command the worker encoded, the watch timer keeps its deadline), and
 * kept in a ring indexed by id rather than a `Map`: ids are sequential and replies come back
 * nearly in order, and a Map churned by one set and one delete per call rebuilds its hash table
 * every few hundred calls — measured on Node 20, those tables (and the calls in them) got
 * promoted to the old generation at such a rate that GC took a third of a worker's time.
 * A call still pending when a call `capacity` ids later needs its slot (a `BLPOP 0` beside heavy
 * traffic) moves to a small map of its own instead of doubling the ring, which would otherwise
 * grow with every call made since (4M calls: 54 MB, and a 37 ms expiry scan); the ring grows only
 * when it is half full of calls in flight, and an expiry scan shrinks it again after a burst.
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
  /** Call `id` sits at `id & mask`, unless a later call took its slot and moved it to `#stragglers`. */
  #slots: Array<Call | undefined> = new Array<Call | undefined>(MIN_SLOTS).fill(undefined);
  #mask = MIN_SLOTS - 1;
  /** Calls in the ring. */
  #inRing = 0;
  /** Calls that outlived their slot in the ring, by id: few, and long pending. */
  readonly #stragglers = new Map<number, Call>();
  readonly #onAbort: (id: number) => void;

  /** `onAbort(id)` is called when a call's signal aborts it (the owner should stop the command). */
  constructor(onAbort: (id: number) => void) {
    this.#onAbort = onAbort;
  }

  get size(): number {
    return this.#inRing + this.#stragglers.size;
  }

  /** Slots the ring holds now, taken or free: what its memory and an expiry scan cost. */
  get capacity(): number {
    return this.#slots.length;
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
    if (call !== undefined && call.id === id) return call.form === "frame-bytes";
    return this.#stragglers.get(id)?.form === "frame-bytes";
  }

  /** Reject call `id`. No-op for unknown ids. */
  fail(id: number, error: Error): void {
    this.#take(id)?.reject(error);
  }

  /** Reject every call, each with the error `make` builds from its command name and id. */
  failAll(make: (name: string, id: number) => Error): void {
    const calls = this.#all();
    this.#resetRing();
    this.#stragglers.clear();
    for (const call of calls) {
      call.unlisten?.();
      call.reject(make(commandName(call.args), call.id));
    }
  }

  /**
   * Reject the calls whose deadline passed with `TimeoutError`; returns the earliest deadline left,
   * or 0. Walks the ring once, and gives back what a past burst made it grow to.
   */
  expire(now: number): number {
    const expired: Call[] = [];
    let earliest = 0;
    const slots = this.#slots;
    for (let slot = 0; slot < slots.length; slot++) {
      const call = slots[slot];
      if (call === undefined || call.deadline === 0) continue;
      if (call.deadline > now) {
        if (earliest === 0 || call.deadline < earliest) earliest = call.deadline;
        continue;
      }
      slots[slot] = undefined;
      this.#inRing--;
      expired.push(call);
    }
    for (const call of this.#stragglers.values()) {
      if (call.deadline === 0) continue;
      if (call.deadline > now) {
        if (earliest === 0 || call.deadline < earliest) earliest = call.deadline;
        continue;
      }
      this.#stragglers.delete(call.id);
      expired.push(call);
    }
    if (slots.length > MIN_SLOTS && this.#inRing * 8 < slots.length) this.#resize(Math.max(MIN_SLOTS, slots.length / 4));
    for (const call of expired) {
      call.unlisten?.();
      const what = call.form === "value" ? "timed out: no reply from the owner thread" : "timed out waiting for its reply";
      call.reject(new TimeoutError(`${commandName(call.args)} ${what}`));
    }
    return earliest;
  }

  /** The earliest deadline of the calls outstanding, or 0 for none. */
  nextDeadline(): number {
    let earliest = 0;
    for (const call of this.#slots) if (call !== undefined && call.deadline !== 0 && (earliest === 0 || call.deadline < earliest)) earliest = call.deadline;
    for (const call of this.#stragglers.values()) if (call.deadline !== 0 && (earliest === 0 || call.deadline < earliest)) earliest = call.deadline;
    return earliest;
  }

  /** Resolves once every call now outstanding has settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled(this.#all().map((call) => call.promise));
  }

  #put(call: Call): void {
    let slot = call.id & this.#mask;
    const held = this.#slots[slot];
    if (held !== undefined) {
      // Half full: this many calls are in flight, the ring must hold them. Otherwise `held` is a
      // straggler, `capacity` ids older than `call`: it leaves the ring rather than double it.
      if (this.#inRing * 2 >= this.#slots.length) {
        this.#resize(this.#slots.length * 2);
        slot = call.id & this.#mask;
      }
      const still = this.#slots[slot];
      if (still !== undefined) {
        this.#stragglers.set(still.id, still);
        this.#inRing--;
      }
    }
    this.#slots[slot] = call;
    this.#inRing++;
  }

  #take(id: number): Call | undefined {
    const slot = id & this.#mask;
    const call = this.#slots[slot];
    if (call === undefined || call.id !== id) return this.#stragglers.size > 0 ? this.#takeStraggler(id) : undefined;
    this.#slots[slot] = undefined;
    call.unlisten?.();
    if (--this.#inRing === 0 && this.#slots.length > MIN_SLOTS) this.#resetRing(); // give a burst's ring back
    return call;
  }

  #takeStraggler(id: number): Call | undefined {
    const call = this.#stragglers.get(id);
    if (call === undefined) return undefined;
    this.#stragglers.delete(id);
    call.unlisten?.();
    return call;
  }

  /** Move the ring's calls to a ring of `length` slots, oldest first: where two meet, the older becomes a straggler. */
  #resize(length: number): void {
    const calls = this.#slots.filter((call): call is Call => call !== undefined).sort((a, b) => a.id - b.id);
    this.#slots = new Array<Call | undefined>(length).fill(undefined);
    this.#mask = length - 1;
    this.#inRing = 0;
    for (const call of calls) this.#put(call);
  }

  #resetRing(): void {
    this.#slots = new Array<Call | undefined>(MIN_SLOTS).fill(undefined);
    this.#mask = MIN_SLOTS - 1;
    this.#inRing = 0;
  }

  #all(): Call[] {
    const calls = this.#slots.filter((call): call is Call => call !== undefined);
    for (const call of this.#stragglers.values()) calls.push(call);
    return calls;
  }
}
