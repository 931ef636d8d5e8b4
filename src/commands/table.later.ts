/**
 * Commands added by Redis versions newer than the server table.gen.ts was read from, with the
 * version that added each: users run those servers, and a command the table does not know is sent
 * as it is — its keys not prefixed (`keyPrefix`), not routed by slot, not dropped from the cache,
 * its connection rules (WAITAOF's, like WAIT's) not applied. Written by hand from the Redis
 * sources' command definitions (src/commands/*.json), in the generator's row format; once the table
 * is generated from a server that has them, they go (tests/unit/commands-later.test.ts says so).
 * Not here: the commands of modules, the vector sets' (`VADD`, `VSIM`, ...) included.
 * @module
 */
import type { CommandRow } from "./table.ts";

/** `[since, row]`, sorted by name. */
export const LATER_ROWS: readonly (readonly [since: string, row: CommandRow])[] = [
  ["7.2.0", ["CLIENT|NO-TOUCH", 3, "loading noscript stale", "connection", []]],
  ["7.2.0", ["CLIENT|SETINFO", 4, "loading noscript stale", "connection", []]],
  ["7.2.0", ["CLUSTER|MYSHARDID", 2, "stale", "cluster", []]],
  ["8.4.0", ["DELEX", -2, "fast movablekeys write", "string", [[1, "range", 0, 1, 0]]]],
  ["8.4.0", ["DIGEST", 2, "fast readonly", "string", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HEXPIRE", -6, "denyoom fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HEXPIREAT", -6, "denyoom fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HEXPIRETIME", -5, "fast readonly", "hash", [[1, "range", 0, 1, 0]]]],
  // HGETDEL as 8.0 released it (HGETDEL key FIELDS numfields field ...): a write of the key at 1.
  ["8.0.0", ["HGETDEL", -5, "fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["8.0.0", ["HGETEX", -5, "fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HPERSIST", -5, "fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HPEXPIRE", -6, "denyoom fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HPEXPIREAT", -6, "denyoom fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HPEXPIRETIME", -5, "fast readonly", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HPTTL", -5, "fast readonly", "hash", [[1, "range", 0, 1, 0]]]],
  ["8.0.0", ["HSETEX", -6, "denyoom fast write", "hash", [[1, "range", 0, 1, 0]]]],
  ["7.4.0", ["HTTL", -5, "fast readonly", "hash", [[1, "range", 0, 1, 0]]]],
  ["8.4.0", ["MSETEX", -4, "denyoom movablekeys write", "string", [[1, "keynum", 0, 1, 2]]]],
  // 7.2 reports WAITAOF (like WAIT) "noscript", 7.4 "blocking"; rules.ts gives both their timeout either way.
  ["7.2.0", ["WAITAOF", 4, "noscript", "generic", []]],
  ["8.2.0", ["XACKDEL", -6, "fast write", "stream", [[1, "range", 0, 1, 0]]]],
  ["8.2.0", ["XDELEX", -5, "fast write", "stream", [[1, "range", 0, 1, 0]]]],
];
