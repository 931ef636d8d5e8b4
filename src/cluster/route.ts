/**
 * How a command is routed, from the command table: the slot of its keys, whether it only reads,
 * whether it blocks.
 * @module
 */
// PLACEHOLDER until the command table (src/commands) lands on main: the first argument is the key.
import { blockingTimeout } from "../conn/blocking.ts";
import type { Arg } from "../resp/types.ts";
import type { Route } from "./command.ts";
import { keySlot } from "./slot.ts";

/** The positions of the keys of `args`, in order. */
export function keyIndexes(args: readonly Arg[]): number[] {
  return args.length > 1 ? [1] : [];
}

/** The keys of `args`, in order. */
export function keysOf(args: readonly Arg[]): Arg[] {
  return args.length > 1 ? [args[1]!] : [];
}

/** How `args` is routed: by its first key's slot (-1 when it has none). */
export function routeOf(args: readonly Arg[]): Route {
  const keys = keysOf(args);
  return { slot: keys.length > 0 ? keySlot(keys[0]!) : -1, readonly: false, blocking: blockingTimeout(args) };
}
