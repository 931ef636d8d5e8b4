/**
 * Callers waiting for a pool connection, served first come, first served.
 *
 * Every waiter gets the same `acquireTimeout` and joins at the tail, so deadlines grow along the
 * queue: one timer armed for the head's deadline covers them all (a timer per waiter costs more
 * than the wait at 10k waiters). A `Set` keeps insertion order and removes an aborted waiter from
 * the middle in O(1).
 * @module
 */
import { AbortError } from "../errors.ts";

/**
 * One queued caller. `exclusive` waiters need a connection of their own; shared ones (pool
 * commands) can pipeline.
 *
 * @example
 * ```ts
 * const waiter = new Waiter<Member>(true, 5000, (member) => useIt(member), (err) => report(err));
 * ```
 */
export class Waiter<T> {
  readonly exclusive: boolean;
  /** `performance.now()` when it joined the queue. */
  readonly since: number;
  /** `performance.now()` past which it times out, or `Infinity`. */
  readonly deadline: number;
  readonly #grant: (value: T) => void;
  readonly #fail: (err: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;

  constructor(exclusive: boolean, timeoutMs: number, grant: (value: T) => void, fail: (err: Error) => void) {
    this.exclusive = exclusive;
    this.since = performance.now();
    this.deadline = timeoutMs > 0 ? this.since + timeoutMs : Infinity;
    this.#grant = grant;
    this.#fail = fail;
  }

  /** @internal called by {@link Waiters} after removing it */
  settle(value: T | undefined, err: Error | undefined): void {
    if (this.onAbort) this.signal!.removeEventListener("abort", this.onAbort);
    this.signal = this.onAbort = undefined;
    if (err) this.#fail(err);
    else this.#grant(value as T);
  }
}

/**
 * The FIFO queue of {@link Waiter}s with its one deadline timer.
 *
 * @example
 * ```ts
 * const waiters = new Waiters<string>(1000, (w) => waiters.fail(w, new Error("timed out")));
 * const got = new Promise<string>((resolve, reject) => waiters.push(new Waiter(true, 1000, resolve, reject)));
 * waiters.grant(waiters.peek()!, "connection");
 * ```
 */
export class Waiters<T> {
  readonly timeoutMs: number;
  #queue = new Set<Waiter<T>>();
  #exclusive = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onExpire: (waiter: Waiter<T>) => void;
  #onLeave: ((waiter: Waiter<T>, err: Error | undefined) => void) | undefined;

  /**
   * @param onExpire called for a waiter whose deadline passed; it must remove it (`fail`).
   * @param onLeave called after a waiter was served or failed (the pool's wait hook).
   */
  constructor(
    timeoutMs: number,
    onExpire: (waiter: Waiter<T>) => void,
    onLeave?: (waiter: Waiter<T>, err: Error | undefined) => void,
  ) {
    this.timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
    this.#onLeave = onLeave;
  }

  /** Waiters queued. */
  get size(): number {
    return this.#queue.size;
  }

  /** Waiters that need a connection of their own. */
  get exclusiveCount(): number {
    return this.#exclusive;
  }

  /** Waiters (pool commands) that can share a connection. */
  get sharedCount(): number {
    return this.#queue.size - this.#exclusive;
  }

  /** Queue `waiter` at the tail. An aborted `signal` removes it and fails it with `AbortError`. */
  push(waiter: Waiter<T>, signal?: AbortSignal, what = "acquire()"): void {
    this.#queue.add(waiter);
    if (waiter.exclusive) this.#exclusive++;
    if (signal) {
      waiter.signal = signal;
      waiter.onAbort = () => this.fail(waiter, new AbortError(`${what} aborted while waiting for a connection`, { cause: signal.reason }));
      signal.addEventListener("abort", waiter.onAbort, { once: true });
    }
    if (this.#timer === undefined && waiter.deadline !== Infinity) this.#arm(waiter.deadline);
  }

  /** Waiters in queue order (removing the current one while iterating is safe). */
  [Symbol.iterator](): IterableIterator<Waiter<T>> {
    return this.#queue.values();
  }

  /** The waiter served next. */
  peek(): Waiter<T> | undefined {
    for (const waiter of this.#queue) return waiter;
    return undefined;
  }

  /** Remove `waiter` and hand it `value`; `false` (and nothing happens) if it already left the queue. */
  grant(waiter: Waiter<T>, value: T): boolean {
    if (!this.#remove(waiter)) return false;
    waiter.settle(value, undefined);
    this.#onLeave?.(waiter, undefined);
    return true;
  }

  /** Remove `waiter` and reject it with `err`. No-op if it already left the queue. */
  fail(waiter: Waiter<T>, err: Error): void {
    if (!this.#remove(waiter)) return;
    waiter.settle(undefined, err);
    this.#onLeave?.(waiter, err);
  }

  /** Reject every waiter with `err` (in queue order) and stop the timer. */
  failAll(err: Error): void {
    for (const waiter of [...this.#queue]) this.fail(waiter, err);
    this.#stop();
  }

  #remove(waiter: Waiter<T>): boolean {
    if (!this.#queue.delete(waiter)) return false;
    if (waiter.exclusive) this.#exclusive--;
    if (this.#queue.size === 0) this.#stop(); // nothing left to time out: no timer may keep the process alive
    return true;
  }

  #arm(at: number): void {
    this.#timer = setTimeout(() => this.#sweep(), Math.max(0, at - performance.now()));
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    // Timers may fire a little early on some runtimes; a 1 ms slack avoids a re-arm storm.
    for (let head = this.peek(); head; head = this.peek()) {
      if (head.deadline > now + 1) {
        if (head.deadline !== Infinity) this.#arm(head.deadline);
        return;
      }
      this.#onExpire(head);
      if (this.#queue.has(head)) this.fail(head, new Error("waiter expired")); // onExpire must remove it
    }
  }
}
