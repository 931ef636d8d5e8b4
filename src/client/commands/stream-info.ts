/**
 * `XINFO`: a stream's size, IDs and edge entries, its consumer groups and their consumers.
 * Field names are Redis's, camel-cased; IDs are text, counts numbers.
 * @module
 */
import type { RespValue } from "../../resp/types.ts";
import { fields, list, text, toNumber, toNumberOrNull } from "../replies.ts";
import { data, parsed, type Cmd, type Key } from "../spec.ts";
import type { StreamEntry } from "./streams.ts";
import { toStreamEntries, toStreamEntry } from "./stream-groups.ts";

/** What every form of `XINFO STREAM` reports. */
export interface StreamInfoBase {
  length: number;
  radixTreeKeys: number;
  radixTreeNodes: number;
  lastGeneratedId: string;
  maxDeletedEntryId: string;
  entriesAdded: number;
  recordedFirstEntryId: string;
}

/** `XINFO STREAM key`. */
export interface StreamInfo<V = string> extends StreamInfoBase {
  /** How many consumer groups it has. */
  groups: number;
  firstEntry: StreamEntry<V> | null;
  lastEntry: StreamEntry<V> | null;
}

/** `XINFO STREAM key FULL`: entries, and every group with its pending list and consumers. */
export interface StreamInfoFull<V = string> extends StreamInfoBase {
  entries: StreamEntry<V>[];
  groups: Array<{
    name: string;
    lastDeliveredId: string;
    entriesRead: number | null;
    lag: number | null;
    pelCount: number;
    pending: Array<{ id: string; consumer: string; deliveryTime: number; deliveries: number }>;
    consumers: Array<{ name: string; seenTime: number; pelCount: number; pending: Array<{ id: string; deliveryTime: number; deliveries: number }> }>;
  }>;
}

/** One consumer group, as `XINFO GROUPS` reports it. */
export interface StreamGroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  /** Entries the group has read (`null` when the server cannot tell). */
  entriesRead: number | null;
  /** Entries still to be delivered to the group (`null` when the server cannot tell). */
  lag: number | null;
}

/** One consumer, as `XINFO CONSUMERS` reports it. */
export interface StreamConsumerInfo {
  name: string;
  pending: number;
  /** Milliseconds since it last interacted. */
  idle: number;
}

type Fields = Record<string, RespValue>;
const map = (reply: RespValue | undefined): Fields => fields(reply, (v) => v);

function base(f: Fields): StreamInfoBase {
  return {
    length: toNumber(f.length),
    radixTreeKeys: toNumber(f["radix-tree-keys"]),
    radixTreeNodes: toNumber(f["radix-tree-nodes"]),
    lastGeneratedId: text(f["last-generated-id"]),
    maxDeletedEntryId: text(f["max-deleted-entry-id"]),
    entriesAdded: toNumber(f["entries-added"]),
    recordedFirstEntryId: text(f["recorded-first-entry-id"]),
  };
}

function edge(reply: RespValue | undefined): StreamEntry | null {
  return reply === null || reply === undefined ? null : toStreamEntry(reply);
}

function toStreamInfo(reply: RespValue): StreamInfo {
  const f = map(reply);
  return { ...base(f), groups: toNumber(f.groups), firstEntry: edge(f["first-entry"]), lastEntry: edge(f["last-entry"]) };
}

function toFullGroup(reply: RespValue): StreamInfoFull["groups"][number] {
  const g = map(reply);
  return {
    name: text(g.name),
    lastDeliveredId: text(g["last-delivered-id"]),
    entriesRead: toNumberOrNull(g["entries-read"]),
    lag: toNumberOrNull(g.lag),
    pelCount: toNumber(g["pel-count"]),
    pending: list(g.pending).map((p) => {
      const [id, consumer, deliveryTime, deliveries] = list(p);
      return { id: text(id), consumer: text(consumer), deliveryTime: toNumber(deliveryTime), deliveries: toNumber(deliveries) };
    }),
    consumers: list(g.consumers).map((c) => {
      const cf = map(c);
      return {
        name: text(cf.name),
        seenTime: toNumber(cf["seen-time"]),
        pelCount: toNumber(cf["pel-count"]),
        pending: list(cf.pending).map((p) => {
          const [id, deliveryTime, deliveries] = list(p);
          return { id: text(id), deliveryTime: toNumber(deliveryTime), deliveries: toNumber(deliveries) };
        }),
      };
    }),
  };
}

function toStreamInfoFull(reply: RespValue): StreamInfoFull {
  const f = map(reply);
  return { ...base(f), entries: toStreamEntries(f.entries ?? []), groups: list(f.groups).map(toFullGroup) };
}

function toGroup(reply: RespValue): StreamGroupInfo {
  const g = map(reply);
  return {
    name: text(g.name),
    consumers: toNumber(g.consumers),
    pending: toNumber(g.pending),
    lastDeliveredId: text(g["last-delivered-id"]),
    entriesRead: toNumberOrNull(g["entries-read"]),
    lag: toNumberOrNull(g.lag),
  };
}

function toConsumer(reply: RespValue): StreamConsumerInfo {
  const c = map(reply);
  return { name: text(c.name), pending: toNumber(c.pending), idle: toNumber(c.idle) };
}

/** Stream introspection command table. */
export const streamInfoCommands = {
  /** `XINFO STREAM key` → its size, IDs, group count, and first and last entries. */
  xinfoStream: (key: Key): Cmd<StreamInfo, StreamInfo<Uint8Array>> => data(["XINFO", "STREAM", key], toStreamInfo),
  /** `XINFO STREAM key FULL [COUNT n]` → entries (10 by default, 0 for all) and every group in detail. */
  xinfoStreamFull: (key: Key, options: { count?: number } = {}): Cmd<StreamInfoFull, StreamInfoFull<Uint8Array>> =>
    data(["XINFO", "STREAM", key, "FULL", ...(options.count === undefined ? [] : ["COUNT", options.count])], toStreamInfoFull),
  /** `XINFO GROUPS key` → the stream's consumer groups. */
  xinfoGroups: (key: Key): Cmd<StreamGroupInfo[]> => parsed(["XINFO", "GROUPS", key], (r) => list(r).map(toGroup)),
  /** `XINFO CONSUMERS key group` → the group's consumers. */
  xinfoConsumers: (key: Key, group: string): Cmd<StreamConsumerInfo[]> =>
    parsed(["XINFO", "CONSUMERS", key, group], (r) => list(r).map(toConsumer)),
};
