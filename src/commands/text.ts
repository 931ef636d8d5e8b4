/**
 * An argument as text, for reading command names, subcommands and keywords whether the caller gave
 * them as strings, numbers or bytes.
 * @module
 */
import type { Arg } from "../resp/types.ts";

const utf8 = new TextDecoder();

/**
 * `arg` as a string: bytes decode as UTF-8, numbers in decimal, a missing argument is `""`.
 *
 * @example
 * ```ts
 * argText(new TextEncoder().encode("select")); // "select"
 * argText(3);                                 // "3"
 * ```
 */
export function argText(arg: Arg | undefined): string {
  if (typeof arg === "string") return arg;
  if (arg instanceof Uint8Array) return utf8.decode(arg);
  return arg === undefined ? "" : String(arg);
}
