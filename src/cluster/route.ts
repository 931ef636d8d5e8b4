/**
 * How a command is routed, asked of the command table (src/commands): the slot of its first key,
 * whether it only reads (so a replica may serve it), whether it needs a connection of its own.
 * Commands the table does not know (a module's) have no key here and go where keyless commands go;
 * a `MOVED` then takes them to their slot's owner.
 * @module
 */
import { blockingTimeout, keyIndexes, lookupCommand, needsOwnConnection } from "../commands/lookup.ts";
import type { CommandInfo } from "../commands/table.ts";
import type { Arg } from "../resp/types.ts";
import type { Route } from "./command.ts";
import { keySlot } from "./slot.ts";

export { keyIndexes };

/** The keys of `args`, in order. */
export function keysOf(args: readonly Arg[]): Arg[] {
  return keyIndexes(args).map((i) => args[i]!);
}

/**
 * How `args` is routed.
 *
 * @example
 * ```ts
 * routeOf(["GET", "user:1"]);       // { slot: keySlot("user:1"), readonly: true, blocking: undefined, dedicated: false }
 * routeOf(["BLPOP", "q", 5]);       // { slot: keySlot("q"), readonly: false, blocking: 5000, dedicated: true }
 * routeOf(["PING"]).slot;           // -1: no key
 * ```
 */
export function routeOf(args: readonly Arg[], info: CommandInfo | undefined = lookupCommand(args)): Route {
  if (info === undefined) return { slot: -1, readonly: false, blocking: undefined, dedicated: false };
  const keys = keyIndexes(args);
  return {
    slot: keys.length > 0 ? keySlot(args[keys[0]!]!) : -1,
    readonly: info.flags.has("readonly"),
    blocking: blockingTimeout(args, info),
    dedicated: needsOwnConnection(args, info),
  };
}
