/**
 * Deadlines of blocking commands. Which commands block, and for how long, the command table says
 * (commands/lookup.ts `blockingTimeout`); a blocking command's deadline is its server timeout plus
 * a grace period, so the server's reply wins the race with our own timer.
 * @module
 */

/** Added to a blocking command's own timeout so the server's reply wins the race with our deadline. */
export const BLOCKING_GRACE_MS = 2_000;

/** The deadline for a blocking command: its own timeout plus grace, or none when it blocks forever. */
export function blockingDeadline(serverTimeoutMs: number): number {
  return serverTimeoutMs === 0 ? 0 : serverTimeoutMs + BLOCKING_GRACE_MS;
}
