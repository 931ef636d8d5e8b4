/**
 * When a connection's scheduled flush goes out. Callers woken together (replies settled in one
 * read, cache hits resolved at once) issue their next commands over several microtask rounds, and
 * one flush per round would cost a socket write per round: so the flush waits, round after round,
 * while something keeps happening (new commands, callers answered from memory: see
 * `ConnectionHooks.callersServed`), and goes out after rounds that brought nothing — at most
 * {@link FLUSH_MAX_ROUNDS} rounds, so commands never wait behind an endless chain of microtasks.
 * @module
 */

/** A flush waits for microtask rounds bringing new activity, at most this many. */
const FLUSH_MAX_ROUNDS = 64;
/** ... and goes out after this many rounds in a row that brought none. */
const FLUSH_QUIET_ROUNDS = 2;

/**
 * Call `flush` once the microtask rounds stop changing `activity()` (a count that only grows).
 *
 * @example
 * ```ts
 * afterQuietRounds(() => enqueued, () => socket.write(encoder.take()));
 * ```
 */
export function afterQuietRounds(activity: () => number, flush: () => void): void {
  let seen = activity();
  let rounds = 0;
  let quiet = 0;
  const round = () => {
    quiet = activity() === seen ? quiet + 1 : 0;
    if (quiet < FLUSH_QUIET_ROUNDS && ++rounds < FLUSH_MAX_ROUNDS) {
      seen = activity();
      queueMicrotask(round);
      return;
    }
    flush();
  };
  queueMicrotask(round);
}
