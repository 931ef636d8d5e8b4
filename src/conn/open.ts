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
import { guarded } from "./hooks.ts";
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
    if (options.hooks?.connection) guarded(() => options.hooks!.connection!({ type: "open", address: conn.address, clientId: conn.clientId }));
    return conn;
  } catch (err) {
    conn.destroy();
    const error = connectFailure(err, conn.address, controller.signal);
    if (options.hooks?.connection) guarded(() => options.hooks!.connection!({ type: "open-failed", address: conn.address, error }));
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** Run the handshake; resolves to the client id the server gave (from `HELLO`, or `CLIENT ID` on RESP2). */
async function handshake(conn: Connection): Promise<number> {
  const all = handshakeCommands(conn.options);
  const commands = all.map((args) => new Command(args, false, 0));
  for (const cmd of commands) conn.write(cmd);
  const replies = await Promise.all(commands.map((cmd) => cmd.promise));
  // Not the first reply: on RESP2, AUTH and CLIENT SETNAME answer before CLIENT ID does.
  const at = all.findIndex((args) => args[0] === "HELLO" || (args[0] === "CLIENT" && args[1] === "ID"));
  return clientIdOf(replies[at]);
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
