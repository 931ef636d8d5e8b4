/**
 * Observability hooks: plain callbacks a tracing or metrics library can wire in (OpenTelemetry
 * spans, Prometheus histograms, logs) without patching resplex and without the core knowing any
 * runtime or telemetry API.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { commandName, redactArgs } from "../commands/lookup.ts";

/** What a command hook learns when a command starts. */
export interface CommandStart {
  /** Upper-cased command name, e.g. `"GET"`; `"MULTI"` for a whole `multi()` transaction. */
  name: string;
  /** The arguments, command name first; secrets (passwords of AUTH, HELLO, CONFIG SET, ACL SETUSER, MIGRATE) read `"(redacted)"`. */
  args: readonly Arg[];
  /**
   * For a `multi()` transaction, observed as one command named `MULTI` from its start to EXEC's
   * reply: how many commands it runs. Absent for single commands.
   */
  batchSize?: number;
}

/** What a command hook learns when the command settles. */
export interface CommandEnd {
  name: string;
  /** From creation (queueing included) to settlement, ms. */
  durationMs: number;
  /**
   * Why it failed (a `RedisError` reply, a timeout, a lost connection, ...); absent on success. A
   * transaction fails when EXEC does (`EXECABORT`, a lost connection); a command failing inside a
   * transaction that ran is one of its entries, not the transaction's error.
   */
  error?: Error;
}

/**
 * A connection opened (handshake done), failed to open, or closed. Addresses never hold passwords.
 * `durationMs`: from the start of the connect to the end of the handshake (or the failure).
 */
export type ConnectionEvent =
  | { type: "open"; address: string; clientId: number; durationMs: number }
  | { type: "open-failed"; address: string; error: Error; durationMs: number }
  | { type: "close"; address: string; clientId: number; error?: Error };

/** A pool caller that had to wait for a connection, and how the wait ended. */
export interface PoolWaitEvent {
  /** `"lease"`: `acquire()`, `withConnection()` or a blocking pool command; `"command"`: a pool command that found no connection. */
  kind: "lease" | "command";
  waitedMs: number;
  outcome: "acquired" | "failed";
  /** Why the wait failed (`PoolTimeoutError`, `AbortError`, `ClosedError`); absent when acquired. */
  error?: Error;
}

/**
 * Hooks accepted by `createClient`, `createPool` and `wrapClient` (option `hooks`), or added later
 * with `addHooks()`. Each is optional and runs synchronously; a hook that throws does not disturb
 * the command or the other hooks, and its error is rethrown from a microtask so it is not lost.
 *
 * @example
 * ```ts
 * const redis = createClient({
 *   url,
 *   hooks: {
 *     command: ({ name }) => {
 *       const span = tracer.startSpan(`redis ${name}`);
 *       return ({ error }) => { if (error) span.recordException(error); span.end(); };
 *     },
 *     connection: (event) => console.log("redis connection", event.type, event.address),
 *   },
 * });
 * ```
 */
export interface Hooks {
  /** Called as each command is created; the function it returns (if any) is called once it settles. */
  command?(start: CommandStart): ((end: CommandEnd) => void) | void;
  /** Called when a connection opens, fails to open, or closes. */
  connection?(event: ConnectionEvent): void;
  /** Called when a pool caller that waited for a connection gets one or gives up. */
  poolWait?(event: PoolWaitEvent): void;
}

/** A settle callback for the command hook, or `undefined` when there is nothing to observe. */
export type CommandObserver = (error: Error | undefined) => void;

/**
 * Run the command hook for `args` (a transaction: `["MULTI"]` and its `batchSize`) and return what
 * to call when the command settles.
 */
export function observeCommand(hooks: Hooks, args: readonly Arg[], batchSize?: number): CommandObserver | undefined {
  const name = commandName(args);
  const start: CommandStart = { name, args: redactArgs(args) };
  if (batchSize !== undefined) start.batchSize = batchSize;
  let end: ReturnType<NonNullable<Hooks["command"]>>;
  try {
    end = hooks.command!(start); // inline, not guarded(): no closure per command
  } catch (err) {
    rethrowLater(err);
    return undefined;
  }
  if (typeof end !== "function") return undefined;
  const started = performance.now();
  return (error) => {
    const durationMs = performance.now() - started;
    try {
      end(error ? { name, durationMs, error } : { name, durationMs });
    } catch (err) {
      rethrowLater(err);
    }
  };
}

/** `promise`, reporting how it settled to `observer` (for executors that have no `Command`). */
export function reportTo<T>(promise: Promise<T>, observer: CommandObserver | undefined): Promise<T> {
  if (!observer) return promise;
  return promise.then(
    (value) => {
      observer(undefined);
      return value;
    },
    (error: Error) => {
      observer(error);
      throw error;
    },
  );
}

/** Run `call`; an exception from user code is rethrown later instead of breaking the caller. */
export function guarded<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (err) {
    rethrowLater(err);
    return undefined;
  }
}

/** Throw `err` from a microtask: not lost, and not in the way of the code that caught it. */
function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
