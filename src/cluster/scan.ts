/**
 * `SCAN` over every master of a cluster. One master's `SCAN` returns the keys it holds while the
 * scan runs; a key that moves during resharding from a master not scanned yet onto one already
 * scanned would be returned by neither. So each master's slots are read (its own line of `CLUSTER
 * NODES`) as its scan begins, and once every master was scanned, a master that now serves or
 * imports a slot it did not serve then is scanned again — `SCAN` may return a key twice, never
 * leave out one that was there from start to end. A slot being imported never counts as served
 * when a scan begins: keys may still arrive after the scan passed them. Masters are listed again
 * for each pass (a promoted replica is new); one already scanned that cannot be asked any more (it
 * died) has given what it held. Not covered: moves that go on for more than {@link MAX_PASSES}
 * passes, and a user whose ACL refuses `CLUSTER NODES` (each master is then scanned once).
 * @module
 */
import type { ScanOptions } from "../client/scan.ts";
import { argText } from "../commands/text.ts";
import type { CommandOptions } from "../conn/command.ts";
import { ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import type { NodeClient } from "./node-client.ts";
import { SLOTS } from "./slot.ts";

/** Passes over the masters at most: the first, and rescans of masters that took slots meanwhile. */
const MAX_PASSES = 4;

/**
 * The keys of every master `masters()` lists, each master scanned again while it took over slots
 * since its last scan began.
 *
 * @example
 * ```ts
 * for await (const key of scanMasters(() => lending.clients("master"), { match: "user:*" })) console.log(key);
 * ```
 */
export async function* scanMasters(masters: () => Promise<NodeClient[]>, scan: ScanOptions & { type?: string }, view?: CommandOptions): AsyncGenerator<string> {
  /** The slots each master served as its last scan began, imported ones left out (`undefined`: it would not say). */
  const began = new Map<string, Uint8Array | undefined>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let scanned = false;
    for (const master of await masters()) {
      const node = view ? master.with(view) : master;
      const again = began.has(master.address);
      let slots: Slots | undefined;
      try {
        slots = await servedSlots(node);
      } catch (err) {
        if (again && (err instanceof ConnectionError || err instanceof TimeoutError)) continue; // gone since its scan
        throw err;
      }
      if (again && !gainedAny(began.get(master.address), slots)) continue;
      began.set(master.address, slots?.owned);
      scanned = true;
      yield* node.scanIterator(scan);
    }
    if (!scanned) return;
  }
}

/** A master's slots by its own account: those it serves, and those it serves or is importing. */
interface Slots {
  owned: Uint8Array;
  ownedOrImporting: Uint8Array;
}

/** The slots `node` says it serves and imports (its `myself` line of `CLUSTER NODES`), or `undefined` if it refuses to say (ACL). */
async function servedSlots(node: NodeClient): Promise<Slots | undefined> {
  let reply;
  try {
    reply = await node.send(["CLUSTER", "NODES"]);
  } catch (err) {
    if (err instanceof RedisError) return undefined; // NOPERM: scanned once, as without this check
    throw err;
  }
  const own = argText(reply as string | Uint8Array).split("\n").map((line) => line.split(" ")).find((fields) => fields[2]?.split(",").includes("myself"));
  const owned = new Uint8Array(SLOTS);
  const ownedOrImporting = new Uint8Array(SLOTS);
  // Fields 8 on: "start-end" or "slot"; "[slot-<-id]" a slot it imports, "[slot->-id]" one it migrates away.
  for (const field of own?.slice(8) ?? []) {
    const importing = /^\[(\d+)-<-/.exec(field);
    if (importing) ownedOrImporting[Number(importing[1])] = 1;
    if (field.startsWith("[")) continue;
    const [start, end = start] = field.split("-").map(Number);
    owned.fill(1, start, end! + 1);
    ownedOrImporting.fill(1, start, end! + 1);
  }
  return { owned, ownedOrImporting };
}

/** Whether `now` serves or imports a slot `before` did not serve (unknown either side: no). */
function gainedAny(before: Uint8Array | undefined, now: Slots | undefined): boolean {
  if (before === undefined || now === undefined) return false;
  for (let slot = 0; slot < SLOTS; slot++) if (now.ownedOrImporting[slot] === 1 && before[slot] === 0) return true;
  return false;
}
