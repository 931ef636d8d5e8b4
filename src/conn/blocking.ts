/**
 * Which commands block the connection they run on, and for how long. Blocking commands never enter
 * a shared pipeline (ioredis #1136, node-redis #2512): executors route them to a connection of
 * their own and give them a deadline of their server timeout plus a grace period.
 * @module
 */
import type { Arg } from "../resp/types.ts";

/** Added to a blocking command's own timeout so the server's reply wins the race with our deadline. */
export const BLOCKING_GRACE_MS = 2_000;

/** Commands whose LAST argument is a timeout in seconds (0 = forever). */
const TIMEOUT_LAST = new Set(["BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX"]);
/** Commands whose FIRST argument is a timeout in seconds. */
const TIMEOUT_FIRST = new Set(["BLMPOP", "BZMPOP"]);

function upper(arg: Arg | undefined): string {
  return typeof arg === "string" ? arg.toUpperCase() : arg instanceof Uint8Array ? new TextDecoder().decode(arg).toUpperCase() : String(arg);
}

/**
 * How long `args` may block on the server, in ms: a number (0 = may block forever), or `undefined`
 * when the command does not block.
 *
 * @example
 * ```ts
 * blockingTimeout(["BLPOP", "q", 5]); // 5000
 * blockingTimeout(["XREAD", "BLOCK", 0, "STREAMS", "s", "$"]); // 0 (forever)
 * blockingTimeout(["GET", "k"]); // undefined
 * ```
 */
export function blockingTimeout(args: readonly Arg[]): number | undefined {
  const name = upper(args[0]);
  if (TIMEOUT_LAST.has(name)) return seconds(args[args.length - 1]);
  if (TIMEOUT_FIRST.has(name)) return seconds(args[1]);
  if (name === "XREAD" || name === "XREADGROUP") {
    for (let i = 1; i < args.length - 1; i++) {
      const word = upper(args[i]);
      if (word === "STREAMS") return undefined;
      if (word === "BLOCK") return Number(args[i + 1]);
    }
    return undefined;
  }
  if (name === "WAIT") return Number(args[2]);
  if (name === "WAITAOF") return Number(args[3]);
  return undefined;
}

function seconds(arg: Arg | undefined): number {
  const s = Number(typeof arg === "string" || typeof arg === "number" || typeof arg === "bigint" ? arg : NaN);
  return Number.isFinite(s) && s > 0 ? Math.ceil(s * 1000) : 0;
}

/** The deadline for a blocking command: its own timeout plus grace, or none when it blocks forever. */
export function blockingDeadline(serverTimeoutMs: number): number {
  return serverTimeoutMs === 0 ? 0 : serverTimeoutMs + BLOCKING_GRACE_MS;
}
