/**
 * Values that cross the RESP codec.
 * @module
 */
import type { RedisError } from "../errors.ts";

/** A command argument. Numbers are sent in decimal; `Uint8Array` is sent as is (binary-safe). */
export type Arg = string | number | bigint | Uint8Array;

/**
 * A decoded reply.
 * - simple/bulk/verbatim strings: `string` (UTF-8), or `Uint8Array` when the reply is read in bytes mode
 * - integers: `number` (`bigint` outside ±2^53), doubles: `number` (incl. ±Infinity, NaN), big numbers: `bigint`
 * - RESP2 nil and RESP3 null: `null`; booleans: `boolean`
 * - arrays and pushes: arrays; maps: `Map`; sets: `Set`
 * - error replies nested inside an aggregate (EXEC results): {@link RedisError} instances
 */
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | RespValue[]
  | Map<RespValue, RespValue>
  | Set<RespValue>
  | RedisError;
