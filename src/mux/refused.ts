/**
 * Commands that would change the shared connection's state for every caller, and what to use
 * instead. Checked where a command enters a multiplexer: its `send`, and a worker client's raw path.
 * @module
 */
import type { Arg } from "../resp/types.ts";

const NOT_ON_SHARED: Record<string, string> = {
  SUBSCRIBE: "use subscribe()", PSUBSCRIBE: "use psubscribe()", SSUBSCRIBE: "use ssubscribe()",
  UNSUBSCRIBE: "use the function subscribe() returned", PUNSUBSCRIBE: "use the function psubscribe() returned",
  SUNSUBSCRIBE: "use the function ssubscribe() returned", MULTI: "use multi() or isolated()",
  EXEC: "use multi() or isolated()", DISCARD: "use isolated()", WATCH: "use isolated()", UNWATCH: "use isolated()",
  SELECT: "set the db option", MONITOR: "use isolated()", RESET: "use isolated()", QUIT: "use close()",
  HELLO: "set the protocol option", AUTH: "set username/password options",
};

/**
 * Why `args` cannot run on a shared connection, as an error message; undefined when it can.
 *
 * @example
 * ```ts
 * refusedOnShared(["select", 1]); // "SELECT cannot run on the shared connection: set the db option"
 * refusedOnShared(["GET", "k"]);  // undefined
 * ```
 */
export function refusedOnShared(args: readonly Arg[]): string | undefined {
  const name = args[0];
  if (typeof name !== "string" || name.length > 12) return undefined; // PUNSUBSCRIBE and SUNSUBSCRIBE are the longest
  const upper = name.toUpperCase();
  const hint = NOT_ON_SHARED[upper];
  if (hint) return `${upper} cannot run on the shared connection: ${hint}`;
  // CLIENT REPLY OFF|SKIP silences replies, and every caller after would get another's reply.
  if (upper === "CLIENT" && typeof args[1] === "string" && args[1].toUpperCase() === "REPLY") {
    return "CLIENT REPLY cannot run on the shared connection: replies would no longer match their commands";
  }
  return undefined;
}
