/**
 * `multi()` and `pipeline()` builders: the same typed methods as the client, chained, sent by
 * `exec()`. Each chained call adds its reply type to the builder's type, so `exec()` resolves to
 * a tuple: `multi().get("a").incr("n").exec()` is a `Promise<[string | null | RedisError,
 * number | RedisError] | null>`.
 * @module
 */
import { RedisError } from "../errors.ts";
import { commandSpecs, type CommandSpecs } from "./commands/index.ts";
import type { Cmd } from "./spec.ts";
import type { ModeReply, ReplyMode, Signatures } from "./typing.ts";

/** What `exec()` of a transaction resolves to for replies `T`: each entry its reply, or the `RedisError` it failed with. */
export type MultiResults<T extends unknown[]> = { [I in keyof T]: T[I] | RedisError };

/** What `exec()` of a pipeline resolves to for replies `T`: each entry its reply, or the error it failed with (a server error, a timeout, a lost connection). */
export type PipelineResults<T extends unknown[]> = { [I in keyof T]: T[I] | Error };

type Kind = "multi" | "pipeline";
type Next<K extends Kind, T extends unknown[], M extends ReplyMode> = K extends "multi" ? Multi<T, M> : Pipeline<T, M>;

/** A command spec as a chaining method: the builder it returns has the reply (in mode `M`) appended to `T`, per overload. */
type ChainMethod<F, T extends unknown[], K extends Kind, M extends ReplyMode> =
  Signatures<F> extends [[infer A extends unknown[], infer R, infer B]]
    ? (...args: A) => Next<K, [...T, ModeReply<R, B, M>], M>
    : Signatures<F> extends [[infer A1 extends unknown[], infer R1, infer B1], [infer A2 extends unknown[], infer R2, infer B2]]
      ? ((...args: A1) => Next<K, [...T, ModeReply<R1, B1, M>], M>) & ((...args: A2) => Next<K, [...T, ModeReply<R2, B2, M>], M>)
      : Signatures<F> extends [
            [infer A1 extends unknown[], infer R1, infer B1],
            [infer A2 extends unknown[], infer R2, infer B2],
            [infer A3 extends unknown[], infer R3, infer B3],
          ]
        ? ((...args: A1) => Next<K, [...T, ModeReply<R1, B1, M>], M>) &
            ((...args: A2) => Next<K, [...T, ModeReply<R2, B2, M>], M>) &
            ((...args: A3) => Next<K, [...T, ModeReply<R3, B3, M>], M>)
        : never;

/** One chaining method per typed command, for a builder of kind `K` holding replies `T`, on a surface of mode `M`. */
export type ChainMethods<T extends unknown[], K extends Kind, M extends ReplyMode = "string"> = {
  [C in keyof CommandSpecs]: ChainMethod<CommandSpecs[C], T, K, M>;
};

abstract class Batch {
  protected readonly commands: Cmd<unknown>[] = [];
  #error: Error | undefined;

  /** Number of commands queued. */
  get length(): number {
    return this.commands.length;
  }

  /** The first invalid-argument error met while chaining; `exec()` rejects with it, sending nothing. */
  protected get chainError(): Error | undefined {
    return this.#error;
  }

  /** @internal queues a described command; the typed `add` of each builder calls it */
  push(cmd: Cmd<unknown>): this {
    this.commands.push(cmd);
    return this;
  }

  /** @internal records a chaining error instead of throwing mid-chain */
  recordError(err: Error): this {
    this.#error ??= err;
    return this;
  }
}

/**
 * A `MULTI ... EXEC` transaction under construction; `T` is the tuple of its commands' replies,
 * `M` how the surface that made it reads strings (a bytes surface's chain has bytes replies).
 *
 * @example
 * ```ts
 * const result = await redis.multi().incr("n").expire("n", 60).exec(); // [number | RedisError, boolean | RedisError] | null
 * ```
 */
export class Multi<T extends unknown[] = [], M extends ReplyMode = "string"> extends Batch {
  #run: (cmds: readonly Cmd<unknown>[]) => Promise<unknown[] | null>;
  readonly #origin: object | undefined;

  /** `run` sends the commands as one transaction; `origin` is the client that made it (see `isFrom`). */
  constructor(run: (cmds: readonly Cmd<unknown>[]) => Promise<unknown[] | null>, origin?: object) {
    super();
    this.#run = run;
    this.#origin = origin;
  }

  /** @internal whether `client.multi()` made it, so it runs on `client`'s connection (`watch()` checks) */
  isFrom(client: object): boolean {
    return this.#origin === client;
  }

  /** Add a described command (for commands without a typed method, `raw<Reply>(["CMD", ...])`). */
  add<R, B>(cmd: Cmd<R, B>): Multi<[...T, ModeReply<R, B, M>], M> {
    return this.push(cmd) as unknown as Multi<[...T, ModeReply<R, B, M>], M>;
  }

  /**
   * Send the transaction. Resolves to one entry per command — its reply, or the `RedisError` it
   * failed with (a command Redis refused to queue fails the whole transaction with `EXECABORT`) —
   * or `null` when a watched key changed.
   */
  exec(): Promise<MultiResults<T> | null> {
    if (this.chainError) return Promise.reject(this.chainError);
    if (this.commands.length === 0) return Promise.resolve([] as unknown as MultiResults<T>);
    return this.#run(this.commands.slice()) as Promise<MultiResults<T> | null>;
  }
}

/**
 * An explicit pipeline: commands leave together; each entry settles on its own. `T` is the tuple
 * of its commands' replies, `M` how the surface that made it reads strings.
 *
 * @example
 * ```ts
 * const [a, b] = await redis.pipeline().get("a").get("b").exec(); // string | null | Error each
 * ```
 */
export class Pipeline<T extends unknown[] = [], M extends ReplyMode = "string"> extends Batch {
  #run: (cmds: readonly Cmd<unknown>[]) => Promise<PromiseSettledResult<unknown>[]>;

  /** `run` sends the commands, in order, and settles with each one's outcome. */
  constructor(run: (cmds: readonly Cmd<unknown>[]) => Promise<PromiseSettledResult<unknown>[]>) {
    super();
    this.#run = run;
  }

  /** Add a described command (for commands without a typed method, `raw<Reply>(["CMD", ...])`). */
  add<R, B>(cmd: Cmd<R, B>): Pipeline<[...T, ModeReply<R, B, M>], M> {
    return this.push(cmd) as unknown as Pipeline<[...T, ModeReply<R, B, M>], M>;
  }

  /** Send every command. Resolves to one entry per command: its reply, or the error it failed with. */
  async exec(): Promise<PipelineResults<T>> {
    if (this.chainError) throw this.chainError;
    if (this.commands.length === 0) return [] as unknown as PipelineResults<T>;
    const settled = await this.#run(this.commands.slice());
    return settled.map((s) => (s.status === "fulfilled" ? s.value : s.reason instanceof Error ? s.reason : new RedisError(String(s.reason)))) as PipelineResults<T>;
  }
}

// deno-lint-ignore no-empty-interface
export interface Multi<T extends unknown[] = [], M extends ReplyMode = "string"> extends ChainMethods<T, "multi", M> {}
// deno-lint-ignore no-empty-interface
export interface Pipeline<T extends unknown[] = [], M extends ReplyMode = "string"> extends ChainMethods<T, "pipeline", M> {}

for (const [name, spec] of Object.entries(commandSpecs)) {
  const make = spec as (...args: unknown[]) => Cmd<unknown>;
  const method = {
    value: function (this: Batch, ...args: unknown[]): Batch {
      try {
        return this.push(make(...args));
      } catch (err) {
        return this.recordError(err as Error);
      }
    },
    writable: true,
    configurable: true,
  };
  Object.defineProperty(Multi.prototype, name, method);
  Object.defineProperty(Pipeline.prototype, name, method);
}
