/**
 * Bitmap commands: single bits, bit counts and positions, bitwise operations between keys, and
 * `BITFIELD`'s integers packed at arbitrary bit offsets.
 * @module
 */
import type { Arg } from "../../resp/types.ts";
import { list, toNumberOrNull } from "../replies.ts";
import { parsed, raw, type Cmd, type Key } from "../spec.ts";

/** A bit range of `bitcount`/`bitpos`: bytes by default, or bits (`unit: "BIT"`, Redis 7). */
export interface BitRange {
  start: number;
  /** Inclusive; negative counts from the end. `bitpos` may leave it out (to the end). */
  end?: number;
  unit?: "BYTE" | "BIT";
}

/** A `BITFIELD` integer type: signed (`i1`..`i64`) or unsigned (`u1`..`u63`). */
export type BitfieldType = `${"i" | "u"}${number}`;

/** A `BITFIELD` offset: in bits, or `#n` for the n-th integer of the type. */
export type BitfieldOffset = number | `#${number}`;

/** One `BITFIELD` operation; `overflow` sets how later `set`/`incrby` treat overflow. */
export type BitfieldOperation =
  | { op: "get"; type: BitfieldType; offset: BitfieldOffset }
  | { op: "set"; type: BitfieldType; offset: BitfieldOffset; value: number | bigint }
  | { op: "incrby"; type: BitfieldType; offset: BitfieldOffset; increment: number | bigint }
  | { op: "overflow"; behavior: "WRAP" | "SAT" | "FAIL" };

function rangeArgs(range: BitRange | undefined, endRequired: boolean): Arg[] {
  if (range === undefined) return [];
  if (range.end === undefined) {
    if (endRequired || range.unit) throw new TypeError("give the range's end too (with a unit, or for bitcount)");
    return [range.start];
  }
  return range.unit ? [range.start, range.end, range.unit] : [range.start, range.end];
}

function operationArgs(ops: readonly BitfieldOperation[]): Arg[] {
  const args: Arg[] = [];
  for (const o of ops) {
    if (o.op === "get") args.push("GET", o.type, o.offset);
    else if (o.op === "set") args.push("SET", o.type, o.offset, o.value);
    else if (o.op === "incrby") args.push("INCRBY", o.type, o.offset, o.increment);
    else if (o.op === "overflow") args.push("OVERFLOW", o.behavior);
    else throw new TypeError(`bitfield: unknown operation ${JSON.stringify((o as { op: unknown }).op)}`);
  }
  return args;
}

/** One entry per `get`/`set`/`incrby` (`null` where `OVERFLOW FAIL` refused it). */
const toFieldValues = (reply: unknown): Array<number | null> => list(reply as never).map(toNumberOrNull);

/** Bitmap command table. */
export const bitmapCommands = {
  /** `GETBIT key offset` → the bit. */
  getbit: (key: Key, offset: number): Cmd<0 | 1> => raw(["GETBIT", key, offset]),
  /** `SETBIT key offset 0|1` → the bit's previous value. */
  setbit: (key: Key, offset: number, value: 0 | 1): Cmd<0 | 1> => raw(["SETBIT", key, offset, value]),
  /** `BITCOUNT key [start end [BYTE|BIT]]` → how many bits are set. */
  bitcount: (key: Key, range?: BitRange): Cmd<number> => raw(["BITCOUNT", key, ...rangeArgs(range, true)]),
  /** `BITPOS key 0|1 [start [end [BYTE|BIT]]]` → the first position of `bit`, or -1. */
  bitpos: (key: Key, bit: 0 | 1, range?: BitRange): Cmd<number> => raw(["BITPOS", key, bit, ...rangeArgs(range, false)]),
  /** `BITOP AND|OR|XOR|NOT destkey key...` → the destination's length in bytes. */
  bitop: (operation: "AND" | "OR" | "XOR" | "NOT", destination: Key, ...keys: Key[]): Cmd<number> => {
    if (keys.length === 0) throw new TypeError("bitop: give at least one source key");
    return raw(["BITOP", operation, destination, ...keys]);
  },
  /**
   * `BITFIELD key [GET|SET|INCRBY|OVERFLOW ...]...` → one value per `get`/`set` (the old value)/
   * `incrby` (the new value), `null` where `OVERFLOW FAIL` stopped it.
   *
   * @example
   * ```ts
   * await redis.bitfield("k", [{ op: "set", type: "u8", offset: 0, value: 200 }, { op: "get", type: "u8", offset: 0 }]); // [0, 200]
   * ```
   */
  bitfield: (key: Key, operations: readonly BitfieldOperation[]): Cmd<Array<number | null>> =>
    parsed(["BITFIELD", key, ...operationArgs(operations)], toFieldValues),
  /** `BITFIELD_RO key GET type offset...` (safe on replicas) → one value per read. */
  bitfieldRo: (key: Key, reads: ReadonlyArray<{ type: BitfieldType; offset: BitfieldOffset }>): Cmd<number[]> =>
    parsed(["BITFIELD_RO", key, ...reads.flatMap((r) => ["GET", r.type, r.offset])], (r) => toFieldValues(r) as number[]),
};
