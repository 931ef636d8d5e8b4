/**
 * Routing by slot, and the redirections of the cluster protocol
 * (redis.io/docs/reference/cluster-spec, "Redirection and resharding"):
 *
 * - `MOVED slot host:port`: the slot lives elsewhere now. The command did not run; it goes to the
 *   named node at once, the slot is pointed there, and a topology refresh is requested.
 * - `ASK slot host:port`: the slot is migrating and this key already moved. `ASKING` and the
 *   command go to the target written contiguously (ASKING holds for the next command only).
 * - `TRYAGAIN` (a multi-key command during a migration) and `CLUSTERDOWN`: sent again after a
 *   jittered backoff, within the command's own deadline.
 * - a node connection closed before the command was written (the node left the topology, or gave
 *   up reconnecting): routed again by the current slot map.
 *
 * Every hop counts against `maxRedirections`; past it the command rejects with a `LimitError`
 * that quotes the last redirection. Commands with no node yet (before the first topology, or for a
 * slot no shard serves) wait in a queue bounded by `maxPending`.
 * @module
 */
import type { ClientCache } from "../cache/cache.ts";
import { backoffDelay } from "../conn/backoff.ts";
import { Command } from "../conn/command.ts";
import { ClosedError, LimitError, TimeoutError, type RedisError } from "../errors.ts";
import { Queue } from "../conn/queue.ts";
import { CommandEncoder } from "../resp/encode.ts";
import { type ClusterCommand, ClusterCommandFactory, type Redirector, type Route } from "./command.ts";
import { clusterCache } from "./cache.ts";
import { refreshCandidates, TopologyReader } from "./discover.ts";
import { ClusterNode, type NodeSettings } from "./node.ts";
import type { ResolvedClusterOptions } from "./options.ts";
import { parseRedirect, tooManyRedirections } from "./redirect.ts";
import { Refresher, type RefreshOutcome } from "./refresh.ts";
import { routeBySlotMap, type RoutedShard } from "./routing-table.ts";
import { SLOTS } from "./slot.ts";
import { addressOf, type NodeSpec, type SlotMap } from "./topology.ts";

/** What the router reports to its client. */
export interface RouterEvents {
  error(err: Error): void;
  topology(map: SlotMap): void;
}

/** Backoff of `TRYAGAIN`/`CLUSTERDOWN` retries and of re-routes while the topology has not changed. */
const RETRY_BACKOFF = { initialDelay: 20, maxDelay: 500, maxAttempts: Infinity };

const ignore = () => {};

/** Routes commands to cluster nodes and follows redirections. */
export class Router implements Redirector {
  readonly options: ResolvedClusterOptions;
  readonly factory: ClusterCommandFactory;
  /** The client-side cache (option `cache`), fed by every node's multiplexed connection. */
  readonly cache: ClientCache | undefined;
  /** The slot map last applied (with `MOVED` corrections since), or undefined before the first. */
  map: SlotMap | undefined;
  readonly #events: RouterEvents;
  readonly #settings: NodeSettings;
  readonly #reader: TopologyReader;
  readonly #refresher: Refresher;
  readonly #bySlot: Array<RoutedShard | undefined> = new Array(SLOTS).fill(undefined);
  readonly #nodes = new Map<string, ClusterNode>();
  /** Commands no node can take yet. */
  #waiting = new Queue<ClusterCommand>();
  /** Commands sleeping before a retry, so close() can settle them. */
  readonly #sleeping = new Map<ClusterCommand, ReturnType<typeof setTimeout>>();
  #mapWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  #closing = false;

  constructor(options: ResolvedClusterOptions, events: RouterEvents) {
    this.options = options;
    this.#events = events;
    const { connection } = options;
    this.factory = new ClusterCommandFactory(connection.commandTimeout, connection.decode === "bytes", connection.hooks, this);
    this.cache = clusterCache(options, this.factory);
    this.#settings = {
      connection,
      reconnect: options.reconnect,
      maxPending: options.maxPending,
      maxBlockingConnections: options.maxBlockingConnections,
      readonly: options.readFrom !== "master",
      cache: this.cache,
      onError: (_node, err) => {
        events.error(err);
        this.#refresher.request(); // a lost node may be a failover starting
      },
    };
    this.#reader = new TopologyReader(connection, options.addressMap);
    this.#refresher = new Refresher(() => this.#refresh(), options.refreshInterval, options.reconnect);
    this.#refresher.request();
  }

  /** Whether `close()` was called. */
  get closing(): boolean {
    return this.#closing;
  }

  /** Every node of the current topology (and any a `MOVED` named since). */
  get nodes(): ClusterNode[] {
    return [...this.#nodes.values()];
  }

  /** Whether `node` is still part of the topology (not closed for having left it). */
  knows(node: ClusterNode): boolean {
    return this.#nodes.get(node.address) === node;
  }

  /** Ask for a topology refresh (coalesced and rate-limited). */
  refresh(): void {
    this.#refresher.request();
  }

  /** Resolves once a slot map is known; rejects on close or after `timeoutMs` (0: no limit). */
  whenMapped(timeoutMs: number): Promise<void> {
    if (this.map) return Promise.resolve();
    if (this.#closing) return Promise.reject(new ClosedError("the cluster client is closed"));
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#mapWaiters.push(waiter);
      if (timeoutMs <= 0) return;
      const timer = setTimeout(() => {
        this.#mapWaiters = this.#mapWaiters.filter((w) => w !== waiter);
        reject(new TimeoutError(`no cluster topology within ${timeoutMs} ms (seeds: ${this.options.seeds.map(addressOf).join(", ")})`));
      }, timeoutMs);
      waiter.resolve = () => (clearTimeout(timer), resolve());
      waiter.reject = (err) => (clearTimeout(timer), reject(err));
    });
  }

  /** The node that serves `route` now, or undefined when no shard serves its slot. */
  nodeFor(route: Route): ClusterNode | undefined {
    const shard = this.#bySlot[route.slot < 0 ? 0 : route.slot] ?? (route.slot < 0 ? this.#anyShard() : undefined);
    if (!shard) return undefined;
    if (!route.readonly || this.options.readFrom === "master" || shard.replicas.length === 0) return shard.master;
    const replica = shard.replicas[shard.next++ % shard.replicas.length]!;
    if (this.options.readFrom === "prefer-replica" && !replica.ready) {
      void replica.shared; // connect it, so that later reads can use it
      return shard.master;
    }
    return replica;
  }

  /** The master serving `slot` now. */
  masterOf(slot: number): ClusterNode | undefined {
    return this.#bySlot[slot]?.master;
  }

  /** Send `cmd` to the node serving its route, or hold it until one does. */
  dispatch(cmd: ClusterCommand): void {
    if (cmd.state === "done") return;
    const node = this.nodeFor(cmd.route);
    if (node) {
      cmd.node = node;
      return node.write(cmd);
    }
    if (this.#closing) return cmd.fail(new ClosedError(`${cmd.name} not sent: the cluster client is closed`));
    if (this.#waiting.length >= this.options.maxPending) {
      return cmd.fail(new LimitError("maxPending", `${cmd.name} refused: ${this.options.maxPending} commands already wait for the cluster topology (maxPending)`));
    }
    this.#waiting.push(cmd);
    this.#refresher.request();
  }

  redirect(cmd: ClusterCommand, error: RedisError): boolean {
    if (this.#closing) return false;
    if (cmd.hops >= this.options.maxRedirections) {
      cmd.fail(tooManyRedirections(cmd.name, cmd.hops, error));
      return true;
    }
    cmd.hops++;
    cmd.state = "queued";
    cmd.together = undefined; // an ASK's pairing with ASKING held for that one write
    if (error.code === "MOVED" || error.code === "ASK") {
      const target = this.redirectTarget(error.message, cmd.node);
      if (!target) return this.#retryLater(cmd, true);
      if (error.code === "ASK") return this.#asking(target, cmd);
      this.moved(parseRedirect(error.message).slot, target);
      cmd.node = target;
      target.write(cmd);
      return true;
    }
    return this.#retryLater(cmd, error.code === "CLUSTERDOWN");
  }

  reroute(cmd: ClusterCommand, _error: Error): boolean {
    if (this.#closing || cmd.hops >= this.options.maxRedirections) return false;
    cmd.hops++;
    cmd.together = undefined;
    const node = cmd.node;
    // Its node left the topology: the map already says where to go. Else wait for a refresh.
    if (node && !this.knows(node)) {
      this.dispatch(cmd);
      return true;
    }
    return this.#retryLater(cmd, true);
  }

  /** Close every node; commands waiting for a node or a retry reject with `ClosedError`. */
  async close(timeoutMs: number): Promise<void> {
    this.#closing = true;
    this.#refresher.close();
    const closed = new ClosedError("the cluster client was closed before the command could be sent");
    for (const waiter of this.#mapWaiters.splice(0)) waiter.reject(closed);
    for (let cmd = this.#waiting.shift(); cmd; cmd = this.#waiting.shift()) cmd.fail(closed);
    for (const [cmd, timer] of this.#sleeping) {
      clearTimeout(timer);
      cmd.fail(closed);
    }
    this.#sleeping.clear();
    await Promise.all(this.nodes.map((node) => node.close(timeoutMs)));
    this.factory.deadlines.clear();
  }

  /** Point `slot` (as a `MOVED` names it) at `target`'s shard until the next refresh says more. */
  moved(slot: number, target: ClusterNode): void {
    if (!(slot >= 0 && slot < SLOTS) || !this.map) return;
    this.map = this.map.withSlot(slot, { host: target.host, port: target.port, address: target.address, role: "master", readable: true });
    this.#bySlot[slot] = this.#bySlot.find((s) => s?.master === target) ?? { master: target, replicas: [], next: 0 };
    this.#refresher.request();
  }

  /** `ASKING` and the command, written together on the target's connection (or queued there together). */
  #asking(target: ClusterNode, cmd: ClusterCommand): boolean {
    const asking = new Command(["ASKING"], false, 0);
    asking.promise.catch(ignore); // its failure shows in the command's own reply
    const encoder = new CommandEncoder();
    encoder.encode(asking.args);
    encoder.encode(cmd.args);
    const group = [asking, cmd];
    asking.together = cmd.together = group;
    cmd.node = target;
    target.shared.writeTogether(group, encoder.take());
    return true;
  }

  /** Send `cmd` again after a backoff (asking for a refresh first when the topology may be stale). */
  #retryLater(cmd: ClusterCommand, refresh: boolean): boolean {
    if (refresh) this.#refresher.request();
    const timer = setTimeout(() => {
      this.#sleeping.delete(cmd);
      this.dispatch(cmd);
    }, backoffDelay(RETRY_BACKOFF, cmd.hops));
    this.#sleeping.set(cmd, timer);
    cmd.promise.then(ignore, ignore).finally(() => {
      // Settled while asleep (deadline, abort): no need to wake it.
      const pending = this.#sleeping.get(cmd);
      if (pending === timer) {
        clearTimeout(timer);
        this.#sleeping.delete(cmd);
      }
    });
    return true;
  }

  /** The node a `MOVED`/`ASK` reply names (an empty host means the host of `from`, the node that replied). */
  redirectTarget(message: string, from: ClusterNode | undefined): ClusterNode | undefined {
    const { target } = parseRedirect(message);
    const host = target?.host || from?.host;
    if (!target || !host) return undefined;
    const reachable = this.options.addressMap({ host, port: target.port });
    return this.#node({ ...reachable, address: addressOf(reachable), role: "master", readable: true });
  }

  #node(spec: NodeSpec): ClusterNode {
    let node = this.#nodes.get(spec.address);
    if (!node) this.#nodes.set(spec.address, (node = new ClusterNode(spec, this.#settings)));
    return node;
  }

  #anyShard(): RoutedShard | undefined {
    return this.#bySlot.find((s) => s !== undefined);
  }

  /** Read the topology from the first node that answers and apply it. */
  async #refresh(): Promise<RefreshOutcome> {
    let map: SlotMap;
    try {
      map = await this.#reader.read(refreshCandidates(this.#nodes, this.options));
    } catch (err) {
      if (!this.#closing) this.#events.error(err as Error);
      return "failed";
    }
    if (this.#closing) return "ok";
    this.#apply(map);
    // A master we cannot reach may be failing over: look again soon rather than in refreshInterval.
    return map.shards.some((s) => this.#nodes.get(s.master.address)?.stats().state === "reconnecting") ? "again" : "ok";
  }

  /** Route by `map` from now on: connect new nodes lazily, close nodes that left, release waiting commands. */
  #apply(map: SlotMap): void {
    this.map = map;
    routeBySlotMap(map, this.#bySlot, this.#nodes, (spec) => this.#node(spec));
    for (const waiter of this.#mapWaiters.splice(0)) waiter.resolve();
    const waiting = this.#waiting;
    this.#waiting = new Queue();
    for (let cmd = waiting.shift(); cmd; cmd = waiting.shift()) this.dispatch(cmd);
    this.#events.topology(map);
  }
}
