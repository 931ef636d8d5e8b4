/**
 * `SCAN` over every master of a cluster. One master's `SCAN` returns the keys it holds while the
 * scan runs; a key that moves during resharding from a master not scanned yet onto one already
 * scanned would be returned by neither. So each master's slots are read (its own line of `CLUSTER
 * NODES`) as its scan begins, and once every master was scanned, a master that now serves a slot
 * it did not then is scanned again — `SCAN` may return a key twice, never leave out one that was
 * there from start to end. Masters are listed again for each pass (a promoted replica is new).
 * Not seen: a slot still half-migrated when the last pass ends (its moved keys are on a master
 * that does not serve it yet), and more than {@link MAX_PASSES} passes of moves.
 * @module
 */
import type { ScanOptions } from "../client/scan.ts";
import { argText } from "../commands/text.ts";
import type { CommandOptions } from "../conn/command.ts";
import { RedisError } from "../errors.ts";
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
  /** The slots each master served as its last scan began (`undefined`: it would not say). */
  const began = new Map<string, Uint8Array | undefined>();
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let scanned = false;
    for (const master of await masters()) {
      const node = view ? master.with(view) : master;
      const slots = await servedSlots(node);
      if (began.has(master.address) && !gainedAny(began.get(master.address), slots)) continue;
      began.set(master.address, slots);
      scanned = true;
      yield* node.scanIterator(scan);
    }
    if (!scanned) return;
  }
}

/** The slots `node` says it serves (its `myself` line of `CLUSTER NODES`), or `undefined` if it refuses to say (ACL). */
async function servedSlots(node: NodeClient): Promise<Uint8Array | undefined> {
  let reply;
  try {
    reply = await node.send(["CLUSTER", "NODES"]);
  } catch (err) {
    if (err instanceof RedisError) return undefined; // NOPERM: scanned once, as without this check
    throw err;
  }
  const own = argText(reply as string | Uint8Array).split("\n").map((line) => line.split(" ")).find((fields) => fields[2]?.split(",").includes("myself"));
  const slots = new Uint8Array(SLOTS);
  // Fields 8 on: "start-end" or "slot"; "[slot->-id]" / "[slot-<-id]" mark migrations, not ownership.
  for (const range of own?.slice(8) ?? []) {
    if (range.startsWith("[")) continue;
    const [start, end = start] = range.split("-").map(Number);
    slots.fill(1, start, end! + 1);
  }
  return slots;
}

/** Whether `now` has a slot `before` had not (unknown either side: no). */
function gainedAny(before: Uint8Array | undefined, now: Uint8Array | undefined): boolean {
  if (before === undefined || now === undefined) return false;
  for (let slot = 0; slot < SLOTS; slot++) if (now[slot] === 1 && before[slot] === 0) return true;
  return false;
}
