/**
 * Commands that arrive already encoded and whose replies leave as bytes, undecoded: what a worker
 * thread's commands become in the owner thread (see `worker/raw.ts`). The worker encodes and
 * decodes; the owner only writes the bytes and finds where each reply ends, so sharing one
 * connection among threads costs the owner a fraction of what a command of its own costs. They
 * have no promise, timer or hooks: their sink hears how each ended, and the worker keeps deadlines.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { ARRAY, BULK_STRING, CR, LF } from "../resp/bytes.ts";
import { RESP_LIMITS } from "../resp/limits.ts";
import { excerpt, parseLength, utf8 } from "../resp/scalars.ts";
import type { Arg } from "../resp/types.ts";
import { commandName } from "../commands/lookup.ts";
import type { CommandState } from "./command.ts";

/** Where raw commands' outcomes go, keyed by the sender's ids. */
export interface RawSink {
  /** The replies to commands `firstId` to `firstId + count - 1`, in order, are `buf[start..end]` (valid only during the call). */
  replies(firstId: number, count: number, buf: Uint8Array, start: number, end: number): void;
  fail(id: number, error: Error): void;
}

/**
 * Commands a sender encoded one after another into one buffer, written as one piece. Where each
 * one starts is only worked out when needed (one that must be written on its own, or a message
 * naming it): the hot path never looks inside.
 *
 * @example
 * ```ts
 * const run = new EncodedRun(bytesOfThreeCommands, 3);
 * decodeCommand(run.command(1)); // the second command's arguments
 * ```
 */
export class EncodedRun {
  readonly bytes: Uint8Array;
  readonly count: number;
  /**
   * When the sender gives up on these commands (`Date.now()` ms), or 0 for never. The sender keeps
   * the deadline; this copy stops one that waited for a connection past it from being sent.
   */
  deadline = 0;
  #ends: number[] | undefined;

  constructor(bytes: Uint8Array, count: number) {
    this.bytes = bytes;
    this.count = count;
  }

  /** The bytes of command `index`. Throws ProtocolError if the run does not hold `count` commands. */
  command(index: number): Uint8Array {
    const ends = (this.#ends ??= commandEnds(this.bytes, this.count));
    return this.bytes.subarray(index === 0 ? 0 : ends[index - 1], ends[index]);
  }
}

/**
 * One command of an {@link EncodedRun} on a connection.
 *
 * @example
 * ```ts
 * const run = new EncodedRun(encodeCommand(["GET", "k"]), 1);
 * connection.writeEncoded([new RawCommand(7, sink, run, 0)], run.bytes); // sink.replies(7, 1, ...) when it is answered
 * ```
 */
export class RawCommand {
  state: CommandState = "queued";
  readonly id: number;
  readonly sink: RawSink;
  readonly run: EncodedRun;
  readonly index: number;

  constructor(id: number, sink: RawSink, run: EncodedRun, index: number) {
    this.id = id;
    this.sink = sink;
    this.run = run;
    this.index = index;
  }

  /** Tells the connection's decoder to hand this reply over as bytes. */
  get raw(): true {
    return true;
  }

  /** String mode is the sender's choice, made when it decodes. */
  get bytes(): false {
    return false;
  }

  /** The command name, upper-cased, read from its bytes, for messages. */
  get name(): string {
    try {
      return commandName(decodeCommand(this.encoded()));
    } catch {
      return "command";
    }
  }

  /** Its own bytes, to write it alone. Throws ProtocolError if its run is not well formed. */
  encoded(): Uint8Array {
    return this.run.command(this.index);
  }

  /** Its reply arrived (and goes to the sink in a {@link ReplySpan}); false if it had already failed. */
  answer(): boolean {
    if (this.state === "done") return false;
    this.state = "done";
    return true;
  }

  /** Reject. No-op once settled. */
  fail(err: Error): void {
    if (this.state === "done") return;
    this.state = "done";
    this.sink.fail(this.id, err);
  }
}

/**
 * Replies to raw commands, gathered while they follow one another in one chunk and answer
 * consecutive commands of one sink, and handed over as one piece: a worker's replies mostly arrive
 * together, and one copy of the lot costs less than one per reply. A connection hands the span
 * over before the chunk it points into is gone.
 *
 * @example
 * ```ts
 * const span = new ReplySpan();
 * span.add(cmd7, chunk, 0, 11);
 * span.add(cmd8, chunk, 11, 16); // joins: sink.replies(7, 2, chunk, 0, 16) on hand-over
 * span.handOver();
 * ```
 */
export class ReplySpan {
  #sink: RawSink | undefined;
  #firstId = 0;
  #count = 0;
  #buf: Uint8Array | undefined;
  #start = 0;
  #end = 0;

  /** The reply to `cmd` is `buf[start..end]`. */
  add(cmd: RawCommand, buf: Uint8Array, start: number, end: number): void {
    if (!cmd.answer()) return;
    if (cmd.sink === this.#sink && buf === this.#buf && start === this.#end && cmd.id === this.#firstId + this.#count) {
      this.#end = end;
      this.#count++;
      return;
    }
    this.handOver();
    this.#sink = cmd.sink;
    this.#firstId = cmd.id;
    this.#count = 1;
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
  }

  /** Give the gathered replies to their sink. */
  handOver(): void {
    const sink = this.#sink;
    if (!sink) return;
    const buf = this.#buf!;
    this.#sink = this.#buf = undefined;
    sink.replies(this.#firstId, this.#count, buf, this.#start, this.#end);
  }
}

/**
 * The arguments of one encoded command (`*N` then N bulk strings, exactly), the name as a string
 * and the rest as views into `bytes`. Throws ProtocolError on anything else.
 *
 * @example
 * ```ts
 * decodeCommand(encodeCommand(["SET", "k", "v"])); // ["SET", Uint8Array "k", Uint8Array "v"]
 * ```
 */
export function decodeCommand(bytes: Uint8Array): Arg[] {
  const args: Arg[] = [];
  if (readCommand(bytes, 0, args) !== bytes.length) throw notACommand(bytes, 0);
  return args;
}

/** Where each of the `count` commands in `bytes` ends; they must fill it exactly. */
function commandEnds(bytes: Uint8Array, count: number): number[] {
  const ends: number[] = [];
  for (let at = 0, k = 0; k < count; k++) ends.push((at = readCommand(bytes, at, undefined)));
  if (ends[count - 1] !== bytes.length) throw notACommand(bytes, ends[count - 1] ?? 0);
  return ends;
}

/** Reads the command at `bytes[at]`, appending its arguments to `args` if given; returns where it ends. */
function readCommand(bytes: Uint8Array, at: number, args: Arg[] | undefined): number {
  const bad = () => notACommand(bytes, at);
  if (bytes[at] !== ARRAY) throw bad();
  let lf = bytes.indexOf(LF, at);
  if (lf < 0 || bytes[lf - 1] !== CR) throw bad();
  const count = parseLength(bytes, at + 1, lf - 1, RESP_LIMITS.maxAggregateLength, false);
  if (count === 0) throw bad();
  let i = lf + 1;
  for (let k = 0; k < count; k++) {
    lf = bytes.indexOf(LF, i);
    if (bytes[i] !== BULK_STRING || lf < 0 || bytes[lf - 1] !== CR) throw bad();
    const length = parseLength(bytes, i + 1, lf - 1, RESP_LIMITS.maxBulkLength, false);
    const end = lf + 1 + length;
    if (bytes[end] !== CR || bytes[end + 1] !== LF) throw bad();
    if (args) args.push(k === 0 ? utf8.decode(bytes.subarray(lf + 1, end)) : bytes.subarray(lf + 1, end));
    i = end + 2;
  }
  return i;
}

function notACommand(bytes: Uint8Array, at: number): ProtocolError {
  return new ProtocolError(`not an encoded command: ${excerpt(bytes, at, Math.min(bytes.length, at + 32))}`);
}
