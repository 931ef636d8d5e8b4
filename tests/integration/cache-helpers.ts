/** Helpers for the client-side cache tests: their server, what it saw, and killing a client's connection. */
import { createClient, type RedisClient } from "../../mod.ts";
import type { CommandApi } from "../../src/client/api.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";

/** A cache test's server, with an admin client (stats, CLIENT KILL) and another client whose writes invalidate. */
export interface CacheServer {
  server: RedisServer;
  admin: RedisClient;
  writer: RedisClient;
}

/** Start a server for a file's cache tests (in `beforeAll`). */
export async function startCacheServer(): Promise<CacheServer> {
  const server = await startRedis();
  return { server, admin: createClient({ url: server.url }), writer: createClient({ url: server.url }) };
}

/** Stop what {@link startCacheServer} started (in `afterAll`; any part may be missing if it failed). */
export async function stopCacheServer(started: Partial<CacheServer>): Promise<void> {
  await started.admin?.close();
  await started.writer?.close();
  await started.server?.stop();
}

/** How many times the server ran `command` (lower case, e.g. "get") since the last `CONFIG RESETSTAT`. */
export async function serverCalls(admin: CommandApi, command: string): Promise<number> {
  const info = String(await admin.send(["INFO", "commandstats"]));
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, "m").exec(info);
  return match ? Number(match[1]) : 0;
}

/** The ids of the connections named `name` (CLIENT SETNAME); `subscribed`: only those subscribed to a channel, or only those not. */
export async function clientIds(admin: CommandApi, name: string, subscribed?: boolean): Promise<number[]> {
  const list = String(await admin.send(["CLIENT", "LIST"]));
  return list
    .split("\n")
    .filter((line) => line.includes(` name=${name} `) && (subscribed === undefined || / sub=0 /.test(line) !== subscribed))
    .map((line) => Number(/\bid=(\d+)/.exec(line)![1]));
}

/** `CLIENT KILL` every connection named `name` (see {@link clientIds}); returns how many there were. */
export async function killClients(admin: CommandApi, name: string, subscribed?: boolean): Promise<number> {
  const ids = await clientIds(admin, name, subscribed);
  for (const id of ids) await admin.send(["CLIENT", "KILL", "ID", id]);
  return ids.length;
}
