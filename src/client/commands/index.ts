/**
 * Every typed command, merged into one table. Add a command to the table of its family; every
 * client surface and the `multi()`/`pipeline()` builders get it.
 * @module
 */
import { hashCommands } from "./hashes.ts";
import { keyCommands } from "./keys.ts";
import { listCommands } from "./lists.ts";
import { scriptingCommands } from "./scripting.ts";
import { serverCommands } from "./server.ts";
import { setCommands } from "./sets.ts";
import { streamCommands } from "./streams.ts";
import { stringCommands } from "./strings.ts";
import { zsetCommands } from "./zsets.ts";

/** All command tables merged. */
export const commandSpecs = {
  ...stringCommands,
  ...keyCommands,
  ...hashCommands,
  ...listCommands,
  ...setCommands,
  ...zsetCommands,
  ...streamCommands,
  ...scriptingCommands,
  ...serverCommands,
};

/** The type of {@link commandSpecs}. */
export type CommandSpecs = typeof commandSpecs;
