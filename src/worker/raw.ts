/**
 * The raw path between a worker client and an owner sharing a `createClient()` client: the worker
 * encodes its plain commands as RESP (one transferred buffer per tick), the owner writes those
 * bytes to the shared connection as they are, and sends each reply back as the bytes it arrived
 * as, for the worker to decode. Encoding and decoding — most of a command's cost — happen in the
 * worker threads, in parallel; the owner thread, which all workers wait on, only finds where each
 * reply ends and copies the bytes, once per run of replies (`ReplySpan`). On a 2-core machine
 * (bench/worker.ts, Node 20) this took four workers sharing one connection from 0.48 of what four
 * connections of their own do, when the owner decoded and re-encoded every command, to 0.61–1.0.
 *
 * Commands with a signal or a timeout of their own, blocking commands, transactions, anything on
 * an isolated connection, and commands the shared connection refuses (SELECT, SUBSCRIBE, ...: see
 * `mux/refused.ts`, which rejects them there with a hint) take the value path (`protocol.ts`),
 * where the owner runs them as commands of its own.
 * @module
 */
import { EncodedRun, RawCommand, type RawSink } from "../conn/raw-command.ts";
import { ProtocolError } from "../errors.ts";
import { Decoder } from "../resp/decode.ts";
import { CommandEncoder } from "../resp/encode.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import { RAW_RUN, REQUEST_HEADER, type RequestOp } from "./protocol.ts";

/** Room for a tick's replies at least; a buffer grows when a tick brings more. */
const MIN_CAPACITY = 4096;
/** The next tick's buffer is sized after the last tick's replies, but never past this: one huge reply must not make every later tick allocate as much. */
const MAX_CAPACITY = 256 * 1024;

/**
 * Owner side: replies to one worker's raw commands, gathered in one buffer per tick, which is
 * transferred (not copied) to the worker.
 *
 * @example
 * ```ts
 * const frames = new FrameBatch();
 * frames.add(7, 2, chunk, 0, 16); // the replies to commands 7 and 8
 * const { bytes, runs } = frames.take()!; // runs: [7, 2]; post { frames: bytes, frameRuns: runs } with [bytes.buffer]
 * ```
 */
export class FrameBatch {
  #buf = new Uint8Array(MIN_CAPACITY);
  #length = 0;
  /** The replies' ids as runs, `[firstId, count, ...]`: a worker's replies mostly come in the order it sent them. */
  #runs: number[] = [];

  /** Whether no reply was added since the last take. */
  get empty(): boolean {
    return this.#runs.length === 0;
  }

  /** Append the replies to commands `firstId` to `firstId + count - 1`, `buf[start..end]`. */
  add(firstId: number, count: number, buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.#length + n > this.#buf.length) this.#grow(this.#length + n);
    const out = this.#buf;
    let at = this.#length;
    // A short reply ("+OK", ":1") copies faster by hand than through a subarray view.
    if (n <= 16) for (let k = start; k < end; k++) out[at++] = buf[k]!;
    else out.set(buf.subarray(start, end), at);
    this.#length += n;
    const runs = this.#runs;
    const last = runs.length - 2;
    if (last >= 0 && runs[last]! + runs[last + 1]! === firstId) runs[last + 1]! += count;
    else runs.push(firstId, count);
  }

  /** The replies gathered since the last take, in a buffer of their own to transfer, and their ids as runs; undefined if none. */
  take(): { bytes: Uint8Array; runs: number[] } | undefined {
    if (this.#runs.length === 0) return undefined;
    const taken = { bytes: this.#buf.subarray(0, this.#length), runs: this.#runs };
    this.#buf = new Uint8Array(nextCapacity(this.#length));
    this.#length = 0;
    this.#runs = [];
    return taken;
  }

  #grow(need: number): void {
    const grown = new Uint8Array(Math.max(need, 2 * this.#buf.length));
    grown.set(this.#buf.subarray(0, this.#length));
    this.#buf = grown;
  }
}

/** A power of two with room for `length` bytes, within [MIN_CAPACITY, MAX_CAPACITY]. */
function nextCapacity(length: number): number {
  let capacity = MIN_CAPACITY;
  while (capacity < length && capacity < MAX_CAPACITY) capacity *= 2;
  return capacity;
}

/** Writes a run of encoded commands on the shared client (`RedisClient[writeRun]`). */
export type RunWriter = (run: EncodedRun, cmds: RawCommand[]) => void;

/** What a {@link RawForwarder} tells its session. */
export interface ForwardedReplies {
  /** `count` replies were gathered (the session sends what it holds at the end of the tick). */
  replied(count: number): void;
  /** Command `id` failed: its error goes back the usual way. */
  failed(id: number, error: Error): void;
}

/**
 * Owner side of one worker's encoded commands: writes each run to the shared client and gathers
 * the replies' bytes until the session takes them.
 *
 * @example
 * ```ts
 * const forwarder = new RawForwarder(writeRun, { replied: () => flush.schedule(), failed: reject });
 * forwarder.write(1, bytesOfTwoCommands, 2); // commands 1 and 2
 * ```
 */
export class RawForwarder {
  readonly #writeRun: RunWriter;
  readonly #replies = new FrameBatch();
  readonly #sink: RawSink;
  #closed = false;

  constructor(writeRun: RunWriter, session: ForwardedReplies) {
    this.#writeRun = writeRun;
    this.#sink = {
      replies: (firstId, count, buf, start, end) => {
        if (this.#closed) return;
        this.#replies.add(firstId, count, buf, start, end);
        session.replied(count);
      },
      fail: (id, error) => {
        if (!this.#closed) session.failed(id, error);
      },
    };
  }

  /** Whether replies are waiting to be taken. */
  get holding(): boolean {
    return !this.#replies.empty;
  }

  /** Write the `count` commands encoded in `bytes`, ids `firstId` on. */
  write(firstId: number, bytes: Uint8Array, count: number): void {
    const run = new EncodedRun(bytes, count);
    const cmds: RawCommand[] = [];
    for (let k = 0; k < count; k++) cmds.push(new RawCommand(firstId + k, this.#sink, run, k));
    this.#writeRun(run, cmds);
  }

  /** The replies gathered since the last take (see {@link FrameBatch.take}). */
  take(): ReturnType<FrameBatch["take"]> {
    return this.#replies.take();
  }

  /** The session ended: replies still to come are dropped. */
  close(): void {
    this.#closed = true;
  }
}

/**
 * Worker side: encodes plain commands into one buffer per batch, and describes them in the batch's
 * requests as runs — one `raw` request for commands issued one after another (see `RAW_RUN`).
 *
 * @example
 * ```ts
 * const runs = new RunEncoder();
 * runs.add(requests, 1, ["GET", "a"]); // true: a new run
 * runs.add(requests, 2, ["GET", "b"]); // false: joined it
 * port.postMessage({ kind: "batch", requests, bytes: runs.take() });
 * ```
 */
export class RunEncoder {
  readonly #encoder = new CommandEncoder();
  /** Where the last run starts in the batch's requests, or -1. */
  #runAt = -1;

  /**
   * Encode `args` (already validated) as request `id` of `requests`. Returns whether it opened a
   * new run; if not, it joined the run that is still the last request (its ids stay consecutive).
   */
  add(requests: unknown[], id: number, args: readonly Arg[]): boolean {
    this.#encoder.encode(args);
    const run = this.#runAt;
    if (run >= 0 && run === requests.length - RAW_RUN.length) {
      (requests[run + RAW_RUN.count] as number)++;
      requests[run + RAW_RUN.end] = this.#encoder.length;
      return false;
    }
    this.#runAt = requests.length;
    requests.push("raw" satisfies RequestOp, id, 0, RAW_RUN.length - REQUEST_HEADER, 1, this.#encoder.length);
    return true;
  }

  /** The batch's encoded commands, in a buffer of their own to transfer; undefined if none. */
  take(): Uint8Array | undefined {
    this.#runAt = -1;
    return this.#encoder.length > 0 ? this.#encoder.takeTransferable() : undefined;
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
 * reader.read(message.frames, message.frameRuns);
 * ```
 */
export class FrameReader {
  readonly #target: FrameTarget;
  #decoder: Decoder;
  /** The ids of the replies being read, as runs `[firstId, count, ...]`, and where the reader is in them. */
  #runs: number[] = [];
  #run = 0;
  #nextId = 0;
  #left = 0;

  constructor(target: FrameTarget) {
    this.#target = target;
    this.#decoder = this.#newDecoder();
  }

  /** Decode `bytes`, the replies to the calls of `runs` (`[firstId, count, ...]`), in order. */
  read(bytes: Uint8Array, runs: number[]): void {
    this.#runs = runs;
    this.#run = 0;
    this.#startRun();
    try {
      this.#decoder.feed(bytes);
      if (this.#left > 0) throw new ProtocolError("the owner forwarded fewer replies than it named");
    } catch (err) {
      // Replies the owner framed but this decoder refuses (a malformed integer, say): the rest of this message is lost.
      const error = err instanceof ProtocolError ? err : new ProtocolError("could not decode a reply the owner forwarded", { cause: err });
      for (; this.#left > 0; this.#left--) this.#target.fail(this.#nextId++, error);
      for (let r = this.#run + 2; r < runs.length; r += 2) {
        for (let k = 0; k < runs[r + 1]!; k++) this.#target.fail(runs[r]! + k, error);
      }
      this.#decoder = this.#newDecoder();
    }
  }

  #startRun(): void {
    this.#nextId = this.#runs[this.#run] ?? 0;
    this.#left = this.#runs[this.#run + 1] ?? 0;
    if (this.#left > 0) this.#decoder.bytes = this.#target.wantsBytes(this.#nextId);
  }

  #newDecoder(): Decoder {
    return new Decoder({
      onReply: (value) => this.#target.settle(this.#next(), value),
      // A reply past a bound (nested too deep, say) fails its own call; the ones after it read on.
      onLimit: (error) => this.#target.fail(this.#next(), error),
      onPush: () => {}, // the owner forwards replies only
    });
  }

  /** The id the reply just decoded answers; the decoder is set up for the reply after it. */
  #next(): number {
    if (this.#left === 0) throw new ProtocolError("the owner forwarded more replies than it named");
    const id = this.#nextId++;
    if (--this.#left === 0) {
      this.#run += 2;
      this.#startRun();
    } else this.#decoder.bytes = this.#target.wantsBytes(this.#nextId);
    return id;
  }
}
