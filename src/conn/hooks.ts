/**
 * Observability hooks: plain callbacks a tracing or metrics library can wire in (OpenTelemetry
 * spans, Prometheus histograms, logs) without patching resplex and without the core knowing any
 * runtime or telemetry API.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import { commandName } from "./command.ts";

/** What a command hook learns when a command starts. */
export interface CommandStart {
  /** Upper-cased command name, e.g. `"GET"`; `"MULTI"` for a whole `multi()` transaction. */
  name: string;
  /** The arguments, command name first; `AUTH` and `HELLO` show only their name (they carry passwords). */
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

/** A connection opened (handshake done), failed to open, or closed. Addresses never hold passwords. */
export type ConnectionEvent =
  | { type: "open"; address: string; clientId: number }
  | { type: "open-failed"; address: string; error: Error }
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

/**
 * The hooks of one client, pool or worker client: those given at creation and those added since
 * (`addHooks()`, `instrument()` of `resplex/otel`), called as one. A member is `undefined` while no
 * added set defines it, so "is anyone observing?" stays one property read on the hot path. The
 * connections, dedicated connections and pools a surface opens share its set, so hooks added
 * later reach them too.
 *
 * @example
 * ```ts
 * const set = new HookSet(options.hooks);
 * const remove = set.add({ command: ({ name }) => console.log(name) });
 * set.command?.({ name: "GET", args: ["GET", "k"] }); // the creation hooks, then the added ones
 * remove();
 * ```
 */
export class HookSet implements Hooks {
  command: Hooks["command"];
  connection: Hooks["connection"];
  poolWait: Hooks["poolWait"];
  /** Each added set in a box of its own, so adding the same object twice removes one at a time. */
  #sets: { hooks: Hooks }[] = [];

  constructor(initial?: Hooks) {
    if (initial) this.add(initial);
  }

  /** Call `hooks` too, from now on. Returns a function that stops calling them (idempotent). */
  add(hooks: Hooks): () => void {
    if (typeof hooks !== "object" || hooks === null) throw new TypeError("hooks must be an object of hook functions");
    for (const key of ["command", "connection", "poolWait"] as const) {
      if (hooks[key] !== undefined && typeof hooks[key] !== "function") throw new TypeError(`hooks.${key} must be a function`);
    }
    const entry = { hooks };
    this.#sets = [...this.#sets, entry];
    this.#rebuild();
    return () => {
      this.#sets = this.#sets.filter((s) => s !== entry);
      this.#rebuild();
    };
  }

  #rebuild(): void {
    const commands = this.#methods("command");
    this.command = commands.length < 2 ? commands[0] : (start) => endAll(commands.map((hook) => guarded(() => hook(start))));
    this.connection = fanOut(this.#methods("connection"));
    this.poolWait = fanOut(this.#methods("poolWait"));
  }

  /** The sets' `key` hooks, bound to their objects (a class instance's methods keep their `this`). */
  #methods<K extends keyof Hooks>(key: K): NonNullable<Hooks[K]>[] {
    return this.#sets.filter(({ hooks }) => hooks[key]).map(({ hooks }) => (hooks[key] as (this: Hooks, event: never) => unknown).bind(hooks) as NonNullable<Hooks[K]>);
  }
}

/** One listener calling `listeners` in turn (each guarded), or `undefined` when there are none. */
function fanOut<E>(listeners: ((event: E) => void)[]): ((event: E) => void) | undefined {
  if (listeners.length < 2) return listeners[0];
  return (event) => {
    for (const listener of listeners) guarded(() => listener(event));
  };
}

/** The settle callbacks command hooks returned, as one. */
function endAll(ends: (((end: CommandEnd) => void) | void | undefined)[]): ((end: CommandEnd) => void) | undefined {
  return fanOut(ends.filter((end): end is (end: CommandEnd) => void => typeof end === "function"));
}

/** A settle callback for the command hook, or `undefined` when there is nothing to observe. */
export type CommandObserver = (error: Error | undefined) => void;

/**
 * Run the command hook for `args` (a transaction: `["MULTI"]` and its `batchSize`) and return what
 * to call when the command settles.
 */
export function observeCommand(hooks: Hooks, args: readonly Arg[], batchSize?: number): CommandObserver | undefined {
  const name = commandName(args);
  const shown = SECRET_BEARING.has(name) ? [args[0]!] : args;
  const end = guarded(() => hooks.command!(batchSize === undefined ? { name, args: shown } : { name, args: shown, batchSize }));
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

// Commands whose arguments include a password.
const SECRET_BEARING = new Set(["AUTH", "HELLO", "MIGRATE"]);
