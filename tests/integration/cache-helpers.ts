/** Helpers for the client-side cache tests: what the server saw, and killing a client's connection. */
import type { CommandApi } from "../../src/client/api.ts";

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
