/**
 * Node.js adapter: `node:net` for TCP and unix sockets, `node:tls` for TLS.
 *
 * Node's `socket.write` never refuses data; it queues without bound and returns `false` past the
 * stream's high-water mark. We pass that signal on, and `drain()` waits for Node's 'drain', so the
 * connection stops handing over bytes instead of growing Node's queue forever.
 * @module
 */
import { connect as netConnect, type Socket as NetSocket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ConnectionError } from "../errors.ts";
import { addressOf } from "./address.ts";
import type { ConnectOptions, Connector, Socket } from "./types.ts";

/**
 * Connects with node:net / node:tls.
 *
 * @example
 * ```ts
 * const socket = await nodeConnector({ host: "127.0.0.1", port: 6379, onData: (chunk) => decoder.feed(chunk) });
 * ```
 */
export const nodeConnector: Connector = (options) =>
  new Promise<Socket>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) return reject(signal.reason);
    const tls = options.tls;
    const socket: NetSocket = options.path
      ? netConnect({ path: options.path })
      : tls
        ? tlsConnect({
            host: options.host,
            port: options.port,
            servername: tls.servername ?? (isIp(options.host) ? undefined : options.host),
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
          })
        : netConnect({ host: options.host, port: options.port });

    const onAbort = () => {
      socket.destroy();
      reject(signal!.reason);
    };
    const onError = (err: Error) => {
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      reject(new ConnectionError(`could not connect to ${addressOf(options)}: ${err.message}`, { cause: err }));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    // TLS is usable only after the handshake, so wait for secureConnect there.
    socket.once(tls && !options.path ? "secureConnect" : "connect", () => {
      signal?.removeEventListener("abort", onAbort);
      socket.off("error", onError);
      resolve(wrap(socket, options));
    });
  });

function wrap(socket: NetSocket, options: ConnectOptions): Socket {
  socket.setNoDelay(true);
  if (options.keepAlive !== undefined && !options.path) socket.setKeepAlive(true, options.keepAlive);
  let lastError: Error | undefined;
  const closed = new Promise<Error | undefined>((resolve) => socket.once("close", () => resolve(lastError)));
  socket.on("error", (err) => {
    lastError = new ConnectionError(`connection to ${addressOf(options)} failed: ${err.message}`, { cause: err });
  });
  socket.on("data", options.onData);
  return {
    write: (chunk) => !socket.destroyed && socket.write(chunk),
    drain: () =>
      socket.writableNeedDrain && !socket.destroyed
        ? new Promise<void>((resolve) => {
            const done = () => {
              socket.off("drain", done);
              socket.off("close", done);
              resolve();
            };
            socket.once("drain", done);
            socket.once("close", done);
          })
        : Promise.resolve(),
    close: async () => {
      if (!socket.destroyed) socket.end();
      await closed;
    },
    destroy: (err) => {
      if (err) lastError ??= err;
      socket.destroy();
    },
    closed,
    setNoDelay: (on) => void socket.setNoDelay(on),
    ref: () => void socket.ref(),
    unref: () => void socket.unref(),
  };
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
