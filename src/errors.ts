/**
 * Error classes. Every error resplex raises is a {@link ResplexError} with a stable `code`
 * (undici's convention), so callers can branch on `err.code` or `instanceof` alike.
 * Errors raised because of another carry it as `cause`. Each class's `name` is a literal, not
 * `constructor.name`, which a minifying bundler renames (worker threads rebuild errors by it).
 *
 * @example
 * ```ts
 * try { await redis.incr("not-a-number"); }
 * catch (err) { if (err instanceof RedisError && err.code === "ERR") console.log(err.message); }
 * ```
 * @module
 */

/** Base class of every error resplex raises. `code` is stable and machine-readable. */
export class ResplexError extends Error {
  /** Stable identifier of the error kind, e.g. `RESPLEX_TIMEOUT`, or the server's prefix for {@link RedisError}. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  override get name(): string {
    return "ResplexError";
  }
}

/**
 * An error reply from the server. `code` is the reply's prefix (`ERR`, `WRONGTYPE`, `NOSCRIPT`,
 * `MOVED`, ...), `message` the whole reply text.
 *
 * @example
 * ```ts
 * await redis.send(["LPUSH", "a-string-key", "x"]).catch((e: RedisError) => e.code); // "WRONGTYPE"
 * ```
 */
export class RedisError extends ResplexError {
  override get name(): string {
    return "RedisError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    const space = message.indexOf(" ");
    super(space > 0 ? message.slice(0, space) : message || "ERR", message, options);
  }
}

/**
 * The connection could not be made, or was lost or closed before a command's reply. A command
 * that was written and rejects with this may have run (compare {@link ClosedError}).
 */
export class ConnectionError extends ResplexError {
  override get name(): string {
    return "ConnectionError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super("RESPLEX_CONNECTION", message, options);
  }
}

/** A deadline passed: connect, command (queue + send + reply) or handshake. */
export class TimeoutError extends ResplexError {
  override get name(): string {
    return "TimeoutError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super("RESPLEX_TIMEOUT", message, options);
  }
}

/** The server sent bytes that are not valid RESP; the connection that received them is closed. */
export class ProtocolError extends ResplexError {
  override get name(): string {
    return "ProtocolError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super("RESPLEX_PROTOCOL", message, options);
  }
}

/**
 * The client, pool or connection was closed before the command was sent or the operation began.
 * A command already written when its connection closes gets a {@link ConnectionError} instead.
 */
export class ClosedError extends ResplexError {
  override get name(): string {
    return "ClosedError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super("RESPLEX_CLOSED", message, options);
  }
}

/**
 * A bound was reached (offline queue, in-flight commands, pool waiters). `limit` names the bound,
 * so the message and the field both say which one to raise.
 */
export class LimitError extends ResplexError {
  override get name(): string {
    return "LimitError";
  }
  /** The option that set the bound, e.g. `maxPending` or `maxWaiters`. */
  readonly limit: string;
  constructor(limit: string, message: string) {
    super("RESPLEX_LIMIT", message);
    this.limit = limit;
  }
}

/** `pool.acquire()` waited longer than `acquireTimeout`. The message gives the pool's state at that moment. */
export class PoolTimeoutError extends ResplexError {
  override get name(): string {
    return "PoolTimeoutError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super("RESPLEX_POOL_TIMEOUT", message, options);
  }
}

/** The operation was aborted through its `AbortSignal`; `cause` is the signal's reason. */
export class AbortError extends ResplexError {
  override get name(): string {
    return "AbortError";
  }
  constructor(message: string, options?: { cause?: unknown }) {
    super("RESPLEX_ABORTED", message, options);
  }
}

/**
 * `watch()` ran its transaction `1 + retries` times and a watched key changed before each `EXEC`.
 *
 * @example
 * ```ts
 * await redis.watch("stock", (tx) => tx.multi().decr("stock"), { retries: 5 })
 *   .catch((err) => { if (err instanceof WatchError) console.log("too much contention"); });
 * ```
 */
export class WatchError extends ResplexError {
  constructor(message: string) {
    super("RESPLEX_WATCH", message);
  }
}
