/**
 * Picks the adapter of the running runtime. Each adapter is loaded by dynamic import, so a runtime
 * never loads another's module (Deno would fail on `Bun.connect` types, Node on `Deno.*`).
 * @module
 */
import type { Connector } from "./types.ts";

/** Which runtime this is. */
export function runtimeName(): "deno" | "bun" | "node" {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  return g.Deno ? "deno" : g.Bun ? "bun" : "node";
}

let loaded: Promise<Connector> | undefined;

/**
 * The running runtime's connector: `Deno.connect` on Deno, `Bun.connect` on Bun, node:net elsewhere.
 * The module is loaded once per process (the cache holds an immutable function, not configuration).
 *
 * @example
 * ```ts
 * const connect = await defaultConnector();
 * const socket = await connect({ host: "127.0.0.1", port: 6379, onData: console.log });
 * ```
 */
export function defaultConnector(): Promise<Connector> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<Connector> {
  switch (runtimeName()) {
    case "deno":
      return (await import("./deno.ts")).denoConnector;
    case "bun":
      return (await import("./bun.ts")).bunConnector;
    default:
      return (await import("./node.ts")).nodeConnector;
  }
}
