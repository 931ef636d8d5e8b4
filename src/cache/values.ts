/**
 * Cached replies as values of their own: each caller gets a copy it may change without changing
 * what the next caller gets (node-redis hands out `structuredClone`s for the same reason), and each
 * entry's size is estimated for `maxBytes`.
 * @module
 */
import type { RespValue } from "../resp/types.ts";

/**
 * `reply`, or a copy of it when it could be changed in place (arrays, maps, sets, bytes). Strings,
 * numbers and `null` are immutable and shared.
 *
 * @example
 * ```ts
 * const a = ["x", "y"];
 * copyReply(a) !== a; // true
 * ```
 */
export function copyReply(reply: RespValue): RespValue {
  if (typeof reply !== "object" || reply === null) return reply;
  if (reply instanceof Uint8Array) return reply.slice();
  if (Array.isArray(reply)) return reply.map(copyReply);
  if (reply instanceof Map) {
    const out = new Map<RespValue, RespValue>();
    for (const [k, v] of reply) out.set(copyReply(k), copyReply(v));
    return out;
  }
  if (reply instanceof Set) {
    const out = new Set<RespValue>();
    for (const v of reply) out.add(copyReply(v));
    return out;
  }
  return reply; // a RedisError: never cached (see cache.ts)
}

/** Per-value overhead counted on top of its contents: a rough size of a heap object. */
const OBJECT_BYTES = 16;

/**
 * About how many bytes `reply` holds: 2 per UTF-16 unit of a string (what a JS string may take),
 * the length of bytes, 8 per number, plus a small overhead per value.
 *
 * @example
 * ```ts
 * replySize("hello"); // 26
 * ```
 */
export function replySize(reply: RespValue): number {
  if (typeof reply === "string") return OBJECT_BYTES + 2 * reply.length;
  if (typeof reply !== "object" || reply === null) return 8;
  if (reply instanceof Uint8Array) return OBJECT_BYTES + reply.byteLength;
  let size = OBJECT_BYTES;
  if (Array.isArray(reply) || reply instanceof Set) for (const v of reply) size += replySize(v);
  else if (reply instanceof Map) for (const [k, v] of reply) size += replySize(k) + replySize(v);
  return size;
}

/**
 * Whether `reply` may be cached: not an error reply, and with no error inside (none of the
 * commands that are cached send one nested, but a module could).
 */
export function isCacheableReply(reply: RespValue): boolean {
  if (typeof reply !== "object" || reply === null || reply instanceof Uint8Array) return true;
  if (Array.isArray(reply) || reply instanceof Set) {
    for (const v of reply) if (!isCacheableReply(v)) return false;
    return true;
  }
  if (reply instanceof Map) {
    for (const [k, v] of reply) if (!isCacheableReply(k) || !isCacheableReply(v)) return false;
    return true;
  }
  return false;
}
