/**
 * `multi()` and `pipeline()` builders: the same typed methods as the client, chained, sent by
 * `exec()`.
 * @module
 */
import { RedisError } from "../errors.ts";
import { commandSpecs, type CommandSpecs } from "./commands/index.ts";
import type { Cmd } from "./spec.ts";

/** One chaining method per typed command. */
export type ChainMethods<Self> = {
  [K in keyof CommandSpecs]: (...args: Parameters<CommandSpecs[K]>) => Self;
};

abstract class Batch {
  protected readonly commands: Cmd<unknown>[] = [];
  #error: Error | undefined;

  /** Number of commands queued. */
  get length(): number {
    return this.commands.length;
  }

  /** Add a described command (for commands without a typed method, use `raw(["CMD", ...])`). */
  add(cmd: Cmd<unknown>): this {
    this.commands.push(cmd);
    return this;
  }

  /** The first invalid-argument error met while chaining; `exec()` rejects with it, sending nothing. */
  protected get chainError(): Error | undefined {
    return this.#error;
  }

  /** @internal records a chaining error instead of throwing mid-chain */
  recordError(err: Error): this {
    this.#error ??= err;
    return this;
  }
}

/**
 * A `MULTI ... EXEC` transaction under construction.
 *
 * @example
 * ```ts
 * const [count] = (await redis.multi().incr("n").expire("n", 60).exec())!;
 * ```
 */
export class Multi extends Batch {
  #run: (cmds: readonly Cmd<unknown>[]) => Promise<unknown[] | null>;

  constructor(run: (cmds: readonly Cmd<unknown>[]) => Promise<unknown[] | null>) {
    super();
    this.#run = run;
  }

  /**
   * Send the transaction. Resolves to one entry per command — its reply, or the `RedisError` it
   * failed with (a command Redis refused to queue fails the whole transaction with `EXECABORT`) —
   * or `null` when a watched key changed.
   */
  exec(): Promise<unknown[] | null> {
    if (this.chainError) return Promise.reject(this.chainError);
    if (this.commands.length === 0) return Promise.resolve([]);
    return this.#run(this.commands.slice());
  }
}

/**
 * An explicit pipeline: commands leave together; each entry settles on its own.
 *
 * @example
 * ```ts
 * const [a, b] = await redis.pipeline().get("a").get("b").exec();
 * ```
 */
export class Pipeline extends Batch {
  #run: (cmds: readonly Cmd<unknown>[]) => Promise<PromiseSettledResult<unknown>[]>;

  /** `run` sends the commands, in order, and settles with each one's outcome. */
  constructor(run: (cmds: readonly Cmd<unknown>[]) => Promise<PromiseSettledResult<unknown>[]>) {
    super();
    this.#run = run;
  }

  /** Send every command. Resolves to one entry per command: its reply, or the error it failed with. */
  async exec(): Promise<unknown[]> {
    if (this.chainError) throw this.chainError;
    if (this.commands.length === 0) return [];
    const settled = await this.#run(this.commands.slice());
    return settled.map((s) => (s.status === "fulfilled" ? s.value : s.reason instanceof Error ? s.reason : new RedisError(String(s.reason))));
  }
}

// deno-lint-ignore no-empty-interface
export interface Multi extends ChainMethods<Multi> {}
// deno-lint-ignore no-empty-interface
export interface Pipeline extends ChainMethods<Pipeline> {}

for (const [name, spec] of Object.entries(commandSpecs)) {
  const make = spec as (...args: unknown[]) => Cmd<unknown>;
  const method = {
    value: function (this: Batch, ...args: unknown[]): Batch {
      try {
        return this.add(make(...args));
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
