/**
 * The command API of one cluster node, for commands that concern a node rather than a key:
 * `FLUSHALL`, `SCRIPT LOAD`, `INFO`, `DBSIZE`, `SCAN`... Commands go to this node and nowhere
 * else: no slot routing, and a `MOVED` reply is the caller's to read.
 * @module
 */
import { CommandApi } from "../client/api.ts";
import type { Cmd } from "../client/spec.ts";
import { commandName, lookupCommand, needsOwnConnection, refusal } from "../commands/lookup.ts";
import type { CommandOptions } from "../conn/command.ts";
import type { CommandFactory } from "../conn/factory.ts";
import { prepareTransaction } from "../conn/transaction.ts";
import { ClosedError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { ClusterNode } from "./node.ts";

/**
 * One node of a cluster, from `cluster.nodes(role)`.
 *
 * @example
 * ```ts
 * for (const node of await cluster.nodes("master")) await node.send(["FLUSHALL"]);
 * const infos = await Promise.all((await cluster.nodes("all")).map((n) => n.send(["INFO", "replication"])));
 * ```
 */
export class NodeClient extends CommandApi {
  readonly #node: ClusterNode;
  readonly #factory: CommandFactory;
  readonly #closed: () => boolean;

  constructor(node: ClusterNode, factory: CommandFactory, closed: () => boolean) {
    super();
    this.#node = node;
    this.#factory = factory;
    this.#closed = closed;
  }

  /** The node's `host:port`. */
  get address(): string {
    return this.#node.address;
  }

  /** Its role in the topology last read (`role()` asks the node itself). */
  get nodeRole(): "master" | "replica" {
    return this.#node.role;
  }

  send(args: readonly Arg[], options?: CommandOptions): Promise<RespValue> {
    if (this.#closed()) return Promise.reject(new ClosedError(`${commandName(args)} not sent: the cluster client is closed`));
    const info = lookupCommand(args);
    if (info?.rule !== undefined) {
      const refused = refusal(args, "shared", info);
      if (refused) return Promise.reject(refused);
      if (needsOwnConnection(args, info)) return this.#node.dedicated.send(args, options);
    }
    const cmd = this.#factory.create(args, options);
    this.#node.write(cmd);
    return cmd.promise;
  }

  transaction(commands: readonly Cmd<unknown>[], options?: CommandOptions): Promise<unknown[] | null> {
    if (this.#closed()) return Promise.reject(new ClosedError("MULTI not sent: the cluster client is closed"));
    try {
      const tx = prepareTransaction(commands, "shared", this.#factory, options);
      this.#node.shared.writeTogether(tx.commands, tx.bytes);
      return tx.result;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  protected override resolveKeyPrefix(): string {
    return this.#factory.keyPrefix;
  }

  isolated<T>(fn: (connection: CommandApi) => Promise<T>): Promise<T> {
    if (this.#closed()) return Promise.reject(new ClosedError("isolated() refused: the cluster client is closed"));
    return this.#node.dedicated.isolated(fn);
  }
}
