/**
 * Connection options: the URL forms we accept, defaults, and a printable address that never
 * contains a password.
 * @module
 */
import type { Connector, TlsOptions } from "../transport/types.ts";
import { HookSet } from "./hook-set.ts";
import type { Hooks } from "./hooks.ts";

/** Options for one connection; the multiplexer and the pool accept all of them too. */
export interface ConnectionOptions {
  /** `redis://user:pass@host:port/db`, `rediss://...` (TLS), or `redis+unix:///path?db=N`. Fields below override it. */
  url?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default `6379`. */
  port?: number;
  /** Unix socket path (instead of host/port). */
  path?: string;
  /** TLS settings; `true` for TLS with the runtime's trust store. Implied by `rediss://`. */
  tls?: TlsOptions | boolean;
  /** ACL user name (Redis 6+). */
  username?: string;
  /** Password (`AUTH`). Never printed in errors, URLs or logs. */
  password?: string;
  /** Database index selected after connecting. Default `0`. */
  db?: number;
  /** `CLIENT SETNAME` value sent in the handshake. */
  clientName?: string;
  /** RESP version: `3` (default, via `HELLO 3`) or `2`. */
  protocol?: 2 | 3;
  /** Deadline for connect plus handshake, ms. Default `10000`. */
  connectTimeout?: number;
  /** Deadline for each command (queue, send and reply), ms; `0` disables. Default `5000`. */
  commandTimeout?: number;
  /** Decode bulk strings as `"string"` (UTF-8, default) or `"bytes"` (`Uint8Array`). */
  decode?: "string" | "bytes";
  /** Most commands awaiting replies on one connection before new ones are refused. Default `100000`. */
  maxInFlight?: number;
  /** Opens sockets; defaults to the running runtime's adapter. Pass your own for proxies or tests. */
  connector?: Connector;
  /** Callbacks for command start/end, connection open/close and pool waits (tracing, metrics). */
  hooks?: Hooks;
}

/** {@link ConnectionOptions} with every default applied. */
export interface ResolvedConnectionOptions {
  host: string;
  port: number;
  path: string | undefined;
  tls: TlsOptions | undefined;
  username: string | undefined;
  password: string | undefined;
  db: number;
  clientName: string | undefined;
  protocol: 2 | 3;
  connectTimeout: number;
  commandTimeout: number;
  decode: "string" | "bytes";
  maxInFlight: number;
  connector: Connector | undefined;
  /** The given hooks and those added later; shared by everything opened with these options. */
  hooks: HookSet;
}

/** Parse a Redis URL into options. Throws `TypeError` (without echoing a password) when malformed. */
export function parseRedisUrl(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`invalid Redis URL: ${redactUrl(url)}`);
  }
  const out: ConnectionOptions = {};
  const scheme = parsed.protocol;
  if (parsed.username) out.username = decodeURIComponent(parsed.username);
  if (parsed.password) out.password = decodeURIComponent(parsed.password);
  const dbParam = parsed.searchParams.get("db");
  if (scheme === "redis+unix:" || scheme === "unix:") {
    out.path = decodeURIComponent(parsed.pathname);
    if (dbParam !== null) out.db = parseDb(dbParam, url);
    const password = parsed.searchParams.get("password");
    if (password !== null) out.password = password;
    return out;
  }
  if (scheme !== "redis:" && scheme !== "rediss:") {
    throw new TypeError(`unsupported Redis URL scheme "${scheme}" (use redis:, rediss: or redis+unix:)`);
  }
  if (scheme === "rediss:") out.tls = {};
  // IPv6 hosts come back bracketed from URL ("[::1]"); sockets want them bare.
  if (parsed.hostname) out.host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
  if (parsed.port) out.port = Number(parsed.port);
  const dbPath = parsed.pathname.replace(/^\//, "");
  if (dbPath) out.db = parseDb(dbPath, url);
  else if (dbParam !== null) out.db = parseDb(dbParam, url);
  return out;
}

function parseDb(text: string, url: string): number {
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0) throw new TypeError(`invalid database "${text}" in Redis URL ${redactUrl(url)}`);
  return db;
}

/** Replace the password in a URL with `***`, for messages. Works on unparsable input too. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@").replace(/([?&]password=)[^&]*/, "$1***");
}

function checkNumber(name: string, value: number, min: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new TypeError(`option ${name} must be a number >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Apply defaults and validate. A URL string is shorthand for `{ url }`. */
export function resolveConnectionOptions(input: string | ConnectionOptions = {}): ResolvedConnectionOptions {
  const given = typeof input === "string" ? { url: input } : input;
  const opts: ConnectionOptions = { ...(given.url ? parseRedisUrl(given.url) : {}), ...withoutUndefined(given) };
  const protocol = opts.protocol ?? 3;
  if (protocol !== 2 && protocol !== 3) throw new TypeError(`option protocol must be 2 or 3, got ${String(protocol)}`);
  const decode = opts.decode ?? "string";
  if (decode !== "string" && decode !== "bytes") throw new TypeError(`option decode must be "string" or "bytes"`);
  const db = opts.db ?? 0;
  if (!Number.isInteger(db) || db < 0) throw new TypeError(`option db must be an integer >= 0, got ${String(db)}`);
  const port = opts.port ?? 6379;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`option port must be 0-65535, got ${String(port)}`);
  const host = opts.host ?? "127.0.0.1";
  return {
    host,
    port,
    path: opts.path,
    tls: opts.tls === true ? {} : opts.tls || undefined,
    username: opts.username,
    password: opts.password,
    db,
    clientName: opts.clientName,
    protocol,
    connectTimeout: checkNumber("connectTimeout", opts.connectTimeout ?? 10_000, 1),
    commandTimeout: checkNumber("commandTimeout", opts.commandTimeout ?? 5_000, 0),
    decode,
    maxInFlight: checkNumber("maxInFlight", opts.maxInFlight ?? 100_000, 1),
    connector: opts.connector,
    // Options resolved again (a client's dedicated pool) keep the same set, so later hooks reach them.
    hooks: opts.hooks instanceof HookSet ? opts.hooks : new HookSet(opts.hooks, opts.path ? { serverAddress: opts.path, database: db } : { serverAddress: host, serverPort: port, database: db }),
  };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== "url")) as Partial<T>;
}

/** Where a connection goes, for messages: `host:port` or `unix:/path`, `tls://` marked. No credentials. */
export function describeAddress(opts: Pick<ResolvedConnectionOptions, "host" | "port" | "path" | "tls">): string {
  if (opts.path) return `unix:${opts.path}`;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return `${opts.tls ? "tls://" : ""}${host}:${opts.port}`;
}
