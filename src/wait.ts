/**
 * Bounded waits, for the graceful closes (a connection's, a worker client's, a worker owner's, a
 * socket's): each lets work under way finish, but never waits past its timeout.
 * @module
 */

/**
 * Resolves once `work` settled (fulfilled or rejected: either way it is over) or `ms` passed,
 * whichever comes first; the timer does not outlive the wait.
 *
 * @example
 * ```ts
 * await waitAtMost(connection.drained, 5_000); // then close, drained or not
 * ```
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work.then(ignore, ignore), late]);
  } finally {
    clearTimeout(timer);
  }
}

function ignore(): void {}
