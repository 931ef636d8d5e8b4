/**
 * Command arguments and replies as they cross a thread boundary.
 *
 * Byte strings are moved, not cloned: structured clone copies a `Uint8Array` twice (into the
 * message, out of it) and copies its WHOLE underlying buffer — for a 100-byte view into the
 * decoder's 16 KB slab (see `resp/byte-pool.ts`), all 16 KB, which the receiver then keeps alive.
 * So every byte string is sent in a buffer of its own that is transferred: the reply buffers the
 * decoder allocated for one value are moved as they are; anything else (views into shared slabs,
 * Node's pooled Buffers, the caller's arguments, which stay theirs) is copied once first.
 *
 * Error replies nested in aggregates (EXEC results, script replies) become plain marker objects,
 * which a reply can never otherwise contain, and are rebuilt on the other side.
 * @module
 */
import { RedisError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { errorFromWire, errorToWire, type WireError } from "./protocol.ts";

/** Stands for an error reply nested inside an aggregate. */
interface ErrorMarker {
  nestedError: WireError;
}

/**
 * Append `args` to `into`, ready to post: byte arguments are copied into buffers of their own,
 * which are added to `transfer` (the caller's arrays and buffers stay theirs, untouched).
 *
 * @example
 * ```ts
 * const batch: unknown[] = [], transfer: Transferable[] = [];
 * pushArgs(["SET", "k", new Uint8Array([1, 2])], batch, transfer); // transfer.length === 1
 * ```
 */
export function pushArgs(args: readonly Arg[], into: unknown[], transfer: Transferable[]): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    into.push(arg instanceof Uint8Array ? movable(arg, false, transfer) : arg);
  }
}

/**
 * A reply ready to post, and whether it holds error markers (then the receiver must call
 * {@link replyFromWire}). Aggregates are changed in place: a reply belongs to the one call it answers.
 *
 * @example
 * ```ts
 * const transfer: Transferable[] = [];
 * const { value, nested } = replyForWire([1, new RedisError("ERR no")], transfer); // nested === true
 * ```
 */
export function replyForWire(reply: RespValue, transfer: Transferable[]): { value: unknown; nested: boolean } {
  const found = { nested: false };
  return { value: encode(reply, transfer, found), nested: found.nested };
}

/**
 * A reply as it was before {@link replyForWire}, error replies rebuilt as `RedisError`.
 *
 * @example
 * ```ts
 * replyFromWire([1, { nestedError: { name: "RedisError", code: "ERR", message: "ERR no" } }]); // [1, RedisError]
 * ```
 */
export function replyFromWire(value: unknown): RespValue {
  if (typeof value !== "object" || value === null || value instanceof Uint8Array) return value as RespValue;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = replyFromWire(value[i]);
    return value;
  }
  if (value instanceof Map) {
    const out = new Map<RespValue, RespValue>();
    for (const [k, v] of value) out.set(replyFromWire(k), replyFromWire(v));
    return out;
  }
  if (value instanceof Set) return new Set([...value].map(replyFromWire));
  return errorFromWire((value as ErrorMarker).nestedError) as RedisError; // markers are only made from RedisError
}

function encode(value: RespValue, transfer: Transferable[], found: { nested: boolean }): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return movable(value, true, transfer);
  if (value instanceof RedisError) {
    found.nested = true;
    const marker: ErrorMarker = { nestedError: errorToWire(value) };
    return marker;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]!;
      if (typeof item === "object" && item !== null) (value as unknown[])[i] = encode(item, transfer, found);
    }
    return value;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(encode(k, transfer, found), encode(v, transfer, found));
    return out;
  }
  return new Set([...value].map((item) => encode(item, transfer, found)));
}

/**
 * `bytes` in a buffer that may be transferred, added to `transfer`. With `owned`, an array that
 * spans its whole buffer is the decoder's allocation for this one value and is moved as is;
 * anything else is copied (`new Uint8Array(view)` copies even a Node Buffer, whose `slice` would not).
 */
function movable(bytes: Uint8Array, owned: boolean, transfer: Transferable[]): Uint8Array {
  // An empty array may be a shared constant: detaching it would break its other users.
  if (bytes.byteLength === 0) return new Uint8Array(0);
  const whole = owned && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  const out = whole ? bytes : new Uint8Array(bytes);
  transfer.push(out.buffer as ArrayBuffer);
  return out;
}
