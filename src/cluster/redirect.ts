/**
 * The cluster's redirection replies, read once for every path that meets them
 * (redis.io/docs/reference/cluster-spec, "Redirection and resharding").
 * @module
 */
import { LimitError, RedisError } from "../errors.ts";
import type { RespValue } from "../resp/types.ts";
import type { NodeAddress } from "../topology/options.ts";

/** Error codes that mean "not here, or not now": the command did not run. */
const REDIRECTING = new Set(["MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN"]);

/** Whether `reply` is a redirection (`MOVED`, `ASK`) or a refusal to retry (`TRYAGAIN`, `CLUSTERDOWN`). */
export function isRedirect(reply: unknown): reply is RedisError {
  return reply instanceof RedisError && REDIRECTING.has(reply.code);
}

/** Where a `MOVED`/`ASK` points. */
export interface Redirect {
  /** The slot it names (NaN if unreadable). */
  slot: number;
  /** The node it names; `host` is empty when the server left it out ("the node you asked"). */
  target: NodeAddress | undefined;
}

/**
 * Read `MOVED 3999 127.0.0.1:6381` (IPv6 hosts may be bracketed; an empty host means the host of
 * the node that replied).
 *
 * @example
 * ```ts
 * parseRedirect("MOVED 3999 127.0.0.1:6381"); // { slot: 3999, target: { host: "127.0.0.1", port: 6381 } }
 * ```
 */
export function parseRedirect(message: string): Redirect {
  const [, slot, endpoint = ""] = message.split(" ");
  const colon = endpoint.lastIndexOf(":");
  const port = Number(endpoint.slice(colon + 1));
  const host = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  return { slot: Number(slot), target: colon < 0 || !Number.isInteger(port) ? undefined : { host, port } };
}

/** The error of a command that met more than `maxRedirections` redirections. */
export function tooManyRedirections(name: string, hops: number, last: RedisError | RespValue): LimitError {
  const quoted = last instanceof Error ? last.message : String(last);
  return new LimitError("maxRedirections", `${name} gave up after ${hops} redirections (maxRedirections); the last was: ${quoted}`);
}
