/**
 * Every typed command, merged into one table. Add a command to the table of its family; every
 * client surface and the `multi()`/`pipeline()` builders get it. Commands without a typed method
 * are listed, with the reason, in excluded.ts.
 * @module
 */
import { aclCommands } from "./acl.ts";
import { adminCommands } from "./admin.ts";
import { bitmapCommands } from "./bitmaps.ts";
import { clientCommands } from "./client.ts";
import { clusterAdminCommands } from "./cluster-admin.ts";
import { clusterInfoCommands } from "./cluster-info.ts";
import { cursorCommands } from "./cursors.ts";
import { functionCommands } from "./functions.ts";
import { geoCommands } from "./geo.ts";
import { hashCommands } from "./hashes.ts";
import { hyperloglogCommands } from "./hyperloglog.ts";
import { introspectionCommands } from "./introspection.ts";
import { keyCommands } from "./keys.ts";
import { keyspaceCommands } from "./keyspace.ts";
import { latencyCommands } from "./latency.ts";
import { listCommands } from "./lists.ts";
import { memoryCommands } from "./memory.ts";
import { pubsubInfoCommands } from "./pubsub-info.ts";
import { scriptingCommands } from "./scripting.ts";
import { serverCommands } from "./server.ts";
import { setCommands } from "./sets.ts";
import { streamGroupCommands } from "./stream-groups.ts";
import { streamInfoCommands } from "./stream-info.ts";
import { streamCommands } from "./streams.ts";
import { lcsCommands } from "./string-lcs.ts";
import { stringCommands } from "./strings.ts";
import { zsetAlgebraCommands } from "./zset-algebra.ts";
import { zsetRangeCommands } from "./zset-ranges.ts";
import { zsetCommands } from "./zsets.ts";

/** All command tables merged. */
export const commandSpecs = {
  ...stringCommands,
  ...lcsCommands,
  ...bitmapCommands,
  ...keyCommands,
  ...keyspaceCommands,
  ...cursorCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...zsetCommands,
  ...zsetAlgebraCommands,
  ...zsetRangeCommands,
  ...hyperloglogCommands,
  ...geoCommands,
  ...streamCommands,
  ...streamGroupCommands,
  ...streamInfoCommands,
  ...scriptingCommands,
  ...functionCommands,
  ...serverCommands,
  ...pubsubInfoCommands,
  ...clientCommands,
  ...adminCommands,
  ...aclCommands,
  ...memoryCommands,
  ...latencyCommands,
  ...introspectionCommands,
  ...clusterInfoCommands,
  ...clusterAdminCommands,
};

/** The type of {@link commandSpecs}. */
export type CommandSpecs = typeof commandSpecs;
