/**
 * Callers answered without a command (a client-side cache's hits), counted once for the whole
 * process. A connection's write batching (see `#scheduleFlush` in connection.ts) waits while
 * microtask rounds keep bringing commands; a caller answered from memory goes on and may send a
 * command a round or two later, so such a round is busy too. Without it, callers answered from
 * the cache one after another look like quiet rounds, and their next commands leave in several
 * small socket writes instead of one. Process-wide, because a hit is not tied to a connection (a
 * pool's or a cluster's next command may take any of theirs); a flush waits at most a bounded
 * number of rounds however busy they are.
 * @module
 */

let served = 0;

/**
 * A caller was answered without a command.
 *
 * @example
 * ```ts
 * if (hit) callerServed();
 * ```
 */
export function callerServed(): void {
  served++;
}

/**
 * How many callers were answered without a command so far: a flush compares it between rounds.
 *
 * @example
 * ```ts
 * const before = servedSoFar(); await Promise.resolve(); const busy = servedSoFar() !== before;
 * ```
 */
export function servedSoFar(): number {
  return served;
}
