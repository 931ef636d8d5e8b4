/**
 * How a `with()` view's options meet the options of one call made through it.
 * @module
 */
import type { CommandOptions } from "../conn/command.ts";

/**
 * `view`'s options with `call`'s over them, field by field; a field `call` leaves `undefined` keeps
 * `view`'s (a spread would clear it: `with({ bytes: true }).with({ bytes: undefined })` would read
 * strings while its type says bytes).
 *
 * @example
 * ```ts
 * overView({ bytes: true, timeout: 50 }, { timeout: 10, bytes: undefined }); // { bytes: true, timeout: 10 }
 * ```
 */
export function overView(view: CommandOptions, call: CommandOptions | undefined): CommandOptions {
  if (!call) return view;
  const merged: CommandOptions = { ...view };
  for (const [name, value] of Object.entries(call) as Array<[keyof CommandOptions, never]>) {
    if (value !== undefined) merged[name] = value;
  }
  return merged;
}
