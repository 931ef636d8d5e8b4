/**
 * Hash slots: which of Redis Cluster's 16384 slots a key belongs to. The slot is CRC16 (XMODEM) of
 * the key's bytes modulo 16384, or of its hash tag — the part between the first `{` and the first
 * `}` after it, when that part is not empty — so `{user:1}:name` and `{user:1}:mail` share a slot
 * (redis.io/docs/reference/cluster-spec, "Keys distribution model").
 * @module
 */
import type { Arg } from "../resp/types.ts";

/** Number of hash slots in a Redis Cluster. */
export const SLOTS = 16_384;

const TABLE = /* @__PURE__ */ (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

const utf8 = new TextEncoder();
const OPEN = 0x7b; // "{"
const CLOSE = 0x7d; // "}"

/** CRC16 of `bytes[start, end)` modulo 16384. */
function slotOfBytes(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  return crc & (SLOTS - 1);
}

/** CRC16 of the one-byte characters `text[start, end)` modulo 16384 (ASCII: no encoding needed). */
function slotOfAscii(text: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ text.charCodeAt(i)) & 0xff]!;
  return crc & (SLOTS - 1);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * The hash slot of `key`, as Redis computes it (`CLUSTER KEYSLOT`). Strings hash as their UTF-8
 * bytes; numbers as their decimal text, which is what the encoder sends.
 *
 * @example
 * ```ts
 * keySlot("123456789");                             // 12739
 * keySlot("{user:1}:name") === keySlot("user:1");   // true: the hash tag decides
 * keySlot(new TextEncoder().encode("foo"));         // 12182
 * ```
 */
export function keySlot(key: Arg): number {
  if (key instanceof Uint8Array) {
    const open = key.indexOf(OPEN);
    if (open >= 0) {
      const close = key.indexOf(CLOSE, open + 1);
      if (close > open + 1) return slotOfBytes(key, open + 1, close);
    }
    return slotOfBytes(key, 0, key.length);
  }
  const text = typeof key === "string" ? key : String(key);
  if (!isAscii(text)) return keySlot(utf8.encode(text));
  const open = text.indexOf("{");
  if (open >= 0) {
    const close = text.indexOf("}", open + 1);
    if (close > open + 1) return slotOfAscii(text, open + 1, close);
  }
  return slotOfAscii(text, 0, text.length);
}
