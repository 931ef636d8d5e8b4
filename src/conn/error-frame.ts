/**
 * The error inside an undecoded reply frame. A worker's commands get their replies forwarded as
 * bytes, never decoded in the owner; an owner that reacts to error replies (`reconnectOnError`,
 * `READONLY` after a failover) still has to see theirs.
 * @module
 */
import { RedisError } from "../errors.ts";

const MINUS = 0x2d; // "-": simple error
const BANG = 0x21; // "!": RESP3 blob error, "!<length>\r\n<text>\r\n"
const text = new TextDecoder();

/**
 * The `RedisError` a whole RESP frame `buf[start, end)` holds, or `undefined` when it holds
 * anything else. Costs one byte comparison for a frame that is not an error.
 *
 * @example
 * ```ts
 * errorInFrame(new TextEncoder().encode("-READONLY no\r\n"), 0, 14)?.code; // "READONLY"
 * ```
 */
export function errorInFrame(buf: Uint8Array, start: number, end: number): RedisError | undefined {
  const type = buf[start];
  if (type === MINUS) return new RedisError(text.decode(buf.subarray(start + 1, end - 2)));
  if (type !== BANG) return undefined;
  const lineEnd = buf.indexOf(0x0d, start);
  return new RedisError(text.decode(buf.subarray(lineEnd + 2, end - 2)));
}
