/**
 * The wire protocol between an owner (`exposeClient`) and its worker clients (`wrapClient`).
 *
 * Comlink carries only the set-up: a worker calls `connect()` on the owner's endpoint and gets a
 * MessagePort of its own (a session). Everything after that — commands, replies, pings — travels
 * on that port as the plain messages below, so the hot path pays one structured clone per batch
 * of commands, not one per command, and no proxy machinery.
 *
 * Errors cannot cross as themselves (structured clone keeps only `message`, and not the class or
 * `code`), so they travel as {@link WireError} and are rebuilt with their class, found by the
 * literal `name` or the stable `code` (never `constructor.name`, which minifiers rename).
 * @module
 */
import type { ResolvedCacheOptions } from "../cache/options.ts";
import {
  AbortError,
  ClosedError,
  ConnectionError,
  LimitError,
  PoolTimeoutError,
  ProtocolError,
  RedisError,
  ResplexError,
  TimeoutError,
} from "../errors.ts";

/** What a worker asks of its owner. */
export type RequestOp = "send" | "raw" | "transaction" | "isolate" | "release" | "subscribe" | "unsubscribe" | "abort";

/**
 * Per-command options as they cross: an `AbortSignal` cannot, so a command that may be aborted
 * is marked `abortable` and its abort follows as an `abort` request.
 */
export interface WireOptions {
  timeout?: number;
  bytes?: boolean;
  /** The owner runs it with an AbortController of its own: the worker may abort it, or vanish. */
  abortable?: true;
  /** Run on this isolated connection (the id of the `isolate` request that opened it). */
  isolation?: number;
}

/** Payload of a `subscribe` request. The first one carries the port messages will arrive on. */
export interface SubscribeRequest {
  kind: "subscribe" | "psubscribe" | "ssubscribe";
  names: string[];
  port?: MessagePort;
}

/**
 * A request in a batch: `op, id, options (0 for none), n`, then `n` items — a command's arguments
 * inline (an array per command would cost twice as much to clone and rebuild), or for the other
 * requests one payload. A `raw` request is a run of commands encoded in the batch's `bytes`, ids
 * `id` on: its two items are how many, and where their bytes end (they start where the previous
 * run ends); see {@link RAW_RUN}.
 */
export const REQUEST_HEADER = 4;

/** Where a `raw` request's items are, from the request's start, and its whole length. */
export const RAW_RUN = { count: REQUEST_HEADER, end: REQUEST_HEADER + 1, length: REQUEST_HEADER + 2 } as const;

/** Worker → owner, on the session port. */
export type WorkerMessage =
  /** Requests issued in one tick, flat (see {@link REQUEST_HEADER}); `bytes` holds the raw ones, encoded (see `raw.ts`). */
  | { kind: "batch"; requests: unknown[]; bytes: Uint8Array | undefined }
  | { kind: "pong" }
  /** The worker closed its client: release everything held for it. */
  | { kind: "bye" };

/** Owner → worker, on the session port. */
export type OwnerMessage =
  /**
   * Replies that settled in one tick, flat pairs: `ok` `[id, value, ...]`, `failed`
   * `[id, WireError, ...]`, and `nested` `[id, value, ...]` for values holding error markers
   * (see `values.ts`); and the replies to raw requests as they came from the server, `frames`,
   * in the order of `frameRuns`: `[firstId, count, ...]` (see `raw.ts`).
   */
  | {
    kind: "replies";
    ok: unknown[];
    failed: unknown[];
    nested: unknown[];
    frames: Uint8Array | undefined;
    frameRuns: number[] | undefined;
    /** What the owner's client-side cache heard since the last message, for the worker's own (see `cache.ts`). */
    cache?: CacheNews;
  }
  | { kind: "ping" }
  /** The owner dropped this session (closed, or stopped hearing from the worker): pending calls fail. */
  | { kind: "closed"; reason: string };

/** Owner → worker on the subscription port: flat `[subscriptionId, message, channel, pattern, ...]`. */
export interface PubSubMessage {
  messages: unknown[];
}

/**
 * Invalidations the owner's cache heard, forwarded to a worker's cache: a flush (Redis flushed,
 * a tracking connection was lost) comes first, then the keys invalidated after it, then whether
 * the owner's cache is active now (over RESP2 it stops while its invalidation connection is down).
 */
export interface CacheNews {
  flushed: boolean;
  keys: string[];
  active: boolean;
}

/** What the owner tells a worker when it connects. */
export interface SessionInfo {
  /** The shared client's default command timeout, ms (0 = none). */
  commandTimeout: number;
  /** The owner pings at this interval while the worker has calls outstanding, ms. */
  heartbeatInterval: number;
  /** Silence after which either side gives the other up, ms. */
  heartbeatTimeout: number;
  /** The shared client's default string mode (its `decode` option is "bytes"). */
  decodeBytes: boolean;
  /** The owner takes `raw` requests (it shares a `createClient()` client and no command hook must see each command). */
  takesEncoded: boolean;
  /** The shared client's `keyPrefix` (`""` for none): the owner prefixes keys, a worker's `scanIterator` its pattern. */
  keyPrefix: string;
  /** The shared client's or pool's client-side cache settings, when it has one: the worker keeps a cache of its own, fed by the owner's invalidations. */
  cache?: ResolvedCacheOptions;
  /** Whether the owner's cache is active now (see {@link CacheNews}). */
  cacheActive?: boolean;
}

/** The object the owner exposes through Comlink on every endpoint it serves. */
export interface OwnerApi {
  /** Open a session: a port of its own for this worker client. */
  connect(): Promise<{ port: MessagePort; info: SessionInfo }>;
  /** A new port served by the same owner, to hand to another worker. */
  createPort(): MessagePort;
}

/** An error as it crosses: enough to rebuild it with its class. */
export interface WireError {
  name: string;
  message: string;
  /** Set for resplex errors: their class is rebuilt from `name`, or from `code` for a subclass of theirs. */
  resplex?: true;
  /** A resplex error's `code`, or a system error's (`ECONNREFUSED`, `ENOTFOUND`, ...). */
  code?: string;
  /** {@link LimitError.limit}. */
  limit?: string;
  stack?: string;
  cause?: unknown;
}

const RESPLEX_CLASSES: Record<string, (message: string, wire: WireError, cause: unknown) => ResplexError> = {
  RedisError: (m, _, cause) => new RedisError(m, { cause }),
  ConnectionError: (m, _, cause) => new ConnectionError(m, { cause }),
  TimeoutError: (m, _, cause) => new TimeoutError(m, { cause }),
  ProtocolError: (m, _, cause) => new ProtocolError(m, { cause }),
  ClosedError: (m, _, cause) => new ClosedError(m, { cause }),
  PoolTimeoutError: (m, _, cause) => new PoolTimeoutError(m, { cause }),
  AbortError: (m, _, cause) => new AbortError(m, { cause }),
  LimitError: (m, w) => new LimitError(w.limit ?? "", m),
};

/** The class of each resplex `code` (RedisError's code is the server's prefix, so it goes by name). */
const RESPLEX_CODES: Record<string, string> = {
  RESPLEX_CONNECTION: "ConnectionError",
  RESPLEX_TIMEOUT: "TimeoutError",
  RESPLEX_PROTOCOL: "ProtocolError",
  RESPLEX_CLOSED: "ClosedError",
  RESPLEX_POOL_TIMEOUT: "PoolTimeoutError",
  RESPLEX_ABORTED: "AbortError",
  RESPLEX_LIMIT: "LimitError",
};

const BUILTIN_CLASSES: Record<string, new (message: string, options?: { cause?: unknown }) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

// Causes nest (an AbortError's cause is the signal's reason); a cycle must not recurse forever.
const MAX_CAUSE_DEPTH = 4;

/**
 * An error as a structured-cloneable object.
 *
 * @example
 * ```ts
 * errorToWire(new LimitError("maxPending", "offline queue full")); // { name: "LimitError", resplex: true, code: "RESPLEX_LIMIT", limit: "maxPending", ... }
 * ```
 */
export function errorToWire(err: unknown, depth = 0): WireError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err) };
  const wire: WireError = { name: err.name, message: err.message, stack: err.stack };
  const code = (err as { code?: unknown }).code; // a system error's (ECONNREFUSED) is kept too
  if (typeof code === "string") wire.code = code;
  if (err instanceof ResplexError) wire.resplex = true;
  if (err instanceof LimitError) wire.limit = err.limit;
  if (err.cause !== undefined && depth < MAX_CAUSE_DEPTH) wire.cause = causeToWire(err.cause, depth + 1);
  return wire;
}

/**
 * The error `wire` describes, with its class: resplex errors as their own class with their
 * fields, built-in errors (`TypeError`, ...) as themselves, anything else as an `Error` of that
 * name, with its system `code` if it had one.
 *
 * @example
 * ```ts
 * errorFromWire(errorToWire(new RedisError("WRONGTYPE Operation against a key"))) instanceof RedisError; // true
 * ```
 */
export function errorFromWire(wire: WireError): Error {
  const cause = isWireError(wire.cause) ? errorFromWire(wire.cause) : wire.cause;
  let err: Error;
  if (wire.resplex) {
    const make = RESPLEX_CLASSES[wire.name] ?? RESPLEX_CLASSES[RESPLEX_CODES[wire.code ?? ""] ?? ""];
    err = make ? make(wire.message, wire, cause) : new ResplexError(wire.code!, wire.message, { cause }); // a resplex error always has a code
  } else {
    const Builtin = BUILTIN_CLASSES[wire.name];
    err = Builtin ? new Builtin(wire.message, { cause }) : new Error(wire.message, { cause });
    if (!Builtin && wire.name !== "Error") Object.defineProperty(err, "name", { value: wire.name, configurable: true, writable: true });
    if (wire.code !== undefined) Object.assign(err, { code: wire.code });
  }
  if (wire.cause === undefined) delete (err as { cause?: unknown }).cause;
  // The owner's stack says where the error arose; the worker-side one would only show the port.
  if (wire.stack) err.stack = wire.stack;
  return err;
}

function causeToWire(cause: unknown, depth: number): unknown {
  if (cause instanceof Error) return { ...errorToWire(cause, depth), wireError: true };
  const type = typeof cause;
  return type === "string" || type === "number" || type === "boolean" || cause === null ? cause : String(cause);
}

function isWireError(value: unknown): value is WireError {
  return typeof value === "object" && value !== null && (value as { wireError?: unknown }).wireError === true;
}
