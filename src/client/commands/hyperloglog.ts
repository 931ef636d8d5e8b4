/**
 * HyperLogLog commands: approximate distinct counts in 12 KB per key.
 * `PFDEBUG` and `PFSELFTEST` are Redis's own test hooks and stay untyped (see excluded.ts).
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { toOk } from "../replies.ts";
import { parsed, raw, toBoolean, type Cmd, type Key } from "../spec.ts";

/** HyperLogLog command table. */
export const hyperloglogCommands = {
  /** `PFADD key element...` → whether the estimate changed (creating the key counts). */
  pfadd: (key: Key, ...elements: Arg[]): Cmd<boolean> => parsed(["PFADD", key, ...elements], toBoolean),
  /** `PFCOUNT key...` → the estimated number of distinct elements (of the union, for several keys). */
  pfcount: (...keys: Key[]): Cmd<number> => {
    if (keys.length === 0) throw new TypeError("pfcount: give at least one key");
    return raw(["PFCOUNT", ...keys]);
  },
  /** `PFMERGE destkey [sourcekey...]`. */
  pfmerge: (destination: Key, ...sources: Key[]): Cmd<"OK"> => parsed(["PFMERGE", destination, ...sources], toOk),
};
