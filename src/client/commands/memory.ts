/**
 * `MEMORY` subcommands: how much memory a key or the server uses, and the allocator's reports.
 * @module
 */
import type { RespValue } from "../../resp/types.ts";
import { fields, text, toNumber, toOk } from "../replies.ts";
import { parsed, type Cmd, type Key } from "../spec.ts";

/**
 * `MEMORY STATS`: each figure by its Redis name (`peak.allocated`, `dataset.percentage`, ...) as a
 * number; per-database overheads (`db.0`, ...) as objects of numbers.
 */
export type MemoryStats = Record<string, number | Record<string, number>>;

function toStats(reply: RespValue): MemoryStats {
  // A nested figure is a map (RESP3) or a flat array (RESP2); every leaf is a number or its text.
  return fields(reply, (v) => (v instanceof Map || Array.isArray(v) ? fields(v, toNumber) : toNumber(v)));
}

/** Memory command table. */
export const memoryCommands = {
  /** `MEMORY USAGE key [SAMPLES n]` → bytes the key and its value take, or `null` when missing. */
  memoryUsage: (key: Key, options: { samples?: number } = {}): Cmd<number | null> =>
    parsed(options.samples === undefined ? ["MEMORY", "USAGE", key] : ["MEMORY", "USAGE", key, "SAMPLES", options.samples], (r) =>
      r === null ? null : toNumber(r),
    ),
  /** `MEMORY STATS` → the server's memory figures. */
  memoryStats: (): Cmd<MemoryStats> => parsed(["MEMORY", "STATS"], toStats),
  /** `MEMORY DOCTOR` → advice on the server's memory, as text. */
  memoryDoctor: (): Cmd<string> => parsed(["MEMORY", "DOCTOR"], text),
  /** `MEMORY MALLOC-STATS` → the allocator's own report, as text. */
  memoryMallocStats: (): Cmd<string> => parsed(["MEMORY", "MALLOC-STATS"], text),
  /** `MEMORY PURGE`: ask the allocator to release dirty pages. */
  memoryPurge: (): Cmd<"OK"> => parsed(["MEMORY", "PURGE"], toOk),
};
