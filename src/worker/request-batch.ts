/**
 * What a worker client sends the owner in one tick: its requests, as one flat array, with the
 * buffers to transfer and the commands it encoded itself (see `raw.ts`), posted as one message at
 * the end of the tick (see `tick.ts`). Apart from `remote-session.ts`, which decides what to ask
 * and settles the answers, because the layout of a batch is the wire protocol's business.
 * @module
 */
import type { Arg } from "../resp/types.ts";
import type { Port } from "./endpoint.ts";
import type { RequestOp, WireOptions, WorkerMessage } from "./protocol.ts";
import { RunEncoder } from "./raw.ts";
import { TickFlush } from "./tick.ts";
import { pushArgs } from "./values.ts";

/**
 * The requests of this tick, and the ids they get.
 *
 * @example
 * ```ts
 * const batch = new RequestBatch(() => batch.post(port), () => watch.ensure());
 * const id = batch.add("send", 0, ["GET", "k"], undefined); // posted at the end of the tick
 * ```
 */
export class RequestBatch {
  #nextId = 0;
  /** Ids up to this one left in a posted batch: the owner may have run them. */
  #postedUpTo = 0;
  readonly #requests: unknown[] = [];
  /** Buffers that travel with the batch instead of being copied: byte arguments, encoded commands. */
  readonly transfer: Transferable[] = [];
  readonly #runs = new RunEncoder();
  readonly #flush: TickFlush;
  readonly #queued: () => void;

  /** `flush` runs at the end of a tick in which something was queued; `queued` hears of each new request. */
  constructor(flush: () => void, queued: () => void) {
    this.#flush = new TickFlush(flush);
    this.#queued = queued;
  }

  /** Queue a request for this tick's batch — a command's `args`, or one `payload` — and return its id. */
  add(op: RequestOp, wire: WireOptions | 0, args: readonly Arg[] | undefined, payload: unknown): number {
    const id = ++this.#nextId;
    if (args) {
      this.#requests.push(op, id, wire, args.length);
      pushArgs(args, this.#requests, this.transfer);
    } else this.#requests.push(op, id, wire, 1, payload);
    this.#scheduled();
    return id;
  }

  /** Queue a plain command, encoded here (its reply comes back as the server's bytes); returns its id. */
  addEncoded(args: readonly Arg[]): number {
    const id = ++this.#nextId;
    if (this.#runs.add(this.#requests, id, args)) this.#scheduled();
    return id;
  }

  /** Tell the owner to stop the command of call `id`, whose signal aborted it. */
  abort(id: number): void {
    this.#requests.push("abort", 0, 0, 1, id);
    this.#flush.schedule();
  }

  /** Post what was queued (if anything) on `port`, and start the next batch. */
  post(port: Port): void {
    if (this.#requests.length === 0) return;
    const bytes = this.#runs.take();
    if (bytes) this.transfer.push(bytes.buffer as ArrayBuffer);
    port.post({ kind: "batch", requests: this.#requests, bytes } satisfies WorkerMessage, this.transfer);
    this.#requests.length = this.transfer.length = 0; // postMessage cloned them synchronously
    this.#postedUpTo = this.#nextId;
  }

  /** Whether request `id` left for the owner (else it is still queued here, or was dropped by `clear()`). */
  posted(id: number): boolean {
    return id <= this.#postedUpTo;
  }

  /** Drop what was queued (the session ended). */
  clear(): void {
    this.#requests.length = this.transfer.length = 0;
    this.#runs.take();
  }

  /** A request was queued: it leaves at the end of the tick. */
  #scheduled(): void {
    this.#flush.schedule();
    this.#queued();
  }
}
