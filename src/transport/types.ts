/**
 * The socket contract the runtime-neutral core depends on. Each runtime adapter (node.ts, deno.ts,
 * bun.ts) implements it; a user may pass their own {@link Connector} (a proxy, an in-memory socket).
 *
 * Adapters hide what differs between runtimes: partial writes (Deno, Bun), unbounded queueing
 * (Node), drain, TLS, unix sockets and ref/unref.
 * @module
 */

/** TLS settings. Certificate verification is on unless `rejectUnauthorized: false`. */
export interface TlsOptions {
  /** Trusted CA certificate(s), PEM. Defaults to the runtime's trust store. */
  ca?: string | string[];
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string;
  /** Client private key (PEM) for mutual TLS. */
  key?: string;
  /** Name checked against the server certificate and sent as SNI. Defaults to `host`. */
  servername?: string;
  /** Verify the server certificate (default `true`). Turning it off is for tests only. */
  rejectUnauthorized?: boolean;
}

/** Where and how to connect, handed to a {@link Connector}. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** Unix socket path; when set, `host` and `port` are ignored. */
  path?: string;
  /** Use TLS with these settings. */
  tls?: TlsOptions;
  /** Aborting rejects the pending connect and closes any half-open socket. */
  signal?: AbortSignal;
  /**
   * Turn TCP keepalive on, probing after this many ms of idleness (where the runtime lets the
   * idle time be set; else its default applies). Absent: keepalive stays off. Ignored for unix sockets.
   */
  keepAlive?: number;
  /** Called with every chunk received, in order. Set before any byte can arrive. */
  onData: (chunk: Uint8Array) => void;
}

/** A connected byte stream. */
export interface Socket {
  /**
   * Queue `chunk` for writing; the socket may keep a reference to it until written, so callers must
   * not reuse it. Returns `false` once more than the high-water mark is queued: wait for `drain()`.
   */
  write(chunk: Uint8Array): boolean;
  /** Resolves when the write queue is below the high-water mark again (at once if it already is). */
  drain(): Promise<void>;
  /** Graceful: flush what is queued, then close. Resolves when closed. */
  close(): Promise<void>;
  /** Close now, dropping anything queued. */
  destroy(err?: Error): void;
  /** Settles once, when the socket is closed for any reason: `undefined` if closed cleanly, else the error. */
  readonly closed: Promise<Error | undefined>;
  /** Disable Nagle's algorithm (adapters do this by default where the runtime allows). */
  setNoDelay?(on: boolean): void;
  /** Let the process exit while this socket is open (Node, Deno, Bun where supported). */
  unref?(): void;
  /** Undo {@link Socket.unref}. */
  ref?(): void;
}

/** Opens a {@link Socket}. Rejects with a `ConnectionError` (or the signal's reason) on failure. */
export type Connector = (options: ConnectOptions) => Promise<Socket>;
