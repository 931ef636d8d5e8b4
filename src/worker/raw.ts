/**
 * The raw path between a worker client and an owner sharing a `createClient()` client: the worker
 * encodes its plain commands as RESP (one transferred buffer per tick), the owner writes those
 * bytes to the shared connection as they are, and sends each reply back as the bytes it arrived
 * as, for the worker to decode. Encoding and decoding — most of a command's cost — happen in the
 * worker threads, in parallel; the owner thread, which all workers wait on, only copies bytes.
 * Measured on Node 20 (bench/worker.ts), this is what lets one shared connection keep up with four
 * workers that each have a connection of their own.
 *
 * Commands with a signal or a timeout of their own, blocking commands, transactions and anything
 * on an isolated connection take the value path (`protocol.ts`), where the owner runs them as
 * commands of its own.
 * @module
 */
import { Decoder } from "../resp/decode.ts";
import { ProtocolError } from "../errors.ts";
import type { RespValue } from "../resp/types.ts";

/** Room for a tick's replies; grown (and remembered) when a tick brings more. */
const MIN_CAPACITY = 4096;

/**
 * Owner side: replies to one worker's raw commands, gathered in one buffer per tick, which is
 * transferred (not copied) to the worker.
 *
 * @example
 * ```ts
 * const frames = new FrameBatch();
 * frames.add(7, chunk, 0, 11); // the reply to command 7
 * const { bytes, ids } = frames.take()!; // post { frames: bytes, frameIds: ids } with [bytes.buffer]
 * ```
 */
export class FrameBatch {
  #buf = new Uint8Array(MIN_CAPACITY);
  #length = 0;
  #ids: number[] = [];

  get size(): number {
    return this.#ids.length;
  }

  /** Append the reply to command `id`, `buf[start..end]`. */
  add(id: number, buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.#length + n > this.#buf.length) this.#grow(this.#length + n);
    const out = this.#buf;
    let at = this.#length;
    // A short reply ("+OK", ":1") copies faster by hand than through a subarray view.
    if (n <= 16) for (let k = start; k < end; k++) out[at++] = buf[k]!;
    else out.set(buf.subarray(start, end), at);
    this.#length += n;
    this.#ids.push(id);
  }

  /** The replies gathered since the last take, in a buffer of their own to transfer; undefined if none. */
  take(): { bytes: Uint8Array; ids: number[] } | undefined {
    if (this.#ids.length === 0) return undefined;
    const taken = { bytes: this.#buf.subarray(0, this.#length), ids: this.#ids };
    this.#buf = new Uint8Array(Math.max(MIN_CAPACITY, this.#buf.length));
    this.#length = 0;
    this.#ids = [];
    return taken;
  }

  #grow(need: number): void {
    const grown = new Uint8Array(Math.max(need, 2 * this.#buf.length));
    grown.set(this.#buf.subarray(0, this.#length));
    this.#buf = grown;
  }
}

/** How a {@link FrameReader} hands out decoded replies. */
export interface FrameTarget {
  /** Whether call `id` wants its strings as `Uint8Array`. */
  wantsBytes(id: number): boolean;
  settle(id: number, value: RespValue): void;
  fail(id: number, error: Error): void;
}

/**
 * Worker side: decodes the replies the owner forwarded and settles their calls.
 *
 * @example
 * ```ts
 * const reader = new FrameReader(calls);
 * reader.read(message.frames, message.frameIds);
 * ```
 */
export class FrameReader {
  readonly #target: FrameTarget;
  #decoder: Decoder;
  #ids: number[] = [];
  #next = 0;

  constructor(target: FrameTarget) {
    this.#target = target;
    this.#decoder = this.#newDecoder();
  }

  /** Decode `bytes`, the replies to calls `ids`, in order. */
  read(bytes: Uint8Array, ids: number[]): void {
    this.#ids = ids;
    this.#next = 0;
    this.#decoder.bytes = this.#target.wantsBytes(ids[0]!);
    try {
      this.#decoder.feed(bytes);
      if (this.#next < ids.length) throw new ProtocolError(`the owner forwarded ${this.#next} replies for ${ids.length} commands`);
    } catch (err) {
      // The owner checked each reply's framing, so this is a bug, not the server: fail these calls, keep going.
      const error = err instanceof ProtocolError ? err : new ProtocolError("could not decode a reply the owner forwarded", { cause: err });
      for (let k = this.#next; k < ids.length; k++) this.#target.fail(ids[k]!, error);
      this.#decoder = this.#newDecoder();
    }
  }

  #newDecoder(): Decoder {
    return new Decoder({
      onReply: (value) => {
        const id = this.#ids[this.#next++];
        if (id === undefined) throw new ProtocolError("the owner forwarded more replies than commands");
        if (this.#next < this.#ids.length) this.#decoder.bytes = this.#target.wantsBytes(this.#ids[this.#next]!);
        this.#target.settle(id, value);
      },
      onPush: () => {}, // the owner forwards replies only
    });
  }
}
