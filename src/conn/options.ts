/**
 * Connection options: the URL forms we accept, defaults, and a printable address that never
 * contains a password.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import type { Connector, TlsOptions } from "../transport/types.ts";
import { HookSet } from "./hook-set.ts";
import type { Hooks } from "./hooks.ts";

/** Options for one connection; the multiplexer and the pool accept all of them too. */
export interface ConnectionOptions {
  /**
   * `redis://user:pass@host:port/db`, `rediss://...` (TLS), or `redis+unix:///path?db=N`. Fields
   * below override it. User name and password are percent-encoded, as in any URL: a password
   * `ab/cd+ef==` is written `ab%2Fcd+ef%3D%3D`. `/ ? # @` left bare are refused (the URL would
   * name another host); `%` is always read as an escape, so write it `%25`. Or pass `password`.
   */
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
  /**
   * RESP version. Unset (the default): RESP3 through `HELLO 3`, or RESP2 with `AUTH` when the
   * server does not know `HELLO` (Redis before 6, some proxies). `3`: RESP3 or nothing — a server
   * without `HELLO` fails the connection, saying so. `2`: RESP2.
   */
  protocol?: 2 | 3;
  /** Deadline for connect plus handshake, ms. Default `10000`. */
  connectTimeout?: number;
  /** Deadline for each command (queue, send and reply), ms; `0` disables. Default `5000`. */
  commandTimeout?: number;
  /** Decode bulk strings as `"string"` (UTF-8, default) or `"bytes"` (`Uint8Array`). */
  decode?: "string" | "bytes";
  /** Most commands awaiting replies on one connection before new ones are refused. Default `100000`. */
  maxInFlight?: number;
  /**
   * Once the oldest reply a connection awaits is overdue (its command's deadline passed), how long
   * the connection may stay silent before the peer is presumed dead (frozen, or gone without a
   * FIN or RST) and the connection is closed, ms; `0` disables. Its written commands then reject
   * with `ConnectionError` ("may have run") and the client reconnects. Blocking commands count
   * only once their own deadline (server timeout plus grace) passed. The subscriber's connection
   * sends a PING every this many ms while idle so that it is checked too. Default `5000`.
   *
   * @example
   * ```ts
   * // a dead peer is noticed about 1 s after a reply fell due, 1.5 s after it was asked for
   * const redis = createClient({ url, commandTimeout: 500, livenessTimeout: 1000 });
   * ```
   */
  livenessTimeout?: number;
  /**
   * After this many commands in a row time out on one connection with no reply in between, the
   * peer is presumed dead and the connection closed (as for `livenessTimeout`); `0` disables.
   * Default `3`.
   */
  maxConsecutiveTimeouts?: number;
  /**
   * TCP keepalive: the idle time in ms before the first probe, or `false` for none. Deno sets
   * keepalive but cannot set the idle time (the OS default applies there). Default `5000`.
   */
  keepAlive?: number | false;
  /** Opens sockets; defaults to the running runtime's adapter. Pass your own for proxies or tests. */
  connector?: Connector;
  /** Callbacks for command start/end, connection open/close and pool waits (tracing, metrics). */
  hooks?: Hooks;
  /**
   * Put in front of every key of every command (`"app:"` makes `get("k")` read `app:k`), wherever
   * the command table finds keys: typed methods, `send`, `multi()`, scripts' `KEYS`. Key names
   * inside Lua code, patterns (`KEYS`, `SCAN`, `SORT ... BY/GET`) and channels are not prefixed;
   * `scanIterator()` prefixes its `match` and strips the prefix from the keys it yields.
   */
  keyPrefix?: string;
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
  /** `protocol` was left unset: a server that does not know `HELLO` is spoken to in RESP2. */
  resp2Fallback: boolean;
  connectTimeout: number;
  commandTimeout: number;
  decode: "string" | "bytes";
  maxInFlight: number;
  livenessTimeout: number;
  maxConsecutiveTimeouts: number;
  keepAlive: number | false;
  connector: Connector | undefined;
  /** The given hooks and those added later; shared by everything opened with these options. */
  hooks: HookSet;
  /** `undefined` when there is none (an empty string is none). */
  keyPrefix: string | undefined;
  /** Internal: the `CLIENT TRACKING` command a client-side cache needs, run in the handshake (see cache/tracking.ts). */
  tracking?: readonly Arg[];
}

/**
 * Parse a Redis URL into options. Throws `TypeError` (without echoing a password) when malformed.
 *
 * @example
 * ```ts
 * parseRedisUrl("redis://alice:ab%2Fcd%3D@example.com:6380/2");
 * // { username: "alice", password: "ab/cd=", host: "example.com", port: 6380, db: 2 }
 * ```
 */
export function parseRedisUrl(url: string): ConnectionOptions {
  refuseBareReservedInUserInfo(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`invalid Redis URL: ${redactUrl(url)}`);
  }
  const out: ConnectionOptions = {};
  const scheme = parsed.protocol;
  if (parsed.username) out.username = decodeComponent(parsed.username, url);
  if (parsed.password) out.password = decodeComponent(parsed.password, url);
  const dbParam = parsed.searchParams.get("db");
  if (scheme === "redis+unix:" || scheme === "unix:") {
    out.path = decodeComponent(parsed.pathname, url);
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

/**
 * In `redis://user:pa/ss@host` the authority ends at the "/", so the URL would name host "user"
 * (or fail to parse): an "@" past the end of the authority means a user name or password holds
 * "/", "?", "#" or "@" unencoded. Refuse it with the fix instead of connecting somewhere else.
 */
function refuseBareReservedInUserInfo(url: string): void {
  const scheme = /^\s*rediss?:\/\//i.exec(url);
  if (!scheme) return;
  const rest = url.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  if (authorityEnd >= 0 && rest.includes("@", authorityEnd)) {
    throw new TypeError(
      `the user name or password in Redis URL ${redactUrl(url)} holds a character that must be percent-encoded: ` +
        "write / ? # @ % as %2F %3F %23 %40 %25 (or pass the password as the password option)",
    );
  }
}

/** `decodeURIComponent`, but a bad escape is a TypeError that does not show the URL's password. */
function decodeComponent(text: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TypeError(`invalid percent-encoding in Redis URL ${redactUrl(url)} (write % as %25)`);
  }
}

function parseDb(text: string, url: string): number {
  const db = Number(text);
  if (!Number.isInteger(db) || db < 0) throw new TypeError(`invalid database "${text}" in Redis URL ${redactUrl(url)}`);
  return db;
}

/**
 * Replace the password in a URL with `***`, for messages. Works on unparsable input too: the
 * password runs from the first ":" after "//" to the last "@", whatever it holds.
 *
 * @example
 * ```ts
 * redactUrl("redis://user:ab/cd+ef==@host:6379/0"); // "redis://user:***@host:6379/0"
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:@]*:).*@/s, "$1***@").replace(/([?&]password=)[^&#]*/gi, "$1***");
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
  const maxConsecutiveTimeouts = opts.maxConsecutiveTimeouts ?? 3;
  if (!Number.isInteger(maxConsecutiveTimeouts) || maxConsecutiveTimeouts < 0) {
    throw new TypeError(`option maxConsecutiveTimeouts must be an integer >= 0, got ${String(maxConsecutiveTimeouts)}`);
  }
  if (opts.keyPrefix !== undefined && typeof opts.keyPrefix !== "string") throw new TypeError("option keyPrefix must be a string");
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
    resp2Fallback: opts.protocol === undefined,
    connectTimeout: checkNumber("connectTimeout", opts.connectTimeout ?? 10_000, 1),
    commandTimeout: checkNumber("commandTimeout", opts.commandTimeout ?? 5_000, 0),
    decode,
    maxInFlight: checkNumber("maxInFlight", opts.maxInFlight ?? 100_000, 1),
    livenessTimeout: checkNumber("livenessTimeout", opts.livenessTimeout ?? 5_000, 0),
    maxConsecutiveTimeouts,
    keepAlive: opts.keepAlive === false ? false : checkNumber("keepAlive", opts.keepAlive ?? 5_000, 0),
    connector: opts.connector,
    // Options resolved again (a client's dedicated pool) keep the same set, so later hooks reach them.
    hooks: opts.hooks instanceof HookSet ? opts.hooks : new HookSet(opts.hooks, opts.path ? { serverAddress: opts.path, database: db } : { serverAddress: host, serverPort: port, database: db }),
    keyPrefix: opts.keyPrefix || undefined,
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
