/**
 * Validation of command arguments, separate from encoding so a client can reject a bad command the
 * moment it is issued (DESIGN.md: bad input from the caller throws before anything is written),
 * without paying for an encoding it will redo when the command is actually flushed.
 * @module
 */
import type { Arg } from "./types.ts";

/**
 * Throws the TypeError `CommandEncoder.encode` would throw for `args`, without encoding or
 * allocating anything: for rejecting a bad command when it is issued, long before it is written.
 *
 * @example
 * ```ts
 * validateCommand(["SET", "k", undefined as never]); // TypeError: Invalid command argument 2 of "SET": got undefined; ...
 * ```
 */
export function validateCommand(args: readonly Arg[]): void {
  const count = args.length;
  if (count === 0) throw new TypeError("Cannot encode an empty command: expected at least a command name");
  for (let k = 0; k < count; k++) {
    const a: unknown = args[k];
    if (typeof a === "string" || a instanceof Uint8Array || typeof a === "bigint") continue;
    if (typeof a === "number" && a === a) continue; // a !== a only for NaN
    throw invalidArgument(args, k);
  }
}

function invalidArgument(args: readonly unknown[], index: number): TypeError {
  const name = typeof args[0] === "string" && index > 0 ? ` of ${JSON.stringify(args[0].slice(0, 32))}` : "";
  return new TypeError(
    `Invalid command argument ${index}${name}: got ${describeValue(args[index])}; expected a string, number (not NaN), bigint or Uint8Array`,
  );
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "number") return "NaN";
  if (typeof v === "boolean") return `a boolean (${v})`;
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") {
    const tag = Object.prototype.toString.call(v).slice(8, -1);
    return tag === "Object" ? "an object" : `an object (${tag})`;
  }
  return `a ${typeof v}`;
}
