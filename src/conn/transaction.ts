/**
 * `MULTI ... EXEC`, encoded together so the bytes leave contiguously and no other caller's command
 * lands inside the transaction. Preparing is synchronous, so a transaction reaches the wire in the
 * order it was called relative to the caller's other commands.
 * @module
 */
import type { Cmd } from "../client/spec.ts"; // a type only: conn stays below client at run time
import { refusal, type Placement } from "../commands/lookup.ts";
import { AbortError, RedisError } from "../errors.ts";
import { CommandEncoder } from "../resp/encode.ts";
import { validateCommand } from "../resp/validate.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { Command, CommandOptions } from "./command.ts";
import type { CommandObserver } from "./hooks.ts";
import type { CommandFactory } from "./factory.ts";

/** A transaction ready to write: its commands (MULTI first, EXEC last), their bytes, and its outcome. */
export interface PreparedTransaction {
  readonly commands: readonly Command[];
  readonly bytes: Uint8Array;
  /**
   * One entry per command (its parsed reply or its `RedisError`), or `null` when EXEC was aborted
   * by WATCH. If Redis refuses to queue a command, every entry carries an error (the refused one
   * its own, the rest `EXECABORT`); a lost connection or a timeout rejects the whole.
   */
  readonly result: Promise<unknown[] | null>;
}

/**
 * Create and encode the commands of `cmds` as one transaction for a connection at `placement`
 * (the factory prefixes their keys). Throws `AbortError`, before any command exists, when
 * `options.signal` is already aborted, and `TypeError` on an invalid argument or a command the
 * table refuses there (on a shared connection, a `SELECT` or `HELLO` inside the transaction would change
 * it for every caller when EXEC runs). The commands know each other (`together`), so a queue that
 * holds them writes them as one piece or not at all.
 */
export function prepareTransaction(
  cmds: readonly Cmd<unknown>[],
  placement: Placement,
  factory: CommandFactory,
  options?: CommandOptions,
): PreparedTransaction {
  // An aborted signal would fail the commands as they are created, but writing them as one piece
  // would still run the transaction: refuse it before anything exists.
  const signal = options?.signal;
  if (signal?.aborted) throw new AbortError("MULTI aborted", { cause: signal.reason });
  for (const cmd of cmds) {
    const refused = refusal(cmd.args, placement);
    if (refused) throw refused;
    validateCommand(cmd.args); // throws TypeError before anything exists
  }
  const argLists: (readonly Arg[])[] = [["MULTI"], ...cmds.map((c) => c.args), ["EXEC"]];
  // One deadline for all of it: inside MULTI nothing blocks, so a BLPOP 0 queued there must not
  // take its blocking deadline (none), which would keep a held transaction waiting past its own.
  const timeout = options?.timeout ?? factory.deadlines.defaultTimeout;
  // Observed as one command, MULTI to EXEC's reply: the transaction is what its caller waits for.
  const observer = factory.observe(["MULTI"], cmds.length);
  const commands = factory.createTogether(argLists, { ...options, timeout });
  for (const cmd of commands) cmd.together = commands;
  return { commands, bytes: encodeTogether(commands), result: outcome(cmds, commands, observer) };
}

async function outcome(cmds: readonly Cmd<unknown>[], commands: readonly Command[], observer: CommandObserver | undefined): Promise<unknown[] | null> {
  const outcomes = await Promise.allSettled(commands.map((c) => c.promise));
  const exec = outcomes[outcomes.length - 1]!;
  observer?.(exec.status === "rejected" ? (exec.reason as Error) : undefined);
  if (exec.status === "fulfilled") {
    if (exec.value === null) return null;
    const results = exec.value as RespValue[];
    return results.map((reply, i) => (reply instanceof RedisError || !cmds[i]!.parse ? reply : cmds[i]!.parse!(reply)));
  }
  const execError = exec.reason as Error;
  if (!(execError instanceof RedisError)) throw execError; // connection lost, timeout: the whole call fails
  return cmds.map((_, i) => {
    const queued = outcomes[i + 1]!;
    return queued.status === "rejected" ? queued.reason : execError;
  });
}

/** Encode `group` again (it waited for a connection) as one piece. */
export function encodeTogether(group: readonly Command[]): Uint8Array {
  const encoder = new CommandEncoder();
  for (const cmd of group) encoder.encode(cmd.args);
  return encoder.take();
}
