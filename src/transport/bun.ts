/**
 * Bun adapter: `Bun.connect` for TCP, TLS and unix sockets.
 *
 * Bun's `socket.write` writes what the kernel takes now and returns that count — possibly less
 * than the chunk, possibly 0. The rest waits in our queue and goes out from the `drain` callback,
 * Bun's signal that the socket is writable again.
 * @module
 */
import { ConnectionError } from "../errors.ts";
import { addressOf } from "./address.ts";
import type { ConnectOptions, Connector, Socket } from "./types.ts";

/** The parts of Bun's socket API this adapter uses (the project type-checks without bun-types). */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  terminate(): void;
  setNoDelay?(on: boolean): boolean;
  setKeepAlive?(on: boolean, initialDelayMs?: number): boolean;
  ref(): void;
  unref(): void;
}
interface BunHandlers {
  open(socket: BunSocket): void;
  data(socket: BunSocket, data: Uint8Array): void;
  drain(socket: BunSocket): void;
  close(socket: BunSocket, error?: Error): void;
  error(socket: BunSocket, error: Error): void;
  connectError?(socket: BunSocket, error: Error): void;
  handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
}
interface BunApi {
  connect(o: {
    hostname?: string;
    port?: number;
    unix?: string;
    tls?: { ca?: string | string[]; cert?: string; key?: string; serverName?: string; rejectUnauthorized?: boolean };
    socket: BunHandlers;
  }): Promise<BunSocket>;
}

/** Past this many queued bytes `write()` returns false. */
const HIGH_WATER_MARK = 256 * 1024;

/**
 * Connects with `Bun.connect`.
 *
 * @example
 * ```ts
 * const socket = await bunConnector({ host: "127.0.0.1", port: 6379, onData: (chunk) => decoder.feed(chunk) });
 * ```
 */
export const bunConnector: Connector = async (options) => {
  const Bun = (globalThis as unknown as { Bun: BunApi }).Bun;
  const { signal, tls } = options;
  signal?.throwIfAborted();
  const state = new BunSocketState(options);
  const connecting = Bun.connect({
    ...(options.path ? { unix: options.path } : { hostname: options.host, port: options.port }),
    tls: tls && !options.path
      ? { ca: tls.ca, cert: tls.cert, key: tls.key, serverName: tls.servername ?? options.host, rejectUnauthorized: tls.rejectUnauthorized ?? true }
      : undefined,
    socket: state.handlers,
  });
  const aborted = new Promise<never>((_, reject) => {
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  try {
    const socket = await Promise.race([connecting, aborted]);
    // For TLS, "open" comes before the handshake; the socket is usable once it succeeded.
    if (tls && !options.path) await Promise.race([state.secured, aborted]);
    return state.attach(socket);
  } catch (err) {
    connecting.then((s) => s.terminate(), () => {});
    if (signal?.aborted) throw signal.reason;
    throw err instanceof ConnectionError
      ? err
      : new ConnectionError(`could not connect to ${addressOf(options)}: ${(err as Error).message}`, { cause: err });
  }
};

/** Everything one Bun socket needs between its callbacks. */
class BunSocketState {
  readonly handlers: BunHandlers;
  readonly closed: Promise<Error | undefined>;
  readonly secured: Promise<void>;
  #options: ConnectOptions;
  #socket: BunSocket | undefined;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #isClosed = false;
  #lastError: Error | undefined;
  #drainWaiters: Array<() => void> = [];
  #flushWaiters: Array<() => void> = [];
  #resolveClosed!: (err: Error | undefined) => void;

  constructor(options: ConnectOptions) {
    this.#options = options;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    let secure!: () => void, fail!: (err: Error) => void;
    this.secured = new Promise((resolve, reject) => ((secure = resolve), (fail = reject)));
    this.secured.catch(() => {});
    this.handlers = {
      open: () => {},
      data: (_socket, data) => options.onData(data),
      drain: () => this.#flush(),
      close: (_socket, error) => this.#finish(error ?? this.#lastError),
      error: (_socket, error) => {
        this.#lastError = new ConnectionError(`connection to ${addressOf(options)} failed: ${error.message}`, { cause: error });
      },
      connectError: (_socket, error) => fail(error),
      handshake: (_socket, success, authorizationError) => {
        if (success && !authorizationError) return secure();
        fail(new ConnectionError(`TLS handshake with ${addressOf(options)} failed: ${authorizationError?.message ?? "rejected"}`, { cause: authorizationError }));
      },
    };
  }

  attach(socket: BunSocket): Socket {
    this.#socket = socket;
    socket.setNoDelay?.(true);
    if (this.#options.keepAlive !== undefined && !this.#options.path) socket.setKeepAlive?.(true, this.#options.keepAlive);
    return {
      write: (chunk) => this.#write(chunk),
      drain: () => (this.#queued < HIGH_WATER_MARK || this.#isClosed ? Promise.resolve() : new Promise((r) => this.#drainWaiters.push(r))),
      close: async () => {
        if (!this.#isClosed && this.#queue.length > 0) await new Promise<void>((r) => this.#flushWaiters.push(r));
        if (!this.#isClosed) socket.end();
        await this.closed;
      },
      destroy: (err) => {
        if (err) this.#lastError ??= err;
        socket.terminate();
        this.#finish(this.#lastError);
      },
      closed: this.closed,
      setNoDelay: (on) => void socket.setNoDelay?.(on),
      ref: () => socket.ref(),
      unref: () => socket.unref(),
    };
  }

  #write(chunk: Uint8Array): boolean {
    if (this.#isClosed) return false;
    if (this.#queue.length === 0) {
      const n = this.#socket!.write(chunk);
      if (n >= chunk.length) return true;
      chunk = chunk.subarray(Math.max(0, n));
    }
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    return this.#queued < HIGH_WATER_MARK;
  }

  #flush(): void {
    while (this.#queue.length > 0 && !this.#isClosed) {
      const chunk = this.#queue[0]!;
      const n = Math.max(0, this.#socket!.write(chunk));
      this.#queued -= n;
      if (n < chunk.length) {
        this.#queue[0] = chunk.subarray(n);
        break; // the kernel is full again; Bun calls drain when it is not
      }
      this.#queue.shift();
    }
    if (this.#queued < HIGH_WATER_MARK) for (const wake of this.#drainWaiters.splice(0)) wake();
    if (this.#queue.length === 0) for (const wake of this.#flushWaiters.splice(0)) wake();
  }

  #finish(err: Error | undefined): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#queue.length = 0;
    this.#queued = 0;
    for (const wake of [...this.#drainWaiters, ...this.#flushWaiters]) wake();
    this.#drainWaiters = this.#flushWaiters = [];
    this.#resolveClosed(err);
  }
}
