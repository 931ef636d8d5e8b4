/**
 * Consumer-group housekeeping for streams: claiming entries other consumers left pending,
 * inspecting the pending list, managing consumers, and setting group and stream IDs.
 * @module
 */
import type { Arg, RespValue } from "../../resp/types.ts";
import { fields, list, text, toNumber, toOk } from "../replies.ts";
import { data, parsed, raw, toBoolean, type Cmd, type Key } from "../spec.ts";
import type { StreamEntry } from "./streams.ts";

/** Options of `xclaim`/`xclaimJustid`. */
export interface XClaimOptions {
  /** Set the entries' idle time, ms. */
  idle?: number;
  /** Set the entries' last delivery to this Unix time, ms. */
  time?: number;
  /** Set the delivery counter. */
  retrycount?: number;
  /** Claim IDs that are not pending yet (they must exist). */
  force?: boolean;
  /** Move the group's last-delivered ID (used by replication). */
  lastid?: string;
}

/** What `xautoclaim` claimed, and where the next call starts (`"0-0"`: the whole list was scanned). */
export interface XAutoClaimed<T> {
  next: string;
  claimed: T[];
  /** IDs that were pending but no longer exist in the stream (Redis 7 deletes them from the list). */
  deleted: string[];
}

/** One pending entry, as `xpendingRange` lists it. */
export interface PendingEntry {
  id: string;
  consumer: string;
  /** Milliseconds since it was last delivered. */
  idleMs: number;
  deliveries: number;
}

/** Which pending entries `xpendingRange` lists. */
export interface XPendingRangeOptions {
  start?: string;
  end?: string;
  count: number;
  /** Only entries idle at least this many ms. */
  idle?: number;
  consumer?: string;
}

/** `[id, [field, value, ...]]` → an entry; field names as text, values as they came. */
export function toStreamEntry(reply: RespValue): StreamEntry {
  const [id, pairs] = list(reply);
  return { id: text(id), fields: fields(pairs, (v) => v as string) };
}

/** Entries, skipping the nils older servers put where an entry was deleted. */
export const toStreamEntries = (reply: RespValue): StreamEntry[] => list(reply).filter((e) => e !== null).map(toStreamEntry);
const toIds = (reply: RespValue): string[] => list(reply).map(text);

function claimArgs(head: Arg[], options: XClaimOptions, justid: boolean): Arg[] {
  const args = [...head];
  if (options.idle !== undefined) args.push("IDLE", options.idle);
  if (options.time !== undefined) args.push("TIME", options.time);
  if (options.retrycount !== undefined) args.push("RETRYCOUNT", options.retrycount);
  if (options.force) args.push("FORCE");
  if (justid) args.push("JUSTID");
  if (options.lastid !== undefined) args.push("LASTID", options.lastid);
  return args;
}

function ids(list: readonly string[]): string[] {
  if (list.length === 0) throw new TypeError("xclaim: give at least one ID");
  return [...list];
}

function autoclaimArgs(key: Key, group: string, consumer: string, minIdleMs: number, start: string, count: number | undefined): Arg[] {
  return ["XAUTOCLAIM", key, group, consumer, minIdleMs, start, ...(count === undefined ? [] : ["COUNT", count])];
}

function autoclaimed<T>(read: (reply: RespValue) => T[]): (reply: RespValue) => XAutoClaimed<T> {
  return (reply) => {
    const [next, claimed, deleted] = list(reply);
    return { next: text(next), claimed: read(claimed!), deleted: toIds(deleted ?? []) };
  };
}

/** Consumer-group command table. */
export const streamGroupCommands = {
  /** `XCLAIM key group consumer min-idle-time id... [IDLE|TIME|RETRYCOUNT|FORCE|LASTID]` → the claimed entries. */
  xclaim: (key: Key, group: string, consumer: string, minIdleMs: number, entryIds: readonly string[], options: XClaimOptions = {}): Cmd<StreamEntry[], StreamEntry<Uint8Array>[]> =>
    data(claimArgs(["XCLAIM", key, group, consumer, minIdleMs, ...ids(entryIds)], options, false), toStreamEntries),
  /** `XCLAIM ... JUSTID` → the claimed IDs (the delivery counter is not incremented). */
  xclaimJustid: (key: Key, group: string, consumer: string, minIdleMs: number, entryIds: readonly string[], options: XClaimOptions = {}): Cmd<string[]> =>
    parsed(claimArgs(["XCLAIM", key, group, consumer, minIdleMs, ...ids(entryIds)], options, true), toIds),
  /** `XAUTOCLAIM key group consumer min-idle-time start [COUNT n]` → claimed entries, the next start, deleted IDs. */
  xautoclaim: (key: Key, group: string, consumer: string, minIdleMs: number, start = "0-0", options: { count?: number } = {}): Cmd<XAutoClaimed<StreamEntry>, XAutoClaimed<StreamEntry<Uint8Array>>> =>
    data(autoclaimArgs(key, group, consumer, minIdleMs, start, options.count), autoclaimed(toStreamEntries)),
  /** `XAUTOCLAIM ... JUSTID` → claimed IDs, the next start, deleted IDs. */
  xautoclaimJustid: (key: Key, group: string, consumer: string, minIdleMs: number, start = "0-0", options: { count?: number } = {}): Cmd<XAutoClaimed<string>> =>
    parsed([...autoclaimArgs(key, group, consumer, minIdleMs, start, options.count), "JUSTID"], autoclaimed(toIds)),
  /** `XPENDING key group [IDLE ms] start end count [consumer]` → the pending entries in a range. */
  xpendingRange: (key: Key, group: string, options: XPendingRangeOptions): Cmd<PendingEntry[]> => {
    const args: Arg[] = ["XPENDING", key, group];
    if (options.idle !== undefined) args.push("IDLE", options.idle);
    args.push(options.start ?? "-", options.end ?? "+", options.count);
    if (options.consumer !== undefined) args.push(options.consumer);
    return parsed(args, (r) =>
      list(r).map((e) => {
        const [id, consumer, idle, deliveries] = list(e);
        return { id: text(id), consumer: text(consumer), idleMs: toNumber(idle), deliveries: toNumber(deliveries) };
      }),
    );
  },
  /** `XGROUP CREATECONSUMER key group consumer` → whether it was created (not when it existed). */
  xgroupCreateconsumer: (key: Key, group: string, consumer: string): Cmd<boolean> =>
    parsed(["XGROUP", "CREATECONSUMER", key, group, consumer], toBoolean),
  /** `XGROUP DELCONSUMER key group consumer` → how many pending entries the consumer had (now dropped). */
  xgroupDelconsumer: (key: Key, group: string, consumer: string): Cmd<number> => raw(["XGROUP", "DELCONSUMER", key, group, consumer]),
  /** `XGROUP SETID key group id|$ [ENTRIESREAD n]`: where the group reads next. */
  xgroupSetid: (key: Key, group: string, id: string, options: { entriesRead?: number } = {}): Cmd<"OK"> =>
    parsed(["XGROUP", "SETID", key, group, id, ...(options.entriesRead === undefined ? [] : ["ENTRIESREAD", options.entriesRead])], toOk),
  /** `XSETID key last-id [ENTRIESADDED n] [MAXDELETEDID id]`: the stream's last ID (replication, restores). */
  xsetid: (key: Key, lastId: string, options: { entriesAdded?: number; maxDeletedId?: string } = {}): Cmd<"OK"> => {
    const args: Arg[] = ["XSETID", key, lastId];
    if (options.entriesAdded !== undefined) args.push("ENTRIESADDED", options.entriesAdded);
    if (options.maxDeletedId !== undefined) args.push("MAXDELETEDID", options.maxDeletedId);
    return parsed(args, toOk);
  },
};
