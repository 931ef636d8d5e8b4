/**
 * What a cluster client lends to run on one node rather than by each command's slot: a dedicated
 * connection of the master of a key's slot (`isolated(key, fn)`), that master's node client for an
 * optimistic transaction (`watch()`), a client per node (`nodes()`), and `SCAN` over every master.
 * Apart from client.ts, which routes each command by its key, because these wait for the topology
 * and hand out a node as a whole.
 * @module
 */
import type { CommandApi } from "../client/api.ts";
import type { MultiResults } from "../client/batch.ts";
import type { ScanOptions } from "../client/scan.ts";
import type { Key } from "../client/spec.ts";
import { watchTransaction, type WatchBody, type WatchOptions } from "../client/watch.ts";
import { prefixKeys } from "../commands/prefix.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { CommandFactory } from "../conn/factory.ts";
import { ClosedError } from "../errors.ts";
import { nodeForRoute, sharedSlot } from "./follow.ts";
import type { ClusterNode } from "./node.ts";
import { NodeClient } from "./node-client.ts";
import { scanMasters } from "./scan.ts";
import type { Router } from "./router.ts";

/**
 * Nodes of one cluster client, lent whole.
 *
 * @example
 * ```ts
 * const lending = new NodeLending(router, plain, () => closing);
 * await lending.isolated(keySlot("{acct:7}:balance"), (c) => c.get("{acct:7}:balance"));
 * ```
 */
export class NodeLending {
  readonly #router: Router;
  /** Plain commands (a node client's: a `MOVED` reply is the caller's to read), with the client's `keyPrefix`. */
  readonly #plain: CommandFactory;
  readonly #closing: () => boolean;

  constructor(router: Router, plain: CommandFactory, closing: () => boolean) {
    this.#router = router;
    this.#plain = plain;
    this.#closing = closing;
  }

  /** Run `fn` on a dedicated connection of the master of `slot`, once the topology names one. */
  async isolated<T>(slot: number, fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    return (await this.#masterOf(slot)).dedicated.isolated(fn);
  }

  /** `WATCH keys`, `fn`, `MULTI ... EXEC` on the master of the keys' one slot, through a node client (with `view`'s options). */
  async watch<T extends unknown[]>(keys: Key | readonly Key[], fn: WatchBody<T>, watch?: WatchOptions, view?: CommandOptions): Promise<MultiResults<T>> {
    if (this.#closing()) throw new ClosedError("watch() refused: the cluster client is closed");
    const slot = sharedSlot((Array.isArray(keys) ? keys : [keys as Key]).map((key) => prefixKeys(["EXISTS", key], this.#plain.keyPrefix)[1]!));
    const client = new NodeClient(await this.#masterOf(slot), this.#plain, this.#closing);
    return watchTransaction(view ? client.with(view) : client, keys, fn, watch);
  }

  /** A client per node with `role` in the current topology, once there is one. */
  async clients(role: "master" | "replica" | "all"): Promise<NodeClient[]> {
    if (this.#closing()) throw new ClosedError("nodes() refused: the cluster client is closed");
    await this.#router.whenMapped(this.#router.options.connection.commandTimeout);
    const specs = this.#router.map!.nodes().filter((n) => role === "all" || n.role === role);
    const byAddress = new Map(this.#router.nodes.map((node) => [node.address, node]));
    return specs.flatMap((spec) => {
      const node = byAddress.get(spec.address);
      return node ? [new NodeClient(node, this.#plain, this.#closing)] : [];
    });
  }

  /** `SCAN` every master in turn, again those that took over slots meanwhile (with `view`'s options; see scan.ts). */
  scan(scan: ScanOptions & { type?: string }, view?: CommandOptions): AsyncGenerator<string> {
    return scanMasters(() => this.clients("master"), scan, view);
  }

  /** The master of `slot`, waiting for the topology at most `commandTimeout`. */
  #masterOf(slot: number): Promise<ClusterNode> {
    const timeout = this.#router.options.connection.commandTimeout;
    return nodeForRoute(this.#router, { slot, readonly: false, blocking: undefined, dedicated: false }, timeout > 0 ? Date.now() + timeout : 0);
  }
}
