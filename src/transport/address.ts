/**
 * How adapters name the place they connect to in error messages.
 * @module
 */
import type { ConnectOptions } from "./types.ts";

/** `host:port` (IPv6 bracketed) or `unix:/path`. */
export function addressOf(options: Pick<ConnectOptions, "host" | "port" | "path">): string {
  if (options.path) return `unix:${options.path}`;
  return `${options.host.includes(":") ? `[${options.host}]` : options.host}:${options.port}`;
}
