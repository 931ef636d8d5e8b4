/**
 * The handlers a {@link Decoder} hands its values to, and the one object that calls them. It is
 * apart from the parsing in `decode.ts` because calling user code is a concern of its own: an error
 * thrown inside a handler must leave `feed` unchanged, while one from the decoder becomes a
 * ProtocolError, and only the code that makes the calls knows which it was. Values the frame
 * scanner reads (raw replies, and the rest of refused ones) come here too, so every call into a
 * handler passes through this file.
 * @module
 */
import { ProtocolError, type LimitError } from "../errors.ts";
import type { FrameHandlers } from "./frames.ts";
import type { RespValue } from "./types.ts";

/**
 * Where a {@link Decoder} delivers values. Both are called synchronously from inside `feed`.
 *
 * @example
 * ```ts
 * const handlers: DecoderHandlers = {
 *   onReply: (value) => queue.shift()?.resolve(value),
 *   onPush: ([kind, ...rest]) => pubsub.dispatch(kind, rest),
 * };
 * ```
 */
export interface DecoderHandlers {
  /** Each complete top-level value that is not a push. An error reply arrives as a `RedisError` instance (not thrown). */
  onReply(value: RespValue): void;
  /** Each complete top-level RESP3 push (`>`), e.g. a pub/sub message or a client-tracking invalidation. */
  onPush(value: RespValue[]): void;
  /**
   * Each top-level reply decoded while `Decoder.raw` was set, as its bytes `buf[start..end]`
   * (valid only during the call). Required for raw mode.
   */
  onFrame?(buf: Uint8Array, start: number, end: number): void;
  /**
   * A top-level reply past a bound of RESP_LIMITS that Redis can reach (nested deeper than
   * `maxDepth`, a string longer than `maxBulkLength`, ...): it was read to its end and dropped, the
   * stream is still in step, and `error` stands for that reply. Without this handler such a reply
   * stops the decoder with a ProtocolError. A push past a bound is dropped without a call.
   */
  onLimit?(error: LimitError): void;
}

/**
 * Calls a decoder's handlers, noting while one runs; as the frame scanner's handlers, frames raw
 * replies and reports refused ones.
 *
 * @example
 * ```ts
 * const delivery = new Delivery({ onReply: console.log, onPush: console.log });
 * delivery.deliver("OK", false); // logs "OK"
 * ```
 */
export class Delivery implements FrameHandlers {
  /** Whether a handler is running: an error thrown now is the handler's, not the decoder's. */
  inHandler = false;
  /** Whether the top-level value the frame scanner is reading past is a push (dropped silently). */
  refusedPush = false;
  readonly #handlers: DecoderHandlers;

  constructor(handlers: DecoderHandlers) {
    this.#handlers = handlers;
  }

  /** A complete top-level value: a push, or the reply to the next command. */
  deliver(value: RespValue, push: boolean): void {
    this.inHandler = true;
    if (push) this.#handlers.onPush(value as RespValue[]);
    else this.#handlers.onReply(value);
    this.inHandler = false;
  }

  /** A raw reply, framed by the scanner. */
  onFrame(frame: Uint8Array, start: number, end: number): void {
    const onFrame = this.#handlers.onFrame;
    if (!onFrame) throw new TypeError("Decoder.raw is set but no onFrame handler was given");
    this.inHandler = true;
    onFrame(frame, start, end);
    this.inHandler = false;
  }

  /** A value past a bound was read to its end. */
  onRefused(error: LimitError): void {
    if (this.refusedPush) {
      this.refusedPush = false;
      return; // a push past a bound has no command to fail
    }
    const onLimit = this.#handlers.onLimit;
    if (!onLimit) throw new ProtocolError(error.message);
    this.inHandler = true;
    onLimit(error);
    this.inHandler = false;
  }
}
