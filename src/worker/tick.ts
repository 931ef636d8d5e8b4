/**
 * Batching per tick, the way the multiplexer pipelines (STYLE.md §4): the first item of a tick
 * schedules one microtask, which sends everything gathered by then as one message. A postMessage
 * costs microseconds and one structured clone; paying it per batch instead of per command is most
 * of what keeps a worker client close to a client of its own.
 * @module
 */

/**
 * Runs `flush` once at the end of the tick in which {@link TickFlush.schedule} was first called.
 *
 * @example
 * ```ts
 * const items: number[] = [];
 * const tick = new TickFlush(() => port.postMessage(items.splice(0)));
 * items.push(1); tick.schedule();
 * items.push(2); tick.schedule(); // one message: [1, 2]
 * ```
 */
export class TickFlush {
  #scheduled = false;
  readonly #run: () => void;

  constructor(flush: () => void) {
    this.#run = () => {
      this.#scheduled = false;
      flush();
    };
  }

  /** Make sure the flush runs at the end of this tick. */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#run);
  }
}
