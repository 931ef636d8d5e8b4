/**
 * Deno adapter: `Deno.connect` for TCP and unix sockets, `Deno.startTls` for TLS.
 *
 * `conn.write` may write only part of a chunk, so writes go through a queue drained by one loop
 * that resumes at the unwritten rest. Reads use one buffer for the socket's lifetime: the decoder
 * copies what it keeps before `onData` returns.
 * @module
 */
import { ConnectionError } from "../errors.ts";
import { addressOf } from "./address.ts";
import type { ConnectOptions, Connector, Socket } from "./types.ts";

/** The parts of Deno's API this adapter uses (the project type-checks without Deno's lib). */
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  setNoDelay?(on?: boolean): void;
  /** TCP only; takes no idle time, so the OS default applies. */
  setKeepAlive?(on?: boolean): void;
  handshake?(): Promise<unknown>;
  ref(): void;
  unref(): void;
}
interface DenoApi {
  connect(o: { hostname?: string; port?: number; transport?: "tcp" | "unix"; path?: string }): Promise<DenoConn>;
  startTls(conn: DenoConn, o: { hostname?: string; caCerts?: string[]; cert?: string; key?: string }): Promise<DenoConn>;
}

/** Past this many queued bytes `write()` returns false. */
const HIGH_WATER_MARK = 256 * 1024;
const READ_BUFFER = 64 * 1024;

/**
 * Connects with Deno's socket API.
 *
 * Deno cannot turn certificate verification off per connection: `tls.rejectUnauthorized: false`
 * throws; pass the server's CA as `tls.ca` instead.
 *
 * @example
 * ```ts
 * const socket = await denoConnector({ host: "127.0.0.1", port: 6379, onData: (chunk) => decoder.feed(chunk) });
 * ```
 */
export const denoConnector: Connector = async (options) => {
  const Deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
  const { signal, tls } = options;
  if (tls?.rejectUnauthorized === false) {
    throw new TypeError("tls.rejectUnauthorized: false is not supported on Deno; pass the server's CA certificate as tls.ca");
  }
  signal?.throwIfAborted();
  let conn: DenoConn | undefined;
  const connecting = (async () => {
    conn = options.path
      ? await Deno.connect({ transport: "unix", path: options.path })
      : await Deno.connect({ hostname: options.host, port: options.port });
    // On the TCP connection, before TLS wraps it: a TLS connection has no setKeepAlive.
    if (options.keepAlive !== undefined && !options.path) conn.setKeepAlive?.(true);
    if (tls && !options.path) {
      conn = await Deno.startTls(conn, {
        hostname: tls.servername ?? options.host,
        caCerts: tls.ca === undefined ? undefined : Array.isArray(tls.ca) ? tls.ca : [tls.ca],
        cert: tls.cert,
        key: tls.key,
      });
      // Deno runs the TLS handshake lazily, on the first read or write; run it now so a bad
      // certificate fails the connect instead of the first command.
      await conn.handshake?.();
    }
    return conn;
  })();
  const aborted = new Promise<never>((_, reject) => {
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  try {
    return wrap(await Promise.race([connecting, aborted]), options);
  } catch (err) {
    // A connect that completes after the abort must not leak its socket.
    connecting.then((c) => c.close(), () => {});
    if (signal?.aborted) throw signal.reason;
    throw new ConnectionError(`could not connect to ${addressOf(options)}: ${(err as Error).message}`, { cause: withSystemCode(err) });
  }
};

/**
 * Deno's errors for an unknown host or a rejected certificate carry no `code`: give them the one
 * Node and Bun use, so callers (and the client's retry policy, see conn/permanent-failure.ts) can
 * read the same code on every runtime.
 */
const DENO_CODES: ReadonlyArray<[RegExp, string]> = [
  [/Name or service not known|No address associated with hostname|nodename nor servname/i, "ENOTFOUND"],
  [/Temporary failure in name resolution/i, "EAI_AGAIN"],
  [/invalid peer certificate: .*not valid for name/i, "ERR_TLS_CERT_ALTNAME_INVALID"],
  [/invalid peer certificate: Expired/i, "CERT_HAS_EXPIRED"],
  [/invalid peer certificate: UnknownIssuer/i, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"],
  [/invalid peer certificate/i, "CERT_UNTRUSTED"],
];

function withSystemCode(err: unknown): unknown {
  if (!(err instanceof Error) || (err as { code?: unknown }).code !== undefined) return err;
  const found = DENO_CODES.find(([pattern]) => pattern.test(err.message));
  if (found) Object.assign(err, { code: found[1] });
  return err;
}

function wrap(conn: DenoConn, options: ConnectOptions): Socket {
  try {
    conn.setNoDelay?.(true);
  } catch { /* unix sockets have no Nagle to disable */ }
  const queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;
  let isClosed = false;
  let drainWaiters: Array<() => void> = [];
  let flushWaiters: Array<() => void> = [];
  let resolveClosed!: (err: Error | undefined) => void;
  const closed = new Promise<Error | undefined>((resolve) => (resolveClosed = resolve));

  const finish = (err?: Error) => {
    if (isClosed) return;
    isClosed = true;
    try {
      conn.close();
    } catch { /* already closed by the peer */ }
    queue.length = 0;
    queued = 0;
    for (const wake of [...drainWaiters, ...flushWaiters]) wake();
    drainWaiters = flushWaiters = [];
    resolveClosed(err);
  };

  const pump = async () => {
    writing = true;
    try {
      while (queue.length > 0 && !isClosed) {
        const chunk = queue[0]!;
        const n = await conn.write(chunk);
        queued -= n;
        if (n < chunk.length) queue[0] = chunk.subarray(n);
        else queue.shift();
        if (queued < HIGH_WATER_MARK && drainWaiters.length) for (const wake of drainWaiters.splice(0)) wake();
      }
    } catch (err) {
      finish(new ConnectionError(`write to ${addressOf(options)} failed: ${(err as Error).message}`, { cause: err }));
    } finally {
      writing = false;
      if (queue.length === 0) for (const wake of flushWaiters.splice(0)) wake();
    }
  };

  (async () => {
    const buffer = new Uint8Array(READ_BUFFER);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) return finish(undefined);
        options.onData(buffer.subarray(0, n));
      }
    } catch (err) {
      finish(isClosed ? undefined : new ConnectionError(`connection to ${addressOf(options)} failed: ${(err as Error).message}`, { cause: err }));
    }
  })();

  return {
    write(chunk) {
      if (isClosed) return false;
      queue.push(chunk);
      queued += chunk.length;
      if (!writing) void pump();
      return queued < HIGH_WATER_MARK;
    },
    drain: () => (queued < HIGH_WATER_MARK || isClosed ? Promise.resolve() : new Promise((resolve) => drainWaiters.push(resolve))),
    async close() {
      if (!isClosed && (writing || queue.length > 0)) await new Promise<void>((resolve) => flushWaiters.push(resolve));
      finish(undefined);
      await closed;
    },
    destroy: (err) => finish(err),
    closed,
    setNoDelay: (on) => conn.setNoDelay?.(on),
    ref: () => conn.ref(),
    unref: () => conn.unref(),
  };
}
