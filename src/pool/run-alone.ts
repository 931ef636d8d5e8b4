/**
 * A blocking command (BLPOP, XREAD BLOCK, WAIT, ...) sent through the pool's command API: it takes
 * a connection to itself for its duration, so it never delays the commands pipelined on the
 * others, and gives it back afterwards. Apart from `pool.ts`, the command API's surface, because
 * it is the one pool command that runs as a lease would: it waits for a connection of its own,
 * under the command's deadline or signal, where every other one is dispatched by the engine.
 * @module
 */
import type { Command } from "../conn/command.ts";
import type { RespValue } from "../resp/types.ts";
import type { PoolEngine } from "./engine.ts";
import type { Member } from "./members.ts";

const ignore = () => {};

/**
 * Lease a connection for `cmd`, run it, give the connection back (closed if its reply is still
 * outstanding); settles as `cmd` does.
 *
 * @example
 * ```ts
 * if (needsOwnConnection(args, info)) return runAlone(engine, engine.factory.create(args, options));
 * ```
 */
export async function runAlone(engine: PoolEngine, cmd: Command): Promise<RespValue> {
  const gaveUp = new AbortController();
  // The command's own deadline or signal ends the wait for a connection too.
  cmd.promise.catch(() => gaveUp.abort());
  let member: Member;
  try {
    member = await engine.acquire(gaveUp.signal, cmd.name);
  } catch (err) {
    cmd.fail(err as Error);
    return cmd.promise;
  }
  member.conn.write(cmd);
  await cmd.promise.then(ignore, ignore);
  void engine.giveBack(member);
  return cmd.promise;
}
