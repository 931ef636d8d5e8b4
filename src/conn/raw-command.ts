/**
 * A command that arrives already encoded and whose reply leaves as bytes, undecoded: what a worker
 * thread's commands become in the owner thread (see `worker/raw.ts`). The worker encodes and
 * decodes; the owner only writes its bytes and finds where its reply ends, so sharing one
 * connection among threads costs the owner a fraction of what a command of its own costs. It has
 * no promise, timer or hooks: its sink hears how it ended, and the worker keeps the deadline.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { RESP_LIMITS } from "../resp/limits.ts";
import { excerpt, parseLength, utf8 } from "../resp/scalars.ts";
import type { Arg } from "../resp/types.ts";
import { commandName, type CommandState } from "./command.ts";

const LF = 10;
const STAR = 42;
const DOLLAR = 36;

/** Where raw commands' outcomes go, keyed by the sender's id. */
export interface RawSink {
  /** The reply, `buf[start..end]`, valid only during the call. */
  reply(id: number, buf: Uint8Array, start: number, end: number): void;
  fail(id: number, error: Error): void;
  /** The connection was lost before it handed `cmd` to its socket: it cannot have run. */
  unsent(cmd: RawCommand, reason: Error | undefined): void;
}

/**
 * One pre-encoded command on a connection.
 *
 * @example
 * ```ts
 * const bytes = encodeCommand(["GET", "k"]);
 * connection.writeEncoded([new RawCommand(7, sink, bytes, 0, bytes.length, false)], bytes); // sink.reply(7, ...)
 * ```
 */
export class RawCommand {
  state: CommandState = "queued";
  readonly id: number;
  readonly sink: RawSink;
  /** The encoded command is `source[start..end]`. */
  readonly source: Uint8Array;
  readonly start: number;
  readonly end: number;

  /** How the sender wants the reply decoded, should the command have to run as a plain command after all. */
  readonly replyAsBytes: boolean;

  constructor(id: number, sink: RawSink, source: Uint8Array, start: number, end: number, replyAsBytes: boolean) {
    this.id = id;
    this.replyAsBytes = replyAsBytes;
    this.sink = sink;
    this.source = source;
    this.start = start;
    this.end = end;
  }

  /** Tells the connection's decoder to hand this reply over as bytes. */
  get raw(): true {
    return true;
  }

  /** String mode is the worker's choice, made when it decodes. */
  get bytes(): false {
    return false;
  }

  /** The command name, upper-cased, read from its bytes, for messages. */
  get name(): string {
    try {
      return commandName(decodeCommand(this.source.subarray(this.start, this.end)));
    } catch {
      return "command";
    }
  }

  /** The reply arrived. No-op once settled. */
  settleFrame(buf: Uint8Array, start: number, end: number): void {
    if (this.state === "done") return;
    this.state = "done";
    this.sink.reply(this.id, buf, start, end);
  }

  /** Reject. No-op once settled. */
  fail(err: Error): void {
    if (this.state === "done") return;
    this.state = "done";
    this.sink.fail(this.id, err);
  }

  /** The connection was lost with this command still unsent; the sink decides where it goes next. */
  unsent(reason: Error | undefined): void {
    if (this.state === "done") return;
    this.sink.unsent(this, reason);
  }
}

/**
 * The arguments of one encoded command (`*N` then N bulk strings), the name as a string and the
 * rest as views into `bytes`: to run it as a plain command after all. Throws ProtocolError on any
 * other shape.
 *
 * @example
 * ```ts
 * decodeCommand(encodeCommand(["SET", "k", "v"])); // ["SET", Uint8Array "k", Uint8Array "v"]
 * ```
 */
export function decodeCommand(bytes: Uint8Array): Arg[] {
  const bad = () => new ProtocolError(`not an encoded command: ${excerpt(bytes, 0, Math.min(bytes.length, 32))}`);
  if (bytes[0] !== STAR) throw bad();
  let lf = bytes.indexOf(LF);
  const count = lf > 0 ? parseLength(bytes, 1, lf - 1, RESP_LIMITS.maxAggregateLength, false) : 0;
  if (count === 0) throw bad();
  const args: Arg[] = [];
  let i = lf + 1;
  for (let k = 0; k < count; k++) {
    lf = bytes.indexOf(LF, i);
    if (bytes[i] !== DOLLAR || lf < 0) throw bad();
    const length = parseLength(bytes, i + 1, lf - 1, RESP_LIMITS.maxBulkLength, false);
    const value = bytes.subarray(lf + 1, lf + 1 + length);
    if (value.length !== length) throw bad();
    args.push(k === 0 ? utf8.decode(value) : value);
    i = lf + 3 + length;
  }
  return args;
}
