/**
 * Stream commands. Entries come back as `{ id, fields }` with null-prototype `fields`; `xread`
 * and `xreadgroup` give the same shape on RESP2 (arrays) and RESP3 (a map of streams).
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { text, toNumber, toOk } from "../replies.ts";
import { data, parsed, raw, toRecord, type Cmd, type Key } from "../spec.ts";

/** One stream entry: its ID is text, its field names text, its values `V` (`Uint8Array` in bytes mode). */
export interface StreamEntry<V = string> {
  id: string;
  fields: Record<string, V>;
}

/** Entries read from one stream; the stream's key is data, like the values (`V`). */
export interface StreamRead<V = string> {
  stream: V;
  entries: StreamEntry<V>[];
}

/** Options of `xadd`. */
export interface XAddOptions {
  /** Entry ID; default `*` (server-assigned). */
  id?: string;
  /** Trim to about (`~`) or exactly this many entries. */
  maxlen?: { count: number; approximate?: boolean };
  /** Trim entries with IDs below this one. */
  minid?: { id: string; approximate?: boolean };
  /** Do not create the stream when missing (returns `null`). */
  nomkstream?: boolean;
}

/** Options of `xread` and `xreadgroup`. */
export interface XReadOptions {
  count?: number;
  /** Block up to this many ms (0 = forever); the executors run blocking reads on dedicated connections. */
  block?: number;
}

/** Streams to read and the ID to read after: an object, or `[key, id]` pairs. */
export type StreamOffsets = Record<string, string> | Array<[Key, string]>;

function toEntries(reply: RespValue): StreamEntry[] {
  return ((reply ?? []) as RespValue[][]).map(([id, fields]) => ({ id: text(id!), fields: toRecord<string>(fields ?? []) }));
}

function toReads(reply: RespValue): StreamRead[] | null {
  if (reply === null) return null;
  const pairs: Array<[RespValue, RespValue]> = reply instanceof Map ? [...reply] : (reply as RespValue[][]).map(([k, v]) => [k!, v!]);
  // The stream's key is data, as it came (bytes in bytes mode); entry IDs are text.
  return pairs.map(([stream, entries]) => ({ stream: stream as string, entries: toEntries(entries) }));
}

function readArgs(options: XReadOptions, streams: StreamOffsets): Arg[] {
  const pairs = Array.isArray(streams) ? streams : Object.entries(streams);
  if (pairs.length === 0) throw new TypeError("give at least one stream");
  const args: Arg[] = [];
  if (options.count !== undefined) args.push("COUNT", options.count);
  if (options.block !== undefined) args.push("BLOCK", options.block);
  args.push("STREAMS", ...pairs.map(([key]) => key), ...pairs.map(([, id]) => id));
  return args;
}

function fieldArgs(fields: Record<string, Arg> | Array<[Key, Arg]>): Arg[] {
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  if (pairs.length === 0) throw new TypeError("xadd: give at least one field");
  return pairs.flat();
}

/** Stream command table. */
export const streamCommands = {
  /** `XADD key [NOMKSTREAM] [MAXLEN|MINID [~] n] id field value...` → the new entry's ID. */
  xadd: (key: Key, fields: Record<string, Arg> | Array<[Key, Arg]>, options: XAddOptions = {}): Cmd<string | null> => {
    const args: Arg[] = ["XADD", key];
    if (options.nomkstream) args.push("NOMKSTREAM");
    if (options.maxlen) args.push("MAXLEN", options.maxlen.approximate ? "~" : "=", options.maxlen.count);
    if (options.minid) args.push("MINID", options.minid.approximate ? "~" : "=", options.minid.id);
    args.push(options.id ?? "*", ...fieldArgs(fields));
    return parsed(args, (id) => (id === null ? null : text(id)));
  },
  /** `XLEN key`. */
  xlen: (key: Key): Cmd<number> => raw(["XLEN", key]),
  /** `XRANGE key start end [COUNT n]` → entries (`-` and `+` are the ends). */
  xrange: (key: Key, start = "-", end = "+", count?: number): Cmd<StreamEntry[], StreamEntry<Uint8Array>[]> =>
    data(["XRANGE", key, start, end, ...(count === undefined ? [] : ["COUNT", count])], toEntries),
  /** `XREVRANGE key end start [COUNT n]` → entries, newest first. */
  xrevrange: (key: Key, end = "+", start = "-", count?: number): Cmd<StreamEntry[], StreamEntry<Uint8Array>[]> =>
    data(["XREVRANGE", key, end, start, ...(count === undefined ? [] : ["COUNT", count])], toEntries),
  /** `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...` → entries per stream, or `null` when none arrived. */
  xread: (streams: StreamOffsets, options: XReadOptions = {}): Cmd<StreamRead[] | null, StreamRead<Uint8Array>[] | null> =>
    data(["XREAD", ...readArgs(options, streams)], toReads),
  /** `XGROUP CREATE key group id [MKSTREAM]`. */
  xgroupCreate: (key: Key, group: string, id = "$", options: { mkstream?: boolean } = {}): Cmd<"OK"> =>
    parsed(["XGROUP", "CREATE", key, group, id, ...(options.mkstream ? ["MKSTREAM"] : [])], toOk),
  /** `XGROUP DESTROY key group` → whether it existed. */
  xgroupDestroy: (key: Key, group: string): Cmd<number> => raw(["XGROUP", "DESTROY", key, group]),
  /** `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...` (`>` = new entries). */
  xreadgroup: (group: string, consumer: string, streams: StreamOffsets, options: XReadOptions & { noack?: boolean } = {}): Cmd<StreamRead[] | null, StreamRead<Uint8Array>[] | null> => {
    const read = readArgs(options, streams);
    if (options.noack) read.splice(read.indexOf("STREAMS"), 0, "NOACK");
    return data(["XREADGROUP", "GROUP", group, consumer, ...read], toReads);
  },
  /** `XACK key group id...` → how many were acknowledged. */
  xack: (key: Key, group: string, ...ids: string[]): Cmd<number> => raw(["XACK", key, group, ...ids]),
  /** `XPENDING key group` → `{ count, lowest, highest, consumers }` summary. */
  xpending: (key: Key, group: string): Cmd<{ count: number; lowest: string | null; highest: string | null; consumers: Array<{ name: string; pending: number }> }> =>
    parsed(["XPENDING", key, group], (reply) => {
      const [count, lowest, highest, consumers] = reply as [number, RespValue, RespValue, Array<[RespValue, RespValue]> | null];
      const id = (value: RespValue) => (value === null ? null : text(value));
      return { count, lowest: id(lowest), highest: id(highest), consumers: (consumers ?? []).map(([name, pending]) => ({ name: text(name), pending: toNumber(pending) })) };
    }),
  /** `XDEL key id...` → how many were deleted. */
  xdel: (key: Key, ...ids: string[]): Cmd<number> => raw(["XDEL", key, ...ids]),
  /** `XTRIM key MAXLEN [~] n` → how many were removed. */
  xtrim: (key: Key, maxlen: number, approximate = false): Cmd<number> => raw(["XTRIM", key, "MAXLEN", approximate ? "~" : "=", maxlen]),
};
