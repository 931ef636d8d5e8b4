/**
 * Latency monitoring (`LATENCY`) and the slow log (`SLOWLOG`): where the server spent its time.
 * Events are recorded only above `latency-monitor-threshold` ms; commands are logged above
 * `slowlog-log-slower-than` µs.
 * @module
 */
import type { RespValue } from "../../resp/types.ts";
import { fields, list, text, toNumber, toOk } from "../replies.ts";
import { parsed, raw, type Cmd } from "../spec.ts";

/** The latest and worst spike of one latency event. */
export interface LatencyLatest {
  event: string;
  /** Unix time of the latest spike, seconds. */
  timestamp: number;
  latestMs: number;
  maxMs: number;
}

/** One sample of a latency event's history. */
export interface LatencySample {
  timestamp: number;
  latencyMs: number;
}

/** A command's latency distribution: calls, and how many took up to each power-of-two µs bucket. */
export interface LatencyHistogram {
  calls: number;
  /** Count per bucket's upper bound in µs (`{ "8": 12, "16": 3 }`). */
  histogramUsec: Record<string, number>;
}

/** One slow-log entry. */
export interface SlowlogEntry {
  id: number;
  /** Unix time the command ran, seconds. */
  timestamp: number;
  durationUs: number;
  /** The command and its arguments (long ones are truncated by the server). */
  args: string[];
  clientAddr: string;
  clientName: string;
}

function toLatest(reply: RespValue): LatencyLatest {
  const [event, timestamp, latest, max] = list(reply);
  return { event: text(event), timestamp: toNumber(timestamp), latestMs: toNumber(latest), maxMs: toNumber(max) };
}

function toSample(reply: RespValue): LatencySample {
  const [timestamp, latency] = list(reply);
  return { timestamp: toNumber(timestamp), latencyMs: toNumber(latency) };
}

function toHistogram(reply: RespValue): LatencyHistogram {
  const f = fields(reply, (v) => v);
  return { calls: toNumber(f.calls), histogramUsec: fields(f.histogram_usec, toNumber) };
}

function toSlowlogEntry(reply: RespValue): SlowlogEntry {
  const [id, timestamp, duration, args, addr, name] = list(reply);
  return {
    id: toNumber(id),
    timestamp: toNumber(timestamp),
    durationUs: toNumber(duration),
    args: list(args).map(text),
    clientAddr: text(addr),
    clientName: text(name),
  };
}

/** Latency and slow-log command table. */
export const latencyCommands = {
  /** `LATENCY LATEST` → each event's latest and worst spike. */
  latencyLatest: (): Cmd<LatencyLatest[]> => parsed(["LATENCY", "LATEST"], (r) => list(r).map(toLatest)),
  /** `LATENCY HISTORY event` → the event's recent spikes. */
  latencyHistory: (event: string): Cmd<LatencySample[]> => parsed(["LATENCY", "HISTORY", event], (r) => list(r).map(toSample)),
  /** `LATENCY RESET [event...]` → how many event histories were cleared (all without arguments). */
  latencyReset: (...events: string[]): Cmd<number> => raw(["LATENCY", "RESET", ...events]),
  /** `LATENCY GRAPH event` → an ASCII-art graph of the event's spikes. */
  latencyGraph: (event: string): Cmd<string> => parsed(["LATENCY", "GRAPH", event], text),
  /** `LATENCY DOCTOR` → the server's analysis, as text. */
  latencyDoctor: (): Cmd<string> => parsed(["LATENCY", "DOCTOR"], text),
  /** `LATENCY HISTOGRAM [command...]` → per command (lower-case name), its latency distribution. */
  latencyHistogram: (...commands: string[]): Cmd<Record<string, LatencyHistogram>> =>
    parsed(["LATENCY", "HISTOGRAM", ...commands], (r) => fields(r, toHistogram)),
  /** `SLOWLOG GET [count]` → the slowest recent commands, newest first (10 by default; -1 for all). */
  slowlogGet: (count?: number): Cmd<SlowlogEntry[]> =>
    parsed(count === undefined ? ["SLOWLOG", "GET"] : ["SLOWLOG", "GET", count], (r) => list(r).map(toSlowlogEntry)),
  /** `SLOWLOG LEN` → how many entries the slow log holds. */
  slowlogLen: (): Cmd<number> => raw(["SLOWLOG", "LEN"]),
  /** `SLOWLOG RESET`: empty the slow log. */
  slowlogReset: (): Cmd<"OK"> => parsed(["SLOWLOG", "RESET"], toOk),
};
