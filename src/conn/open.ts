/**
 * Opening a connection: socket connect, then the handshake — `HELLO 3` carrying `AUTH` and
 * `SETNAME` (or `AUTH` and `CLIENT SETNAME` on RESP2), then `SELECT` — all pipelined in one write,
 * all under one `connectTimeout`.
 * @module
 */
import { AbortError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { defaultConnector } from "../transport/auto.ts";
import { Command } from "./command.ts";
import { Connection, type ConnectionHooks } from "./connection.ts";
import type { ResolvedConnectionOptions } from "./options.ts";

/** The commands that make a fresh connection match `options`. */
export function handshakeCommands(options: ResolvedConnectionOptions): Arg[][] {
  const out: Arg[][] = [];
  if (options.protocol === 3) {
    const hello: Arg[] = ["HELLO", "3"];
    if (options.password !== undefined) hello.push("AUTH", options.username ?? "default", options.password);
    if (options.clientName !== undefined) hello.push("SETNAME", options.clientName);
    out.push(hello);
  } else {
    if (options.password !== undefined) {
      out.push(options.username !== undefined ? ["AUTH", options.username, options.password] : ["AUTH", options.password]);
    }
    if (options.clientName !== undefined) out.push(["CLIENT", "SETNAME", options.clientName]);
    out.push(["CLIENT", "ID"]);
  }
  if (options.db !== 0) out.push(["SELECT", options.db]);
  // A caching connection is tracked before it carries any read (and fails to open if Redis refuses).
  if (options.tracking) out.push([...options.tracking]);
  return out;
}

/**
 * Connect and run the handshake. Rejects with `TimeoutError` after `connectTimeout`, `AbortError`
 * when `signal` aborts, `ConnectionError` when the socket fails, or the server's `RedisError`
 * (e.g. `WRONGPASS`) when the handshake is refused. Never leaves a socket open on failure.
 */
export async function openConnection(
  options: ResolvedConnectionOptions,
  hooks: ConnectionHooks = {},
  signal?: AbortSignal,
): Promise<Connection> {
  signal?.throwIfAborted?.();
  const conn = new Connection(options, hooks);
  const opened = options.hooks.opening(conn.address);
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TimeoutError(`connecting to ${conn.address} timed out after ${options.connectTimeout} ms`)),
    options.connectTimeout,
  );
  const onAbort = () => controller.abort(new AbortError(`connecting to ${conn.address} aborted`, { cause: signal?.reason }));
  signal?.addEventListener("abort", onAbort, { once: true });
  // One deadline covers the connect and the handshake, raced rather than trusted to the connector:
  // a custom connector may ignore the signal, and a server may accept but never answer.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  try {
    const connector = options.connector ?? (await defaultConnector());
    const connecting = connector({
      host: options.host,
      port: options.port,
      path: options.path,
      tls: options.tls,
      keepAlive: options.keepAlive === false ? undefined : options.keepAlive,
      signal: controller.signal,
      onData: (chunk) => conn.receive(chunk),
    });
    // A socket that arrives after the deadline is nobody's: close it.
    connecting.then((socket) => controller.signal.aborted && socket.destroy(), () => {});
    conn.attach(await Promise.race([connecting, aborted]));
    conn.clientId = await Promise.race([handshake(conn), aborted]);
    conn.state = "ready";
    opened({ clientId: conn.clientId });
    return conn;
  } catch (err) {
    conn.destroy();
    const error = connectFailure(err, conn.address, controller.signal);
    opened({ error });
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Run the handshake; resolves to the client id the server gave (from `HELLO`, or `CLIENT ID` on
 * RESP2). With `protocol` unset, a server that answers `HELLO` as an unknown command (Redis
 * before 6, some proxies) gets the RESP2 handshake next, on the same connection: the failed
 * `HELLO` changed nothing there. Costs no round trip on servers that know `HELLO`.
 */
async function handshake(conn: Connection): Promise<number> {
  const options = conn.options;
  try {
    return await runHandshake(conn, options);
  } catch (err) {
    if (!(err instanceof RedisError) || !HELLO_UNKNOWN.test(err.message) || options.protocol !== 3) throw err;
    if (options.resp2Fallback) return runHandshake(conn, { ...options, protocol: 2 });
    throw new ConnectionError(
      `${conn.address} does not know HELLO (Redis before 6, or a proxy), so it cannot speak protocol 3: ` +
        "leave the protocol option unset to fall back to RESP2, or set protocol: 2",
      { cause: err },
    );
  }
}

/** `HELLO` refused as unknown (`ERR unknown command 'HELLO'`), or as a protocol the server lacks (`NOPROTO`). */
const HELLO_UNKNOWN = /^(ERR unknown command .HELLO.|NOPROTO)/;

/** Write the handshake for `options` in one piece; every reply is awaited, and HELLO's failure wins over what followed it. */
async function runHandshake(conn: Connection, options: ResolvedConnectionOptions): Promise<number> {
  const all = handshakeCommands(options);
  const commands = all.map((args) => new Command(args, false, 0));
  for (const cmd of commands) conn.write(cmd);
  const settled = await Promise.allSettled(commands.map((cmd) => cmd.promise));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  // Not the first reply: on RESP2, AUTH and CLIENT SETNAME answer before CLIENT ID does.
  const at = all.findIndex((args) => args[0] === "HELLO" || (args[0] === "CLIENT" && args[1] === "ID"));
  return clientIdOf((settled[at] as PromiseFulfilledResult<RespValue>).value);
}

function clientIdOf(reply: RespValue | undefined): number {
  if (typeof reply === "number") return reply; // CLIENT ID on RESP2
  if (reply instanceof Map) return Number(reply.get("id") ?? 0);
  return 0;
}

function connectFailure(err: unknown, address: string, signal: AbortSignal): Error {
  if (signal.aborted) return signal.reason as Error;
  if (err instanceof RedisError || err instanceof ConnectionError) return err;
  return new ConnectionError(`could not connect to ${address}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
