/**
 * `MULTI ... EXEC` on one connection, encoded together so the bytes leave contiguously and no other
 * caller's command lands inside the transaction.
 * @module
 */
import type { Cmd } from "../client/spec.ts"; // a type only: conn stays below client at run time
import { RedisError } from "../errors.ts";
import { CommandEncoder } from "../resp/encode.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { CommandOptions } from "./command.ts";
import type { Connection } from "./connection.ts";
import type { CommandFactory } from "./factory.ts";

/**
 * Run `cmds` as one transaction on `conn`. Resolves to one entry per command (its parsed reply or
 * its `RedisError`), or `null` when EXEC was aborted by WATCH. An invalid argument rejects before
 * anything is written; if Redis refuses to queue a command, every entry carries an error (the
 * refused one its own, the rest `EXECABORT`).
 */
export async function runTransaction(
  conn: Connection,
  cmds: readonly Cmd<unknown>[],
  factory: CommandFactory,
  options?: CommandOptions,
): Promise<unknown[] | null> {
  const argLists: (readonly Arg[])[] = [["MULTI"], ...cmds.map((c) => c.args), ["EXEC"]];
  const encoder = new CommandEncoder();
  for (const args of argLists) encoder.encode(args); // throws TypeError before anything is sent
  // Observed as one command, MULTI to EXEC's reply: the transaction is what its caller waits for.
  const observer = factory.observe(["MULTI"], cmds.length);
  const commands = argLists.map((args) => factory.create(args, options, false));
  conn.writeEncoded(commands, encoder.take());
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
