/**
 * The Sentinel locator. Every connection asks the sentinels where the master is
 * (`SENTINEL GET-MASTER-ADDR-BY-NAME`, the sentinels in order, the one that answered moved to the
 * front), connects there and checks `ROLE`: a demoted master that a sentinel still names during a
 * failover is refused, and the caller's reconnect policy tries again. A `+switch-master`
 * subscription, `READONLY`/`LOADING`/`MASTERDOWN` replies and a master that differs from the last
 * one found all report the switch, so every connection to the old master is let go.
 * @module
 */
import { Command } from "../conn/command.ts";
import type { Connection, ConnectionHooks } from "../conn/connection.ts";
import { guarded } from "../conn/hooks.ts";
import { openConnection } from "../conn/open.ts";
import { describeAddress, type ResolvedConnectionOptions } from "../conn/options.ts";
import { ClosedError, ConnectionError, RedisError } from "../errors.ts";
import type { RespValue } from "../resp/types.ts";
import type { Locator, MasterSwitch, Role } from "./locator.ts";
import { NoNodeError, openFirst } from "./open-first.ts";
import type { NodeAddress, ResolvedSentinel } from "./options.ts";
import { SentinelWatch } from "./sentinel-watch.ts";
import { fieldsOf, Sentinels } from "./sentinels.ts";

/** Error replies that mean "this node is not (or not yet) what you connected to it for". */
const WRONG_NODE = new Set(["READONLY", "LOADING", "MASTERDOWN", "UNBLOCKED"]);
/**
 * How long an address a switch left behind is not taken from a sentinel as the master: sentinels
 * learn of a failover from each other (every 2 s by default), so for a moment one that has not
 * yet still names the old master, and following it would move everyone back.
 */
const DEMOTED_FOR_MS = 60_000;
/** Replica flags that rule it out for reads. */
const UNHEALTHY = /(^|,)(s_down|o_down|disconnected)(,|$)/;

/**
 * Finds the master (and replicas) of one name through its sentinels, and follows failovers.
 *
 * @example
 * ```ts
 * const locator = new SentinelLocator(dataOptions, { name: "mymaster", sentinels: [{ host: "s1", port: 26379 }], ... });
 * const conn = await locator.open("master", {});
 * ```
 */
export class SentinelLocator implements Locator {
  readonly address: string;
  readonly #data: ResolvedConnectionOptions;
  readonly #name: string;
  readonly #sentinels: Sentinels;
  readonly #watch: SentinelWatch;
  readonly #listeners = new Set<(change: MasterSwitch) => void>();
  /** Where the master was last found or announced. */
  #master: NodeAddress | undefined;
  /** Old masters (`host:port`) a switch left behind, until when they are not believed to be the master. */
  readonly #demoted = new Map<string, number>();
  /** The discovery under way: concurrent connects share it. */
  #asking: Promise<NodeAddress> | undefined;
  #replicaTurn = 0;
  #closed = false;

  constructor(data: ResolvedConnectionOptions, sentinel: ResolvedSentinel) {
    this.#data = data;
    this.#name = sentinel.name;
    this.#sentinels = new Sentinels(sentinel, data);
    this.#watch = new SentinelWatch(this.#sentinels, sentinel.name, {
      switched: (to) => this.#found(to),
      subscribed: () => {
        if (this.#master) void this.#locateMaster().catch(() => {}); // switches missed while deaf
      },
    });
    this.address = `"${sentinel.name}" via sentinels ${sentinel.sentinels.map((s) => describeAddress({ ...s, path: undefined, tls: sentinel.tls })).join(", ")}`;
  }

  async open(role: Role, hooks: ConnectionHooks, signal?: AbortSignal): Promise<Connection> {
    if (this.#closed) throw new ClosedError(`not connected: the client of "${this.#name}" is closed`);
    this.#watch.start();
    if (role === "replica") {
      const replicas = await this.#locateReplicas(signal);
      return openFirst(replicas, this.#replicaTurn++, this.#data, hooks, signal, `replica of "${this.#name}"`, (conn) => this.#checkRole(conn, "replica"));
    }
    const master = await this.#locateMaster(signal);
    const conn = await openConnection(this.#at(master), hooks, signal);
    try {
      await this.#checkRole(conn, "master");
    } catch (err) {
      conn.destroy();
      throw err;
    }
    return conn;
  }

  isStale(conn: Connection, role: Role): boolean {
    if (!this.#master) return false;
    const master = describeAddress(this.#at(this.#master));
    return role === "master" ? conn.address !== master : conn.address === master;
  }

  shouldReplace(err: RedisError): boolean {
    if (!WRONG_NODE.has(err.code)) return false;
    if (!this.#closed) void this.#locateMaster().catch(() => {}); // the sentinels may know the new master already
    return true;
  }

  isNoneLeft(err: Error): boolean {
    return err instanceof NoNodeError;
  }

  onSwitch(listener: (change: MasterSwitch) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#watch.close();
    this.#sentinels.close();
    return Promise.resolve();
  }

  /** The data nodes' options, at `node`. */
  #at(node: NodeAddress): ResolvedConnectionOptions {
    return { ...this.#data, host: node.host, port: node.port, path: undefined };
  }

  /** Ask the sentinels where the master is (one question at a time for everyone who asks meanwhile). */
  #locateMaster(signal?: AbortSignal): Promise<NodeAddress> {
    this.#asking ??= this.#sentinels
      .ask(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", this.#name], (reply) => {
        if (!Array.isArray(reply) || reply.length < 2) {
          throw new ConnectionError(`the sentinel does not know a master named "${this.#name}"`);
        }
        const named = { host: String(reply[0]), port: Number(reply[1]) };
        const key = `${named.host}:${named.port}`;
        if ((this.#demoted.get(key) ?? 0) > Date.now()) {
          throw new ConnectionError(`the sentinel still names ${key}, the master before the last failover (it has not heard of it yet)`);
        }
        return named;
      })
      .then((master) => {
        this.#found(master);
        void this.#learnSentinels();
        return master;
      })
      .finally(() => (this.#asking = undefined));
    return signal ? abortable(this.#asking, signal) : this.#asking;
  }

  /** The master is at `master`: when it was elsewhere before, tell everyone to let go of the old one. */
  #found(master: NodeAddress): void {
    const before = this.#master;
    this.#master = master;
    if (!before || (before.host === master.host && before.port === master.port) || this.#closed) return;
    const now = Date.now();
    for (const [key, until] of this.#demoted) if (until <= now) this.#demoted.delete(key);
    this.#demoted.delete(`${master.host}:${master.port}`); // a failover back to it is believed
    this.#demoted.set(`${before.host}:${before.port}`, now + DEMOTED_FOR_MS);
    const change: MasterSwitch = { name: this.#name, from: describeAddress(this.#at(before)), to: describeAddress(this.#at(master)) };
    for (const listener of [...this.#listeners]) guarded(() => listener(change));
  }

  /** Sentinels added to the group since the client was configured are asked too. */
  async #learnSentinels(): Promise<void> {
    const found = await this.#sentinels
      .ask(["SENTINEL", "SENTINELS", this.#name], (reply) => (reply as RespValue[]).map(fieldsOf))
      .catch(() => []);
    this.#sentinels.learn(found.filter((f) => f.ip && Number(f.port) > 0).map((f) => ({ host: f.ip!, port: Number(f.port) })));
  }

  /** The replicas the sentinels see healthy (not down, link to the master up). */
  async #locateReplicas(signal?: AbortSignal): Promise<NodeAddress[]> {
    const replicas = await this.#sentinels.ask(
      ["SENTINEL", "REPLICAS", this.#name],
      (reply) => (reply as RespValue[]).map(fieldsOf),
      signal,
    );
    const healthy = replicas.filter((r) => !UNHEALTHY.test(r.flags ?? "") && r["master-link-status"] === "ok");
    if (healthy.length === 0) throw new NoNodeError(`the sentinels know no healthy replica of "${this.#name}"`);
    return healthy.map((r) => ({ host: r.ip!, port: Number(r.port) }));
  }

  /**
   * `ROLE` must say what the sentinels said: during a failover a sentinel may still name the old
   * master, which refuses writes once demoted. A user the ACL denies `ROLE` is taken at its word.
   */
  async #checkRole(conn: Connection, role: Role): Promise<void> {
    const cmd = new Command(["ROLE"], false, this.#data.connectTimeout);
    conn.write(cmd);
    let reply: RespValue;
    try {
      reply = await cmd.promise;
    } catch (err) {
      if (err instanceof RedisError && err.code === "NOPERM") return;
      throw err;
    }
    const said = Array.isArray(reply) ? String(reply[0]) : "";
    const expected = role === "master" ? "master" : "slave";
    if (said !== expected) {
      throw new ConnectionError(
        `${conn.address} is not ${role === "master" ? "the master" : "a replica"} of "${this.#name}": ROLE says ${said || "nothing"} ` +
          "(a failover is under way); the sentinels are asked again",
      );
    }
  }
}

/** `promise`, or a rejection with the signal's reason once `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
