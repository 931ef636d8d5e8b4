/**
 * Server administration: persistence, shutdown, replication, configuration files, databases and
 * modules. Most are `admin` commands that an ACL user may not be allowed to run.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { fields, list, text, toNumber, toOk } from "../replies.ts";
import { parsed, raw, type Cmd } from "../spec.ts";

/** What `ROLE` says this server is, in Redis's words. */
export type Role =
  | { role: "master"; offset: number; replicas: Array<{ host: string; port: number; offset: number }> }
  | { role: "slave"; masterHost: string; masterPort: number; state: "connect" | "connecting" | "sync" | "connected" | "handshake"; offset: number }
  | { role: "sentinel"; masters: string[] };

/** Options of `shutdown`: `save` forces (`true`) or skips (`false`) the final RDB save. */
export interface ShutdownOptions {
  save?: boolean;
  /** Skip waiting for lagging replicas (Redis 7). */
  now?: boolean;
  /** Ignore errors that would stop the shutdown (Redis 7). */
  force?: boolean;
  /** Cancel a shutdown in progress (Redis 7); the only form that answers. */
  abort?: boolean;
}

/** Options of `failover`: to a given replica (optionally `force`d after `timeout`), or `abort` one in progress. */
export interface FailoverOptions {
  to?: { host: string; port: number; force?: boolean };
  abort?: boolean;
  /** Milliseconds to wait for the replica to catch up. */
  timeout?: number;
}

/** A loaded module. */
export interface ModuleInfo {
  name: string;
  ver: number;
  path: string;
  args: string[];
}

function toRole(reply: RespValue): Role {
  const [kind, ...rest] = list(reply);
  const role = text(kind);
  if (role === "master") {
    const replicas = list(rest[1]).map((r) => {
      const [host, port, offset] = list(r);
      return { host: text(host), port: toNumber(port), offset: toNumber(offset) };
    });
    return { role, offset: toNumber(rest[0]), replicas };
  }
  if (role === "slave") {
    const state = text(rest[2]) as "connected";
    return { role, masterHost: text(rest[0]), masterPort: toNumber(rest[1]), state, offset: toNumber(rest[3]) };
  }
  return { role: "sentinel", masters: list(rest[0]).map(text) };
}

function shutdownArgs(options: ShutdownOptions): Arg[] {
  const args: Arg[] = ["SHUTDOWN"];
  if (options.save !== undefined) args.push(options.save ? "SAVE" : "NOSAVE");
  if (options.now) args.push("NOW");
  if (options.force) args.push("FORCE");
  if (options.abort) args.push("ABORT");
  return args;
}

function failoverArgs(options: FailoverOptions): Arg[] {
  const args: Arg[] = ["FAILOVER"];
  if (options.to) args.push("TO", options.to.host, options.to.port, ...(options.to.force ? ["FORCE"] : []));
  if (options.abort) args.push("ABORT");
  if (options.timeout !== undefined) args.push("TIMEOUT", options.timeout);
  return args;
}

function toModule(reply: RespValue): ModuleInfo {
  const f = fields(reply, (v) => v);
  return { name: text(f.name), ver: toNumber(f.ver), path: text(f.path), args: list(f.args).map(text) };
}

/** Administration command table. */
export const adminCommands = {
  /** `SAVE`: a synchronous RDB save (blocks the server; prefer `bgsave`). */
  save: (): Cmd<"OK"> => parsed(["SAVE"], toOk),
  /** `BGSAVE [SCHEDULE]` → the server's status line ("Background saving started"). */
  bgsave: (options: { schedule?: boolean } = {}): Cmd<string> => parsed(options.schedule ? ["BGSAVE", "SCHEDULE"] : ["BGSAVE"], text),
  /** `BGREWRITEAOF` → the server's status line. */
  bgrewriteaof: (): Cmd<string> => parsed(["BGREWRITEAOF"], text),
  /**
   * `SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]`. A shutdown that happens closes the connection,
   * so the promise rejects with `ConnectionError`; with `abort` it resolves `"OK"`.
   */
  shutdown: (options: ShutdownOptions = {}): Cmd<"OK"> => parsed(shutdownArgs(options), toOk),
  /** `ROLE` → master (with its replicas), replica (`"slave"`, with its master) or sentinel. */
  role: (): Cmd<Role> => parsed(["ROLE"], toRole),
  /** `REPLICAOF host port`, or `REPLICAOF NO ONE` for `null` (become a master) → the status line. */
  replicaof: (master: { host: string; port: number } | null): Cmd<string> =>
    parsed(master ? ["REPLICAOF", master.host, master.port] : ["REPLICAOF", "NO", "ONE"], text),
  /** @deprecated Redis 5: use `replicaof`. `SLAVEOF host port` or `SLAVEOF NO ONE` → the status line. */
  slaveof: (master: { host: string; port: number } | null): Cmd<string> =>
    parsed(master ? ["SLAVEOF", master.host, master.port] : ["SLAVEOF", "NO", "ONE"], text),
  /** `FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]`: hand the master role to a replica. */
  failover: (options: FailoverOptions = {}): Cmd<"OK"> => parsed(failoverArgs(options), toOk),
  /**
   * `WAIT numreplicas timeout` → how many replicas acknowledged this connection's writes. It runs on
   * the connection that carried them: the pool refuses it outside a lease, the multiplexer needs a
   * timeout above 0.
   */
  wait: (numreplicas: number, timeoutMs: number): Cmd<number> => raw(["WAIT", numreplicas, timeoutMs]),
  /** `READONLY`: let this cluster-replica connection serve reads (a lease's, not the shared one). */
  readonly: (): Cmd<"OK"> => parsed(["READONLY"], toOk),
  /** `READWRITE`: undo `readonly`. */
  readwrite: (): Cmd<"OK"> => parsed(["READWRITE"], toOk),
  /** `SWAPDB index1 index2`: swap two databases for every client. */
  swapdb: (index1: number, index2: number): Cmd<"OK"> => parsed(["SWAPDB", index1, index2], toOk),
  /** `CONFIG RESETSTAT`: zero the statistics `INFO` reports. */
  configResetstat: (): Cmd<"OK"> => parsed(["CONFIG", "RESETSTAT"], toOk),
  /** `CONFIG REWRITE`: write the running configuration to the server's config file. */
  configRewrite: (): Cmd<"OK"> => parsed(["CONFIG", "REWRITE"], toOk),
  /** `LOLWUT [VERSION n]` → a piece of generative art and the server's version. */
  lolwut: (options: { version?: number } = {}): Cmd<string> =>
    parsed(options.version === undefined ? ["LOLWUT"] : ["LOLWUT", "VERSION", options.version], text),
  /** `MODULE LIST` → the loaded modules. */
  moduleList: (): Cmd<ModuleInfo[]> => parsed(["MODULE", "LIST"], (r) => list(r).map(toModule)),
  /** `MODULE LOAD path [arg...]` (needs `enable-module-command`). */
  moduleLoad: (path: string, ...args: Arg[]): Cmd<"OK"> => parsed(["MODULE", "LOAD", path, ...args], toOk),
  /** `MODULE LOADEX path [CONFIG name value]... [ARGS arg...]` (Redis 7). */
  moduleLoadex: (path: string, options: { config?: Record<string, Arg>; args?: Arg[] } = {}): Cmd<"OK"> => {
    const args: Arg[] = ["MODULE", "LOADEX", path];
    for (const [name, value] of Object.entries(options.config ?? {})) args.push("CONFIG", name, value);
    if (options.args?.length) args.push("ARGS", ...options.args);
    return parsed(args, toOk);
  },
  /** `MODULE UNLOAD name`. */
  moduleUnload: (name: string): Cmd<"OK"> => parsed(["MODULE", "UNLOAD", name], toOk),
};
