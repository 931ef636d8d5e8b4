/**
 * Bounds the decoder enforces on what a server sends. Past any of them the input is treated as
 * malformed (a `ProtocolError`), so a broken or hostile peer can make the decoder fail but never hang
 * it or make it buffer without limit.
 * @module
 */

/**
 * The decoder's bounds, in bytes or elements.
 *
 * @example
 * ```ts
 * import { RESP_LIMITS } from "./limits.ts";
 * RESP_LIMITS.maxBulkLength; // 536870912: Redis' own proto-max-bulk-len default
 * ```
 */
export const RESP_LIMITS: {
  /** Largest bulk string payload. 512 MB is Redis' `proto-max-bulk-len` default: a server never sends more. */
  readonly maxBulkLength: number;
  /** Most elements in one aggregate. 2^32 - 1 is the longest a JavaScript array can be. */
  readonly maxAggregateLength: number;
  /**
   * Longest header line (type byte through CRLF). Real headers are under 30 bytes and simple strings
   * and errors are short; 64 KB bounds how much an unterminated line can make the decoder buffer.
   */
  readonly maxLineLength: number;
  /** Deepest nesting of aggregates and attributes; replies nest a few levels, a hostile stream thousands. */
  readonly maxDepth: number;
} = Object.freeze({
  maxBulkLength: 512 * 1024 * 1024,
  maxAggregateLength: 2 ** 32 - 1,
  maxLineLength: 64 * 1024,
  maxDepth: 1000,
});
