/**
 * `CLIENT` subcommands beyond those in server.ts. Several change the connection they run on
 * (`clientTracking`, `clientCaching`, `clientNoEvict`): the multiplexer refuses them on its shared
 * connection, so use them on a pool lease or inside `isolated()`.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { fields, list, text, toNumber, toOk } from "../replies.ts";
import { parsed, raw, toBoolean, type Cmd } from "../spec.ts";

/** One connection as `CLIENT INFO`/`CLIENT LIST` describe it; the numeric fields are numbers. */
export interface ClientInfo {
  id: number;
  addr: string;
  laddr: string;
  name: string;
  age: number;
  idle: number;
  flags: string;
  db: number;
  cmd: string;
  user: string;
  resp: number;
  /** Every other field (`qbuf`, `omem`, `events`, ...), numbers where Redis prints one. */
  [field: string]: string | number;
}

/** Fields of `CLIENT INFO` that are not numbers (the rest are). */
const TEXT_FIELDS = new Set(["addr", "laddr", "name", "flags", "events", "cmd", "user", "lib-name", "lib-ver"]);

/** Parse one `CLIENT INFO` line: `id=3 addr=... name= ...` (values hold no spaces). */
export function parseClientInfo(line: string): ClientInfo {
  const info = Object.create(null) as ClientInfo;
  for (const pair of line.trim().split(" ")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    info[name] = TEXT_FIELDS.has(name) ? value : Number(value);
  }
  return info;
}

/** Filters of `CLIENT KILL`; a client must match all of them. `skipme` defaults to `true` on the server. */
export interface ClientKillFilter {
  id?: number;
  type?: "normal" | "master" | "replica" | "pubsub";
  user?: string;
  /** `ip:port` of the client. */
  addr?: string;
  /** `ip:port` of the local (server) side. */
  laddr?: string;
  skipme?: boolean;
  /** Only clients connected for more than this many seconds. */
  maxage?: number;
}

/** Options of `clientTracking(true, ...)`. `bcast` with `prefixes` tracks every key under them. */
export interface ClientTrackingOptions {
  /** Send invalidations to this client ID instead (RESP2: a subscriber connection). */
  redirect?: number;
  prefixes?: string[];
  bcast?: boolean;
  optin?: boolean;
  optout?: boolean;
  noloop?: boolean;
}

/** What `CLIENT TRACKINGINFO` reports. */
export interface ClientTrackingInfo {
  flags: string[];
  redirect: number;
  prefixes: string[];
}

function killArgs(filter: ClientKillFilter): Arg[] {
  const args: Arg[] = ["CLIENT", "KILL"];
  if (filter.id !== undefined) args.push("ID", filter.id);
  if (filter.type !== undefined) args.push("TYPE", filter.type);
  if (filter.user !== undefined) args.push("USER", filter.user);
  if (filter.addr !== undefined) args.push("ADDR", filter.addr);
  if (filter.laddr !== undefined) args.push("LADDR", filter.laddr);
  if (filter.skipme !== undefined) args.push("SKIPME", filter.skipme ? "yes" : "no");
  if (filter.maxage !== undefined) args.push("MAXAGE", filter.maxage);
  if (args.length === 2) throw new TypeError("clientKill: give at least one filter");
  return args;
}

function trackingArgs(on: boolean, options: ClientTrackingOptions): Arg[] {
  const args: Arg[] = ["CLIENT", "TRACKING", on ? "ON" : "OFF"];
  if (options.redirect !== undefined) args.push("REDIRECT", options.redirect);
  for (const prefix of options.prefixes ?? []) args.push("PREFIX", prefix);
  for (const flag of ["bcast", "optin", "optout", "noloop"] as const) if (options[flag]) args.push(flag.toUpperCase());
  return args;
}

function toTrackingInfo(reply: RespValue): ClientTrackingInfo {
  const f = fields(reply, (v) => v);
  return { flags: list(f.flags).map(text), redirect: toNumber(f.redirect), prefixes: list(f.prefixes).map(text) };
}

/** Client command table. */
export const clientCommands = {
  /** `CLIENT INFO` → this connection, parsed. */
  clientInfo: (): Cmd<ClientInfo> => parsed(["CLIENT", "INFO"], (r) => parseClientInfo(text(r))),
  /** `CLIENT KILL [ID|TYPE|USER|ADDR|LADDR|SKIPME|MAXAGE ...]` → how many connections were closed. */
  clientKill: (filter: ClientKillFilter): Cmd<number> => raw(killArgs(filter)),
  /** `CLIENT PAUSE timeout [WRITE|ALL]`: hold clients' commands (all, or just writes) for `timeoutMs`. */
  clientPause: (timeoutMs: number, mode?: "WRITE" | "ALL"): Cmd<"OK"> =>
    parsed(mode ? ["CLIENT", "PAUSE", timeoutMs, mode] : ["CLIENT", "PAUSE", timeoutMs], toOk),
  /** `CLIENT UNPAUSE`. */
  clientUnpause: (): Cmd<"OK"> => parsed(["CLIENT", "UNPAUSE"], toOk),
  /** `CLIENT UNBLOCK id [TIMEOUT|ERROR]` → whether a blocked client was unblocked. */
  clientUnblock: (id: number, mode?: "TIMEOUT" | "ERROR"): Cmd<boolean> =>
    parsed(mode ? ["CLIENT", "UNBLOCK", id, mode] : ["CLIENT", "UNBLOCK", id], toBoolean),
  /** `CLIENT NO-EVICT ON|OFF`: exempt this connection from client eviction (a lease's, not the shared one). */
  clientNoEvict: (on: boolean): Cmd<"OK"> => parsed(["CLIENT", "NO-EVICT", on ? "ON" : "OFF"], toOk),
  /** `CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN] [OPTOUT] [NOLOOP]` (on a lease or in `isolated()`). */
  clientTracking: (on: boolean, options: ClientTrackingOptions = {}): Cmd<"OK"> => parsed(trackingArgs(on, options), toOk),
  /** `CLIENT CACHING YES|NO`: whether the next command's keys are tracked (with `optin`/`optout`). */
  clientCaching: (yes: boolean): Cmd<"OK"> => parsed(["CLIENT", "CACHING", yes ? "YES" : "NO"], toOk),
  /** `CLIENT TRACKINGINFO` → this connection's tracking mode. */
  clientTrackinginfo: (): Cmd<ClientTrackingInfo> => parsed(["CLIENT", "TRACKINGINFO"], toTrackingInfo),
  /** `CLIENT GETREDIR` → the ID invalidations are redirected to, 0 when not redirected, -1 when not tracking. */
  clientGetredir: (): Cmd<number> => raw(["CLIENT", "GETREDIR"]),
};
