/**
 * Asking the sentinels: in order, on one connection kept open to the sentinel that answered last;
 * the sentinel that answers moves to the front, one that fails keeps its error for the message
 * that names every sentinel when none answers. New sentinels are learnt from `SENTINEL SENTINELS`.
 * @module
 */
import { Command } from "../conn/command.ts";
import type { Connection } from "../conn/connection.ts";
import { openConnection } from "../conn/open.ts";
import { describeAddress, resolveConnectionOptions, type ResolvedConnectionOptions } from "../conn/options.ts";
import { ClosedError, ConnectionError, RedisError } from "../errors.ts";
import type { Arg, RespValue } from "../resp/types.ts";
import type { NodeAddress, ResolvedSentinel } from "./options.ts";

/**
 * The sentinels of one master, and a connection to one of them for questions.
 *
 * @example
 * ```ts
 * const sentinels = new Sentinels(resolved.sentinel, dataOptions);
 * const [host, port] = await sentinels.ask(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"], (r) => r as string[]);
 * ```
 */
export class Sentinels {
  readonly #config: ResolvedSentinel;
  readonly #data: ResolvedConnectionOptions;
  #list: NodeAddress[];
  /** Each sentinel's last error, by `host:port`, for the message when none answers. */
  readonly #errors = new Map<string, Error>();
  #link: { key: string; conn: Connection } | undefined;
  #turn: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(config: ResolvedSentinel, data: ResolvedConnectionOptions) {
    this.#config = config;
    this.#data = data;
    this.#list = [...config.sentinels];
  }

  /** The sentinels, in the order they are asked. */
  get list(): readonly NodeAddress[] {
    return this.#list;
  }

  /**
   * Connection options for `sentinel`: its own credentials and TLS, the data nodes' timeouts,
   * connector and keepalive; no database, no client name, no hooks (its traffic is not the
   * application's).
   */
  options(sentinel: NodeAddress): ResolvedConnectionOptions {
    const d = this.#data;
    return resolveConnectionOptions({
      host: sentinel.host,
      port: sentinel.port,
      username: this.#config.username,
      password: this.#config.password,
      tls: this.#config.tls,
      connectTimeout: d.connectTimeout,
      commandTimeout: d.connectTimeout,
      livenessTimeout: d.livenessTimeout,
      keepAlive: d.keepAlive,
      connector: d.connector,
    });
  }

  /**
   * Ask `args` of each sentinel in turn until one answers with a reply `accept` takes (it throws
   * for one it does not); that sentinel moves to the front. Rejects with a `ConnectionError`
   * naming every sentinel and its last error when none does.
   */
  ask<T>(args: Arg[], accept: (reply: RespValue) => T, signal?: AbortSignal): Promise<T> {
    // One question at a time: they share one connection, and are few (a discovery per reconnect).
    const turn = this.#turn.then(() => this.#askInOrder(args, accept, signal));
    this.#turn = turn.then(() => {}, () => {});
    return turn;
  }

  async #askInOrder<T>(args: Arg[], accept: (reply: RespValue) => T, signal?: AbortSignal): Promise<T> {
    for (const sentinel of [...this.#list]) {
      if (this.#closed) break;
      const key = describeAddress(this.options(sentinel));
      try {
        const answer = accept(await this.#query(sentinel, key, args, signal));
        this.#errors.delete(key);
        this.#list = [sentinel, ...this.#list.filter((s) => s !== sentinel)];
        return answer;
      } catch (err) {
        if (signal?.aborted) throw err;
        this.#errors.set(key, err as Error);
        if (this.#link?.key === key) this.#dropLink();
      }
    }
    if (this.#closed) throw new ClosedError(`${args.slice(0, 2).join(" ")} not sent: the client is closed`);
    throw this.unreachable();
  }

  /** The error when no sentinel answered: each sentinel with its last error. */
  unreachable(): ConnectionError {
    const each = this.#list.map((s) => {
      const key = describeAddress(this.options(s));
      return `${key}: ${this.#errors.get(key)?.message ?? "not asked"}`;
    });
    const last = [...this.#errors.values()].at(-1);
    return new ConnectionError(`no sentinel of "${this.#config.name}" answered (${each.join("; ")})`, { cause: last });
  }

  /** Add sentinels not known yet (from `SENTINEL SENTINELS`), after the known ones. */
  learn(found: readonly NodeAddress[]): void {
    for (const s of found) {
      if (!this.#list.some((k) => k.host === s.host && k.port === s.port)) this.#list.push(s);
    }
  }

  /** Close the question connection; later questions reject. */
  close(): void {
    this.#closed = true;
    this.#dropLink();
  }

  async #query(sentinel: NodeAddress, key: string, args: Arg[], signal?: AbortSignal): Promise<RespValue> {
    let conn = this.#link?.key === key && this.#link.conn.state === "ready" ? this.#link.conn : undefined;
    if (!conn) {
      conn = await openConnection(this.options(sentinel), {}, signal);
      if (this.#closed) {
        conn.destroy();
        throw new ClosedError("the client was closed while asking the sentinels");
      }
      this.#dropLink();
      this.#link = { key, conn };
    }
    const cmd = new Command(args, false, this.#data.connectTimeout, signal);
    conn.write(cmd);
    const reply = await cmd.promise;
    if (reply instanceof RedisError) throw reply;
    return reply;
  }

  #dropLink(): void {
    this.#link?.conn.destroy();
    this.#link = undefined;
  }
}

/**
 * A reply that is a RESP3 map or a RESP2 flat `[key, value, ...]` array, as a record of strings.
 *
 * @example
 * ```ts
 * fieldsOf(["ip", "10.0.0.2", "port", "6379"]); // { ip: "10.0.0.2", port: "6379" }
 * ```
 */
export function fieldsOf(reply: RespValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (reply instanceof Map) {
    for (const [k, v] of reply) out[String(k)] = String(v);
  } else if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  }
  return out;
}
