/**
 * Every typed command, merged into one table. Add a command to the table of its family; every
 * client surface and the `multi()`/`pipeline()` builders get it.
 * @module
 */
import { stringCommands } from "./strings.ts";

/** All command tables merged. */
export const commandSpecs = {
  ...stringCommands,
};

/** The type of {@link commandSpecs}. */
export type CommandSpecs = typeof commandSpecs;
