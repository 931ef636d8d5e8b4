/**
 * Bounds the decoder enforces on what a server sends, and what happens past each.
 *
 * Two kinds of bound, with two outcomes:
 * - What Redis can legally send but resplex will not build (a string past `maxBulkLength`, an
 *   aggregate past `maxAggregateLength` elements or `maxDepth` levels): the reply is read to its
 *   end and dropped, and only the command it answers fails, with a `LimitError` naming the bound.
 *   The connection stays in step and every other command gets its own reply.
 * - What no Redis sends (a header line past `maxLineLength`, a length that is not a number): the
 *   input is malformed, a `ProtocolError` closes the connection.
 *
 * So a broken or hostile peer can make the decoder fail but never hang it or make it buffer
 * without limit.
 * @module
 */
import { LimitError } from "../errors.ts";

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
  /**
   * Longest string: a bulk string's payload, and a one-line value (`+` status, `-` error, ...),
   * which a Lua script can make as long as a bulk string (`redis.status_reply(s)`). 512 MB is
   * Redis' `proto-max-bulk-len` default.
   */
  readonly maxBulkLength: number;
  /** Most elements in one aggregate. 2^32 - 1 is the longest a JavaScript array can be. */
  readonly maxAggregateLength: number;
  /**
   * Longest header line of a bulk string or aggregate (type byte through CRLF). Real ones are under
   * 30 bytes; 64 KB bounds how much an unterminated header can make the decoder buffer.
   */
  readonly maxLineLength: number;
  /**
   * Deepest nesting of aggregates and attributes. A Lua script can return tables nested up to
   * ~8000 deep, but past ~3000 levels the structured clone of Node and Deno (which carries a reply
   * to a worker thread) and `JSON.stringify` overflow their stacks: a reply deeper than this is
   * refused for its command alone, rather than handed to code that would crash on it.
   */
  readonly maxDepth: number;
} = Object.freeze({
  maxBulkLength: 512 * 1024 * 1024,
  maxAggregateLength: 2 ** 32 - 1,
  maxLineLength: 64 * 1024,
  maxDepth: 2048,
});

/**
 * The error a command gets when its reply is past `limit` (see the module doc): `what` says how.
 *
 * @example
 * ```ts
 * throw refusedReply("maxDepth", `nested deeper than ${RESP_LIMITS.maxDepth} levels`);
 * ```
 */
export function refusedReply(limit: "maxBulkLength" | "maxAggregateLength" | "maxDepth", what: string): LimitError {
  return new LimitError(limit, `reply refused: ${what} (RESP_LIMITS.${limit}); it was read past, the connection is unaffected`);
}
