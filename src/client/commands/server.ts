/**
 * Server, connection and pub/sub publishing commands. There is deliberately no `select`: set the
 * `db` option instead (a multiplexer shares one connection, so SELECT would move every caller).
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { parsed, raw, toNumber, toRecord, toText, type Cmd } from "../spec.ts";

/** Server command table. */
export const serverCommands = {
  /** `PING [message]` → `"PONG"` or the message. */
  ping: (message?: string): Cmd<string> => raw(message === undefined ? ["PING"] : ["PING", message]),
  /** `ECHO message`. */
  echo: (message: Arg): Cmd<string> => raw(["ECHO", message]),
  /** `INFO [section]` → the report text. */
  info: (section?: string): Cmd<string> => parsed(section ? ["INFO", section] : ["INFO"], toText),
  /** `DBSIZE` → the number of keys. */
  dbsize: (): Cmd<number> => raw(["DBSIZE"]),
  /** `FLUSHDB [ASYNC]`. */
  flushdb: (mode?: "ASYNC" | "SYNC"): Cmd<"OK"> => raw(mode ? ["FLUSHDB", mode] : ["FLUSHDB"]),
  /** `FLUSHALL [ASYNC]`. */
  flushall: (mode?: "ASYNC" | "SYNC"): Cmd<"OK"> => raw(mode ? ["FLUSHALL", mode] : ["FLUSHALL"]),
  /** `TIME` → `[unixSeconds, microseconds]` as numbers. */
  time: (): Cmd<[number, number]> => parsed(["TIME"], (r) => (r as RespValue[]).map(toNumber) as [number, number]),
  /** `LASTSAVE` → Unix time of the last save. */
  lastsave: (): Cmd<number> => raw(["LASTSAVE"]),
  /** `CLIENT GETNAME` → the name, or `null`. */
  clientGetname: (): Cmd<string | null> => raw(["CLIENT", "GETNAME"]),
  /** `CLIENT SETNAME name` (affects the connection that ran it; prefer the `clientName` option). */
  clientSetname: (name: string): Cmd<"OK"> => raw(["CLIENT", "SETNAME", name]),
  /** `CLIENT LIST` → the report text. */
  clientList: (): Cmd<string> => parsed(["CLIENT", "LIST"], toText),
  /** `CLIENT KILL ID id` → how many were killed. */
  clientKillId: (id: number): Cmd<number> => raw(["CLIENT", "KILL", "ID", id]),
  /** `CONFIG GET pattern` → a null-prototype object of matching parameters. */
  configGet: (pattern: string): Cmd<Record<string, string>> => parsed(["CONFIG", "GET", pattern], toRecord<string>),
  /** `CONFIG SET parameter value`. */
  configSet: (parameter: string, value: Arg): Cmd<"OK"> => raw(["CONFIG", "SET", parameter, value]),
  /** `PUBLISH channel message` → how many subscribers received it. */
  publish: (channel: string, message: Arg): Cmd<number> => raw(["PUBLISH", channel, message]),
  /** `SPUBLISH shardchannel message` → how many subscribers received it. */
  spublish: (channel: string, message: Arg): Cmd<number> => raw(["SPUBLISH", channel, message]),
};
