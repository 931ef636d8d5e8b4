/**
 * Commands that do not ride a node's multiplexed connection as a {@link ClusterCommand} —
 * transactions and blocking commands — and so follow the cluster's redirections themselves:
 * `MOVED` points the slot at its new owner and goes there, `ASK` sends `ASKING` first on the same
 * dedicated connection, `TRYAGAIN`/`CLUSTERDOWN` wait a jittered backoff; all within the command's
 * deadline and `maxRedirections`.
 * @module
 */
import type { Cmd } from "../client/spec.ts";
import { blockingDeadline } from "../conn/blocking.ts";
import { commandName } from "../commands/lookup.ts";
import { prefixKeys } from "../commands/prefix.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { CommandFactory } from "../conn/factory.ts";
import { prepareTransaction } from "../conn/transaction.ts";
import { ClosedError, RedisError, TimeoutError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { Route } from "./command.ts";
import type { ClusterNode } from "./node.ts";
import { keysOf } from "./route.ts";
import { isRedirect, parseRedirect, tooManyRedirections } from "./redirect.ts";
import type { Router } from "./router.ts";
import { keySlot } from "./slot.ts";

/** The node for `route` once the topology is known, waiting for it until `deadline` (0: none). */
export async function nodeForRoute(router: Router, route: Route, deadline: number): Promise<ClusterNode> {
  for (let attempt = 1; ; attempt++) {
    await router.whenMapped(left(deadline));
    const node = router.nodeFor(route);
    if (node) return node;
    if (deadline !== 0 && Date.now() >= deadline) throw new TimeoutError(`no node serves slot ${route.slot}`);
    router.refresh();
    await sleep(Math.min(50 * attempt, 500));
  }
}

/**
 * `MULTI ... EXEC` on the master of the one slot all its keys hash to (a `CROSSSLOT` `RedisError`
 * before anything is written when they span several). A transaction refused because its slot
 * moved — its commands answered `MOVED`/`ASK`, EXEC `EXECABORT`, so nothing ran — is sent again.
 */
export async function runClusterTransaction(
  router: Router,
  factory: CommandFactory,
  commands: readonly Cmd<unknown>[],
  options?: CommandOptions,
): Promise<unknown[] | null> {
  const argLists = commands.map((c) => (factory.keyPrefix ? prefixKeys(c.args, factory.keyPrefix) : c.args));
  const slot = sharedSlot(argLists.flatMap(keysOf));
  // Its commands are created once the slot's node is known, a microtask or more from now: their
  // keys' cached entries go now, so a read issued after this call is not answered from memory.
  // (Created, they drop them again when EXEC is answered, see CommandFactory.createTogether.)
  for (const args of argLists) factory.watcher?.watch(args);
  const timeout = options?.timeout ?? router.options.connection.commandTimeout;
  const deadline = timeout > 0 ? Date.now() + timeout : 0;
  for (let hop = 0; ; hop++) {
    const node = await nodeForRoute(router, { slot, readonly: false, blocking: undefined, dedicated: false }, deadline);
    const tx = prepareTransaction(commands, "shared", factory, { ...options, timeout: left(deadline) });
    node.shared.writeTogether(tx.commands, tx.bytes);
    let result: unknown[] | null;
    try {
      result = await tx.result;
    } catch (err) {
      // Its node's connection closed before writing it (the node left the topology): it did not run.
      if (!(err instanceof ClosedError) || router.closing || hop >= router.options.maxRedirections) throw err;
      await sleep(Math.min(20 * 2 ** hop, 500));
      continue;
    }
    const redirect = result?.find(isRedirect);
    if (!redirect) return result;
    if (hop >= router.options.maxRedirections) throw tooManyRedirections("MULTI", hop, redirect);
    await follow(router, redirect, node, hop); // ASK too: ASKING would cover MULTI only, so wait for the move
  }
}

/** A blocking command on a dedicated connection of its slot's master, following redirections. */
export async function sendBlocking(router: Router, args: readonly Arg[], route: Route, options?: CommandOptions): Promise<RespValue> {
  const timeout = options?.timeout ?? blockingDeadline(route.blocking!);
  const deadline = timeout > 0 ? Date.now() + timeout : 0;
  let node = await nodeForRoute(router, route, deadline);
  let asking = false;
  for (let hop = 0; ; hop++) {
    const sendOptions = { ...options, timeout: left(deadline) };
    try {
      if (!asking) return await node.dedicated.send(args, sendOptions);
      return await node.dedicated.isolated(async (c) => {
        await c.send(["ASKING"]);
        return c.send(args, sendOptions);
      });
    } catch (err) {
      if (!isRedirect(err)) throw err;
      if (hop >= router.options.maxRedirections) throw tooManyRedirections(commandName(args), hop, err);
      const target = await follow(router, err, node, hop);
      asking = err.code === "ASK" && target !== undefined;
      node = target ?? (await nodeForRoute(router, route, deadline));
    }
  }
}

/** `MOVED` points the slot at its new owner (returned), `ASK` returns its target, the rest wait a backoff. */
async function follow(router: Router, error: RedisError, from: ClusterNode, hop: number): Promise<ClusterNode | undefined> {
  if (error.code === "MOVED" || error.code === "ASK") {
    const target = router.redirectTarget(error.message, from);
    if (target && error.code === "MOVED") router.moved(parseRedirect(error.message).slot, target);
    if (target) return target;
  }
  router.refresh();
  await sleep(Math.min(20 * 2 ** hop, 500) * (0.5 + Math.random() / 2));
  return undefined;
}

/** Time left until `deadline`, ms (0: no deadline; at least 1 otherwise, so a late call times out rather than waits forever). */
function left(deadline: number): number {
  return deadline === 0 ? 0 : Math.max(1, deadline - Date.now());
}

/** The one slot every key hashes to (-1 for none); a `CROSSSLOT` error when they span several. */
export function sharedSlot(keys: readonly Arg[]): number {
  let slot = -1;
  for (const key of keys) {
    const s = keySlot(key);
    if (slot === -1) slot = s;
    else if (s !== slot) throw new RedisError("CROSSSLOT Keys in request don't hash to the same slot (checked before sending: use a {hash tag})");
  }
  return slot;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
