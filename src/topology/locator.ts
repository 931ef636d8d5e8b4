/**
 * Where connections go. The multiplexer, its subscriber and the pool ask a {@link Locator} for a
 * connection on every (re)connect and never know which kind they have: a fixed address
 * (standalone, with optional fixed replicas), or Redis Sentinel, which asks the sentinels and
 * follows failovers (sentinel.ts).
 * @module
 */
import type { Connection, ConnectionHooks } from "../conn/connection.ts";
import { openConnection } from "../conn/open.ts";
import { describeAddress, type ResolvedConnectionOptions } from "../conn/options.ts";
import type { RedisError } from "../errors.ts";
import { NoNodeError, openFirst } from "./open-first.ts";
import type { NodeAddress, ResolvedTopology } from "./options.ts";
import { SentinelLocator } from "./sentinel.ts";

/**
 * What a connection is for: writes (and reads by default) go to the master, `readFrom` reads to a replica.
 *
 * @example
 * ```ts
 * await locator.open("replica" satisfies Role, hooks);
 * ```
 */
export type Role = "master" | "replica";

/**
 * The master moved (a failover): connections to `from` are to be let go. The payload of the
 * `failover` event of clients and pools.
 *
 * @example
 * ```ts
 * redis.on("failover", ({ name, from, to }) => console.log(`${name}: ${from} -> ${to}`));
 * ```
 */
export interface MasterSwitch {
  /** The master's name under Sentinel. */
  name: string;
  /** Old and new master, `host:port`. */
  from: string;
  to: string;
}

/**
 * Answers "where is the master / a replica" and opens connections there.
 *
 * @example
 * ```ts
 * const locator = createLocator(options.connection, topology);
 * const conn = await locator.open("master", hooks, signal);
 * const stop = locator.onSwitch(({ to }) => console.log(`the master is now ${to}`));
 * ```
 */
export interface Locator {
  /** For messages: where connections go (`host:port`, or the master's name and its sentinels). */
  readonly address: string;
  /** Open a connection to a node of `role`, with the handshake done (and, under Sentinel, its role checked). */
  open(role: Role, hooks: ConnectionHooks, signal?: AbortSignal): Promise<Connection>;
  /** Whether `conn`, opened for `role`, now goes to the wrong node (the master moved). */
  isStale(conn: Connection, role: Role): boolean;
  /**
   * Whether an error reply on a connection of `role` says it goes to the wrong node, so it is to
   * be replaced: under Sentinel `READONLY` (a demoted master), `LOADING`, `MASTERDOWN`,
   * `UNBLOCKED` (and the locator checks where the master is now); on a fixed replica `LOADING`
   * and `MASTERDOWN` (the next replica may serve).
   */
  shouldReplace(err: RedisError, role: Role): boolean;
  /** Whether `err`, a failed `open()`, means no node of that role exists to try (no replica): waiting will not help now. */
  isNoneLeft(err: Error): boolean;
  /** Call `listener` when the master moves; returns a function that stops it. */
  onSwitch(listener: (change: MasterSwitch) => void): () => void;
  /** Stop watching (the sentinel connections); later `open()` calls reject. */
  close(): Promise<void>;
}

/**
 * The locator for `connection` and `topology`: fixed, or Sentinel.
 *
 * @example
 * ```ts
 * createLocator(resolveConnectionOptions("redis://localhost:6379"), { sentinel: undefined, replicas: [], readFrom: "master" });
 * ```
 */
export function createLocator(connection: ResolvedConnectionOptions, topology: ResolvedTopology): Locator {
  return topology.sentinel ? new SentinelLocator(connection, topology.sentinel) : new FixedLocator(connection, topology.replicas);
}

/**
 * A fixed master (the connection options' address) and fixed replicas, tried in turn.
 *
 * @example
 * ```ts
 * const locator = new FixedLocator(resolveConnectionOptions("redis://primary:6379"), [{ host: "replica", port: 6379 }]);
 * ```
 */
export class FixedLocator implements Locator {
  readonly address: string;
  readonly #connection: ResolvedConnectionOptions;
  readonly #replicas: NodeAddress[];
  /** The replica to try first next time (round robin over the list). */
  #next = 0;

  constructor(connection: ResolvedConnectionOptions, replicas: NodeAddress[] = []) {
    this.#connection = connection;
    this.#replicas = replicas;
    this.address = describeAddress(connection);
  }

  open(role: Role, hooks: ConnectionHooks, signal?: AbortSignal): Promise<Connection> {
    if (role === "master") return openConnection(this.#connection, hooks, signal);
    return openFirst(this.#replicas, this.#next++, this.#connection, hooks, signal, "replica");
  }

  isStale(): boolean {
    return false;
  }

  shouldReplace(err: RedisError, role: Role): boolean {
    // A fixed master stays where it is: reconnecting to it would not help. A replica that is
    // still loading, or cut off from its master, can be swapped for another one.
    return role === "replica" && (err.code === "LOADING" || err.code === "MASTERDOWN");
  }

  isNoneLeft(err: Error): boolean {
    return err instanceof NoNodeError;
  }

  onSwitch(): () => void {
    return () => {};
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
