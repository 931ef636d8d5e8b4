/**
 * Server, connection and pub/sub publishing commands. There is deliberately no `select`: set the
 * `db` option instead (a multiplexer shares one connection, so SELECT would move every caller).
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { fields, text, textOrNull, toNumber, toOk } from "../replies.ts";
import { parsed, raw, type Cmd, type DataCmd } from "../spec.ts";

/** Server command table. */
export const serverCommands = {
  /** `PING [message]` → `"PONG"` or the message. */
  ping: (message?: string): Cmd<string> => parsed(message === undefined ? ["PING"] : ["PING", message], text),
  /** `ECHO message`. */
  echo: (message: Arg): DataCmd<string> => raw(["ECHO", message]),
  /** `INFO [section]` → the report text. */
  info: (section?: string): Cmd<string> => parsed(section ? ["INFO", section] : ["INFO"], text),
  /** `DBSIZE` → the number of keys. */
  dbsize: (): Cmd<number> => raw(["DBSIZE"]),
  /** `FLUSHDB [ASYNC]`. */
  flushdb: (mode?: "ASYNC" | "SYNC"): Cmd<"OK"> => parsed(mode ? ["FLUSHDB", mode] : ["FLUSHDB"], toOk),
  /** `FLUSHALL [ASYNC]`. */
  flushall: (mode?: "ASYNC" | "SYNC"): Cmd<"OK"> => parsed(mode ? ["FLUSHALL", mode] : ["FLUSHALL"], toOk),
  /** `TIME` → `[unixSeconds, microseconds]` as numbers. */
  time: (): Cmd<[number, number]> => parsed(["TIME"], (r) => (r as RespValue[]).map(toNumber) as [number, number]),
  /** `LASTSAVE` → Unix time of the last save. */
  lastsave: (): Cmd<number> => raw(["LASTSAVE"]),
  /** `CLIENT GETNAME` → the name, or `null`. */
  clientGetname: (): Cmd<string | null> => parsed(["CLIENT", "GETNAME"], textOrNull),
  /** `CLIENT SETNAME name` (affects the connection that ran it; prefer the `clientName` option). */
  clientSetname: (name: string): Cmd<"OK"> => parsed(["CLIENT", "SETNAME", name], toOk),
  /** `CLIENT LIST` → the report text. */
  clientList: (): Cmd<string> => parsed(["CLIENT", "LIST"], text),
  /** `CLIENT KILL ID id` → how many were killed. */
  clientKillId: (id: number): Cmd<number> => raw(["CLIENT", "KILL", "ID", id]),
  /** `CONFIG GET pattern` → a null-prototype object of matching parameters. */
  configGet: (pattern: string): Cmd<Record<string, string>> => parsed(["CONFIG", "GET", pattern], (r) => fields(r, text)),
  /** `CONFIG SET parameter value`. */
  configSet: (parameter: string, value: Arg): Cmd<"OK"> => parsed(["CONFIG", "SET", parameter, value], toOk),
  /** `PUBLISH channel message` → how many subscribers received it. */
  publish: (channel: string, message: Arg): Cmd<number> => raw(["PUBLISH", channel, message]),
  /** `SPUBLISH shardchannel message` → how many subscribers received it. */
  spublish: (channel: string, message: Arg): Cmd<number> => raw(["SPUBLISH", channel, message]),
};
