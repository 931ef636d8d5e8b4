/**
 * `MONITOR` on a connection of its own. After its `OK`, the server writes a status line for every
 * command it runs, answering no command: the connection hands them to us through
 * `onUnmatchedReply` (claimed while nothing awaits a reply), so they never poison it. The
 * connection cannot run anything else afterwards, so it is closed when the iteration ends.
 * @module
 */
import { ClosedError, ConnectionError, LimitError, RedisError, TimeoutError } from "../errors.ts";
import type { RespValue } from "../resp/types.ts";
import { utf8 } from "../resp/scalars.ts";
import { Command } from "./command.ts";
import type { Connection } from "./connection.ts";
import { parseMonitorLine, type MonitorEntry } from "./monitor-line.ts";
import { openConnection } from "./open.ts";
import { describeAddress, type ResolvedConnectionOptions } from "./options.ts";

export type { MonitorEntry } from "./monitor-line.ts";

/** Lines read but not yet taken by `next()`; past this the consumer is too slow and the monitor ends. */
const MAX_BUFFERED = 100_000;

/**
 * The commands the server runs, one {@link MonitorEntry} each, until `return()` (or `break` in a
 * `for await`), the client's `close()`, or a lost connection (then `next()` rejects with a
 * `ConnectionError`). Made by `monitor()` of the client or the pool.
 *
 * @example
 * ```ts
 * for await (const { client, args } of await redis.monitor()) {
 *   console.log(client, args.join(" "));
 *   if (args[0] === "shutdown") break; // closes the monitor's connection
 * }
 * ```
 */
export class Monitor implements AsyncIterableIterator<MonitorEntry> {
  #conn: Connection | undefined;
  #lines: MonitorEntry[] = [];
  #read = 0;
  #waiting: { resolve(result: IteratorResult<MonitorEntry>): void; reject(err: Error): void } | undefined;
  /** Why it ended: `null` while it runs, `undefined` when ended without error, or the error `next()` throws once. */
  #end: Error | undefined | null = null;
  #onEnd: (monitor: Monitor) => void;

  /** @internal Use `monitor()` of a client or pool. */
  constructor(onEnd: (monitor: Monitor) => void) {
    this.#onEnd = onEnd;
  }

  /** @internal */
  attach(conn: Connection): void {
    this.#conn = conn;
  }

  /** The next command the server ran; waits for one. */
  next(): Promise<IteratorResult<MonitorEntry>> {
    if (this.#read < this.#lines.length) {
      const value = this.#lines[this.#read++]!;
      if (this.#read === this.#lines.length) this.#lines.length = this.#read = 0;
      return Promise.resolve({ value, done: false });
    }
    if (this.#end !== null) {
      const error = this.#end;
      this.#end = undefined; // an iterator throws once, then is done
      return error ? Promise.reject(error) : Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiting) return Promise.reject(new TypeError("monitor: next() called again before the previous call settled"));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  /** Stop monitoring: closes the connection. Lines not taken yet are dropped. */
  async return(): Promise<IteratorResult<MonitorEntry>> {
    this.#lines.length = this.#read = 0;
    this.#finish(undefined);
    await this.#conn?.close(0);
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** @internal A line the connection received. */
  receive(value: RespValue): boolean {
    if (this.#end !== null) return true;
    let entry: MonitorEntry;
    try {
      if (value instanceof RedisError) throw value;
      entry = parseMonitorLine(value instanceof Uint8Array ? utf8.decode(value) : String(value));
    } catch (err) {
      this.#fail(err as Error);
      return true;
    }
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ value: entry, done: false });
    } else if (this.#lines.length - this.#read >= MAX_BUFFERED) {
      this.#fail(new LimitError("monitor", `monitor: ${MAX_BUFFERED} lines were not read; iterate faster, or monitor a quieter server`));
    } else {
      this.#lines.push(entry);
    }
    return true;
  }

  /** @internal The connection closed: by `return()`, the owner's `close()` (`err` a ClosedError), or a loss. */
  closed(err: Error | undefined, address: string): void {
    if (this.#end !== null) return;
    if (err === undefined || err instanceof ClosedError) return this.#finish(undefined);
    this.#finish(err instanceof ConnectionError ? err : new ConnectionError(`monitor connection to ${address} lost`, { cause: err }));
  }

  #fail(err: Error): void {
    this.#finish(err);
    this.#conn?.destroy(err);
  }

  #finish(end: Error | undefined): void {
    if (this.#end !== null) return;
    this.#end = end;
    this.#onEnd(this);
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = undefined;
    this.#end = undefined;
    if (end) waiting.reject(end);
    else waiting.resolve({ value: undefined, done: true });
  }
}

/**
 * Open a connection, send `MONITOR`, and resolve once the server answered `OK`. Rejects as
 * `openConnection()` does, or with the server's refusal (an ACL without `+monitor`), or
 * `TimeoutError` after `commandTimeout`.
 */
export async function openMonitor(options: ResolvedConnectionOptions, onEnd: (monitor: Monitor) => void, signal?: AbortSignal): Promise<Monitor> {
  const monitor = new Monitor(onEnd);
  const address = describeAddress(options);
  const conn = await openConnection(
    options,
    {
      onUnmatchedReply: (value) => monitor.receive(value),
      onClose: (err) => monitor.closed(err ?? new ConnectionError(`monitor connection to ${address} closed by the server`), address),
    },
    signal,
  );
  monitor.attach(conn);
  const cmd = new Command(["MONITOR"], false, options.commandTimeout, signal);
  cmd.armTimer((c) => c.fail(new TimeoutError(`MONITOR was not answered within ${options.commandTimeout} ms`)));
  conn.write(cmd);
  try {
    await cmd.promise;
  } catch (err) {
    conn.destroy();
    throw err;
  }
  return monitor;
}

/**
 * The monitors a client or pool opened, so that its `close()` ends them. Once closed, it opens
 * no more.
 */
export class Monitors {
  #open = new Set<Monitor>();
  #closed = false;

  /** Open a monitor on a connection made with `options` (see {@link openMonitor}). */
  async open(options: ResolvedConnectionOptions, signal?: AbortSignal): Promise<Monitor> {
    if (this.#closed) throw new ClosedError("monitor() refused: the client is closed");
    const monitor = await openMonitor(options, (ended) => this.#open.delete(ended), signal);
    if (this.#closed) {
      await monitor.return();
      throw new ClosedError("monitor() refused: the client was closed while MONITOR started");
    }
    this.#open.add(monitor);
    return monitor;
  }

  /** End every monitor (their iterations finish) and refuse new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#open].map((monitor) => monitor.return()));
  }
}
