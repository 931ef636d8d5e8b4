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
  /** Upper-cased command name, e.g. `"GET"`. */
  name: string;
  /** The arguments, command name first; secrets (passwords of AUTH, HELLO, CONFIG SET, ACL SETUSER, MIGRATE) read `"(redacted)"`. */
  args: readonly Arg[];
}

/** What a command hook learns when the command settles. */
export interface CommandEnd {
  name: string;
  /** From creation (queueing included) to settlement, ms. */
  durationMs: number;
  /** Why it failed (a `RedisError` reply, a timeout, a lost connection, ...); absent on success. */
  error?: Error;
}

/** A connection opened (handshake done), failed to open, or closed. Addresses never hold passwords. */
export type ConnectionEvent =
  | { type: "open"; address: string; clientId: number }
  | { type: "open-failed"; address: string; error: Error }
  | { type: "close"; address: string; clientId: number; error?: Error };

/** A pool caller that had to wait for a connection, and how the wait ended. */
export interface PoolWaitEvent {
  waitedMs: number;
  outcome: "acquired" | "failed";
  /** Why the wait failed (`PoolTimeoutError`, `AbortError`, `ClosedError`); absent when acquired. */
  error?: Error;
}

/**
 * Hooks accepted by `createClient`, `createPool` and `wrapClient` (option `hooks`). Each is
 * optional and runs synchronously; a hook that throws does not disturb the command, and its error
 * is rethrown from a microtask so it is not lost.
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

/** Run the command hook for `args` and return what to call when the command settles. */
export function observeCommand(hooks: Hooks, args: readonly Arg[]): CommandObserver | undefined {
  const name = commandName(args);
  const end = guarded(() => hooks.command!({ name, args: redactArgs(args) }));
  if (typeof end !== "function") return undefined;
  const started = performance.now();
  return (error) => {
    const durationMs = performance.now() - started;
    guarded(() => end(error ? { name, durationMs, error } : { name, durationMs }));
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
    queueMicrotask(() => {
      throw err;
    });
    return undefined;
  }
}
