/**
 * Hearing of failovers as they happen: a connection to one sentinel subscribed to
 * `+switch-master`. When that sentinel goes away the watch moves to the next one, with a jittered
 * backoff while none takes it; each new subscription is reported, because switches announced
 * while nobody listened were missed and the master must be asked for again.
 * @module
 */
import { backoffDelay } from "../conn/backoff.ts";
import type { Connection } from "../conn/connection.ts";
import { startHeartbeat } from "../conn/liveness.ts";
import { openConnection } from "../conn/open.ts";
import { encodeCommand } from "../resp/encode.ts";
import type { RespValue } from "../resp/types.ts";
import type { NodeAddress } from "./options.ts";
import type { Sentinels } from "./sentinels.ts";

const CHANNEL = "+switch-master";
const RETRY = { initialDelay: 100, maxDelay: 2_000 };

/**
 * What a {@link SentinelWatch} reports.
 *
 * @example
 * ```ts
 * const events: WatchEvents = { switched: (to) => console.log(to), subscribed: () => {} };
 * ```
 */
export interface WatchEvents {
  /** A sentinel announced that the master of the watched name moved to `to`. */
  switched(to: NodeAddress): void;
  /** The watch (re)subscribed: anything announced before went unheard. */
  subscribed(): void;
}

/**
 * The `+switch-master` subscription of one master name.
 *
 * @example
 * ```ts
 * const watch = new SentinelWatch(sentinels, "mymaster", { switched: (to) => follow(to), subscribed: () => recheck() });
 * watch.start();
 * await watch.close();
 * ```
 */
export class SentinelWatch {
  readonly #sentinels: Sentinels;
  readonly #name: string;
  readonly #events: WatchEvents;
  #conn: Connection | undefined;
  #connecting: AbortController | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Which sentinel of the list to try next, and how many tries in a row failed. */
  #next = 0;
  #failures = 0;
  #started = false;
  #closed = false;

  constructor(sentinels: Sentinels, name: string, events: WatchEvents) {
    this.#sentinels = sentinels;
    this.#name = name;
    this.#events = events;
  }

  /** Subscribe, unless already subscribed or on its way. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect();
  }

  /** Unsubscribe and stop for good. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#connecting?.abort();
    this.#conn?.destroy();
  }

  async #connect(): Promise<void> {
    const list = this.#sentinels.list;
    const sentinel = list[this.#next++ % list.length]!;
    const controller = (this.#connecting = new AbortController());
    let conn: Connection | undefined;
    try {
      conn = await openConnection(
        this.#sentinels.options(sentinel),
        {
          // RESP2 delivers messages as plain arrays; RESP3 as pushes.
          isPush: (value): value is RespValue[] => Array.isArray(value) && (value[0] === "message" || value[0] === "subscribe"),
          onPush: (frame) => this.#onFrame(frame),
          onClose: () => this.#lost(conn),
        },
        controller.signal,
      );
    } catch {
      this.#connecting = undefined;
      return this.#again();
    }
    this.#connecting = undefined;
    if (this.#closed) return conn.destroy();
    this.#conn = conn;
    conn.writeEncoded([], encodeCommand(["SUBSCRIBE", CHANNEL]));
    startHeartbeat(conn); // a frozen sentinel would otherwise keep us deaf
  }

  #onFrame(frame: RespValue[]): void {
    if (frame[0] === "subscribe") {
      this.#failures = 0;
      return this.#events.subscribed();
    }
    if (frame[0] !== "message" || frame[1] !== CHANNEL) return;
    // "<name> <old ip> <old port> <new ip> <new port>"
    const [name, , , host, port] = String(frame[2]).split(" ");
    if (name === this.#name && host && Number(port) > 0) this.#events.switched({ host, port: Number(port) });
  }

  #lost(conn: Connection | undefined): void {
    if (conn === undefined || conn !== this.#conn) return; // lost while opening: #connect retries
    this.#conn = undefined;
    this.#again();
  }

  /** Try the next sentinel, after a backoff that grows while tries keep failing. */
  #again(): void {
    if (this.#closed) return;
    const delay = backoffDelay(RETRY, ++this.#failures);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#connect();
    }, delay);
  }
}
