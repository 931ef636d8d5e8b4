/**
 * A minimal typed event emitter (Node's EventEmitter is not runtime-neutral; EventTarget wraps
 * every payload in an Event). A listener that throws does not stop the others or the emitter.
 * @module
 */

/** Maps event names to their payload types. */
export type EventMap = Record<string, unknown>;

/** Subscribe/unsubscribe to typed events. */
export class Emitter<E extends EventMap> {
  #listeners = new Map<PropertyKey, Set<(payload: never) => void>>();

  /**
   * Call `listener` on every `event`. Returns a function that unsubscribes it.
   *
   * @example
   * ```ts
   * const off = redis.on("reconnecting", ({ attempt, delay }) => console.log(attempt, delay));
   * off();
   * ```
   */
  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  /** Remove a listener added with {@link Emitter.on}. */
  off<K extends keyof E>(event: K, listener: (payload: E[K]) => void): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  /** Whether anyone listens to `event` (lets callers skip building payloads nobody reads). */
  protected listens(event: keyof E): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  /** Deliver `payload` to the listeners of `event`. */
  protected emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as (payload: E[K]) => void)(payload);
      } catch (err) {
        // A broken listener must not break the client's I/O path; say so and go on.
        console.error(`resplex: a listener of "${String(event)}" threw`, err);
      }
    }
  }
}
