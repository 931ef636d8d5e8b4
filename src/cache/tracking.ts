/**
 * The server side of client-side caching: the `CLIENT TRACKING` command a caching connection runs
 * in its handshake, and the invalidations Redis sends back — a RESP3 push `["invalidate", keys]`
 * on the tracking connection itself, or, on RESP2, a `__redis__:invalidate` message on the
 * connection the tracking is redirected to (redis.io/docs/manual/client-side-caching).
 * @module
 */
import type { ResolvedConnectionOptions } from "../conn/options.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { ResolvedCacheOptions } from "./options.ts";

/** The channel RESP2 invalidations are published on, to the connection tracking redirects to. */
export const INVALIDATE_CHANNEL = "__redis__:invalidate";

/**
 * The `CLIENT TRACKING ON` command for `options`: default mode, or `BCAST` with its prefixes;
 * `redirect`: the id of the connection that receives the invalidations instead (RESP2).
 *
 * @example
 * ```ts
 * trackingCommand({ mode: "broadcast", prefixes: ["user:"] } as ResolvedCacheOptions);
 * // ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:"]
 * ```
 */
export function trackingCommand(options: Pick<ResolvedCacheOptions, "mode" | "prefixes">, redirect?: number): Arg[] {
  const args: Arg[] = ["CLIENT", "TRACKING", "ON"];
  if (redirect !== undefined) args.push("REDIRECT", redirect);
  if (options.mode === "broadcast") {
    args.push("BCAST");
    for (const prefix of options.prefixes) args.push("PREFIX", prefix);
  }
  return args;
}

/**
 * `connection` for a connection whose reads are cached: it turns tracking on in its handshake, so
 * every read it carries is tracked, and it fails to open when Redis refuses (`NOPERM`, Redis < 6).
 * RESP3 only: the invalidations arrive on the connection itself.
 *
 * @example
 * ```ts
 * openConnection(trackedConnection(options.connection, cacheOptions), { onPush: (p) => cache.onPush(p) });
 * ```
 */
export function trackedConnection(connection: ResolvedConnectionOptions, cache: Pick<ResolvedCacheOptions, "mode" | "prefixes">): ResolvedConnectionOptions {
  return { ...connection, tracking: trackingCommand(cache) };
}

const decoder = new TextDecoder();

function text(value: RespValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return decoder.decode(value);
  return undefined;
}

/**
 * The keys an invalidation names, `null` for "everything" (FLUSHALL, FLUSHDB), or `undefined` when
 * `message` is not an invalidation. Takes a RESP3 push (`["invalidate", keys]`) or a RESP2
 * pub/sub message (`["message", "__redis__:invalidate", keys]`), strings or bytes.
 *
 * @example
 * ```ts
 * invalidatedKeys(["invalidate", ["a", "b"]]);                 // ["a", "b"]
 * invalidatedKeys(["invalidate", null]);                       // null
 * invalidatedKeys(["message", "__redis__:invalidate", ["a"]]); // ["a"]
 * invalidatedKeys(["message", "news", "hi"]);                  // undefined
 * ```
 */
export function invalidatedKeys(message: readonly RespValue[]): string[] | null | undefined {
  const kind = text(message[0]);
  let keys: RespValue | undefined;
  if (kind === "invalidate") keys = message[1];
  else if (kind === "message" && text(message[1]) === INVALIDATE_CHANNEL) keys = message[2];
  else return undefined;
  if (keys === null || keys === undefined) return null;
  if (!Array.isArray(keys)) {
    const one = text(keys);
    return one === undefined ? null : [one]; // anything unreadable flushes: safe, never stale
  }
  const out: string[] = [];
  for (const key of keys) {
    const name = text(key);
    if (name === undefined) return null;
    out.push(name);
  }
  return out;
}
