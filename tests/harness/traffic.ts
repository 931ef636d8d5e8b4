/**
 * Write traffic for failover tests: callers that INCR in a loop and sort every outcome into what
 * the client promised — acknowledged (it ran), "may have run" (written, then the connection was
 * lost, or timed out), or refused without running (an error reply, or never sent).
 */
import { sleep } from "./wait.ts";

/** How the commands of a {@link Traffic} ended. */
export interface Tally {
  /** INCRs that resolved: each one is in the count. */
  acked: number;
  /** INCRs that rejected but may have run (ConnectionError "may have run", TimeoutError). */
  mayHaveRun: number;
  /** INCRs that rejected without running (an error reply, or "not sent"). */
  notRun: number;
  /** Rejections by error name and code, e.g. `RedisError NOREPLICAS`. */
  errors: Record<string, number>;
}

/** Running traffic. */
export interface Traffic {
  readonly tally: Tally;
  /** `Date.now()` of every acknowledgement, in order. */
  readonly ackTimes: number[];
  /** Stop the loops; resolves once every caller's last command settled. */
  stop(): Promise<Tally>;
}

/** Run `callers` loops of `incr()` until `stop()`. */
export function startTraffic(incr: () => Promise<unknown>, callers: number): Traffic {
  const tally: Tally = { acked: 0, mayHaveRun: 0, notRun: 0, errors: {} };
  const ackTimes: number[] = [];
  let stopped = false;
  const loops = Array.from({ length: callers }, async () => {
    while (!stopped) {
      try {
        await incr();
        tally.acked++;
        ackTimes.push(Date.now());
      } catch (err) {
        const e = err as Error & { code?: string };
        const key = `${e.name} ${e.code ?? ""}`.trim();
        tally.errors[key] = (tally.errors[key] ?? 0) + 1;
        if (e.name === "TimeoutError" || /may have run/.test(e.message)) tally.mayHaveRun++;
        else tally.notRun++;
        await sleep(10); // no tight loop while the client has no master
      }
    }
  });
  return {
    tally,
    ackTimes,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return tally;
    },
  };
}
