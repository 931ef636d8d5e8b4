/**
 * A fault-injecting TCP proxy for tests: it listens on a free loopback port, forwards each
 * connection it accepts (a "link") to a target such as a test redis-server, and on command delays,
 * splits, freezes, drops, resets or swallows the bytes, for every link or for one.
 *
 * What each fault stands for:
 * - `delay`: a slow network; every chunk waits before it is passed on, order kept.
 * - `split`: every byte passed on in a write of its own, so the reader sees replies cut anywhere.
 * - `frozen`: a peer that vanished without FIN or RST, or a stalled middlebox: nothing is passed on
 *   and nothing is read, both sockets stay open. Unfreezing passes on what was held.
 * - `blackhole`: a peer that accepts and never answers; a link accepted while it is set never
 *   reaches the target, and what it receives is thrown away.
 * - `drop()`: both sides closed (FIN); `resetAfter(n)`: the client's socket reset (RST) after `n`
 *   more bytes from the server, i.e. mid-reply.
 *
 * Test-only code: it uses node:net, which Node, Deno and Bun all provide.
 * @module
 */
import { connect, createServer, type Server, type Socket } from "node:net";

/** Faults that last until changed. */
export interface ProxyFaults {
  /** Hold every chunk this many ms before passing it on (both directions). Default 0. */
  delay: number;
  /** Pass bytes on one at a time, a few ms apart, so the reader receives each alone. */
  split: boolean;
  /** Pass nothing on and read nothing, in both directions, without closing either socket. */
  frozen: boolean;
  /** Throw away whatever arrives, in both directions; a link accepted meanwhile never reaches the target. */
  blackhole: boolean;
}

/** One proxied connection. */
export interface ProxyLink {
  /** 1 for the first link the proxy accepted, then 2, ... */
  readonly id: number;
  /** The client's local port: `CLIENT INFO`'s `addr` names the proxy's, this is the client's own. */
  readonly clientPort: number;
  /** Whether it is connected to the target (false while blackholed from the start). */
  readonly upstream: boolean;
  /** Bytes passed on from the server to the client so far. */
  readonly bytesToClient: number;
  /** Bytes passed on from the client to the server so far. */
  readonly bytesToServer: number;
  /** This link's faults (copied from the proxy's when accepted). */
  readonly faults: Readonly<ProxyFaults>;
  /** Change this link's faults. */
  set(faults: Partial<ProxyFaults>): void;
  /** Pass on `bytes` more bytes from the server, then reset the client's socket (RST) and close the server's. */
  resetAfter(bytes: number): void;
  /** Close both sockets now. */
  drop(): void;
  /** Resolves once both sockets are closed. */
  readonly closed: Promise<void>;
}

/** A running proxy. */
export interface FaultProxy {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Where links accepted from now on connect. */
  target: { host: string; port: number };
  /** Links still open, oldest first. */
  readonly links: readonly ProxyLink[];
  /** How many links were accepted since the start. */
  readonly accepted: number;
  /** The faults new links start with. */
  readonly faults: Readonly<ProxyFaults>;
  /** Change the faults of every open link and of links accepted from now on. */
  set(faults: Partial<ProxyFaults>): void;
  /** `resetAfter(bytes)` on every open link. */
  resetAfter(bytes: number): void;
  /** Close every open link (the proxy keeps accepting). */
  drop(): void;
  /** Stop listening and close every link. */
  close(): Promise<void>;
}

/** Gap between the bytes of a split chunk: long enough for the reader to take each one alone. */
const SPLIT_GAP_MS = 1;
/** Pause between the last bytes before a reset and the RST, so the client reads them first. */
const RESET_PAUSE_MS = 20;

const END = Symbol("end");
type Item = { at: number; chunk: Uint8Array | typeof END };

/** One direction of a link: a queue of chunks passed on according to the link's faults. */
class Pipe {
  readonly #from: Socket;
  readonly #link: Link;
  readonly #toServer: boolean;
  #queue: Item[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Bytes still to pass on before the reset (server → client only); undefined: no reset planned. */
  resetBudget: number | undefined;
  bytes = 0;

  constructor(from: Socket, link: Link, toServer: boolean) {
    this.#from = from;
    this.#link = link;
    this.#toServer = toServer;
    from.on("data", (chunk: Uint8Array) => this.#push(chunk));
    from.on("end", () => this.#push(END));
    from.on("close", () => this.#push(END));
  }

  #push(chunk: Uint8Array | typeof END): void {
    if (this.#link.faults.blackhole && chunk !== END) return;
    if (this.#queue.at(-1)?.chunk === END) return;
    this.#queue.push({ at: Date.now() + this.#link.faults.delay, chunk });
    this.pump();
  }

  /** Pass on what the faults allow now; called again by timers and by fault changes. */
  pump(): void {
    if (this.#timer !== undefined || this.#link.isClosed) return;
    const { frozen, split, blackhole } = this.#link.faults;
    if (frozen) return void this.#from.pause();
    this.#from.resume();
    if (blackhole) return;
    const to = this.#toServer ? this.#link.server : this.#link.client;
    while (this.#queue.length > 0 && to) {
      const item = this.#queue[0]!;
      const wait = item.at - Date.now();
      if (wait > 0) return this.#later(wait);
      if (item.chunk === END) {
        this.#queue.length = 0;
        return void to.end(); // the other direction goes on until its side ends too
      }
      let n = split ? 1 : item.chunk.length;
      if (this.resetBudget !== undefined) n = Math.min(n, this.resetBudget);
      if (n > 0) to.write(item.chunk.subarray(0, n));
      this.bytes += n;
      if (n === item.chunk.length) this.#queue.shift();
      else item.chunk = item.chunk.subarray(n);
      if (this.resetBudget !== undefined && (this.resetBudget -= n) === 0) {
        this.#link.isClosed = true; // nothing more passes on
        setTimeout(() => this.#link.reset(), RESET_PAUSE_MS);
        return;
      }
      if (split && this.#queue.length > 0) return this.#later(SPLIT_GAP_MS);
    }
  }

  #later(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.pump();
    }, ms);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }
}

class Link implements ProxyLink {
  readonly id: number;
  readonly clientPort: number;
  readonly client: Socket;
  server: Socket | undefined;
  faults: ProxyFaults;
  isClosed = false;
  readonly closed: Promise<void>;
  readonly #toServer: Pipe;
  readonly #toClient: Pipe | undefined;
  readonly #target: { host: string; port: number };

  constructor(id: number, client: Socket, faults: ProxyFaults, target: { host: string; port: number }, onClose: () => void) {
    this.id = id;
    this.client = client;
    this.clientPort = client.remotePort ?? 0;
    this.faults = { ...faults };
    this.#target = target;
    client.setNoDelay(true);
    this.#toServer = new Pipe(client, this, true);
    const clientClosed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.on("error", () => this.drop());
    const server = faults.blackhole ? undefined : this.#connect();
    this.#toClient = server && new Pipe(server, this, false);
    this.closed = Promise.all([clientClosed, server && new Promise<void>((resolve) => server.once("close", () => resolve()))]).then(() => onClose());
  }

  get upstream(): boolean {
    return this.server !== undefined;
  }

  get bytesToClient(): number {
    return this.#toClient?.bytes ?? 0;
  }

  get bytesToServer(): number {
    return this.#toServer.bytes;
  }

  #connect(): Socket {
    const server = connect({ host: this.#target.host, port: this.#target.port });
    server.setNoDelay(true);
    server.on("error", () => this.drop());
    server.once("connect", () => {
      this.server = server;
      this.#toServer.pump();
    });
    return server;
  }

  set(faults: Partial<ProxyFaults>): void {
    Object.assign(this.faults, faults);
    this.#toServer.pump();
    this.#toClient?.pump();
  }

  resetAfter(bytes: number): void {
    if (!this.#toClient) throw new Error(`link ${this.id} has no server side to reset after`);
    this.#toClient.resetBudget = bytes;
    this.#toClient.pump();
  }

  drop(): void {
    this.isClosed = true;
    this.#stop();
    this.client.destroy();
    this.server?.destroy();
  }

  reset(): void {
    this.isClosed = true;
    this.#stop();
    this.client.resetAndDestroy();
    this.server?.destroy();
  }

  #stop(): void {
    this.#toServer.stop();
    this.#toClient?.stop();
  }
}

/**
 * Start a proxy to `target` on a free loopback port. Call `close()` in `afterAll`.
 *
 * @example
 * ```ts
 * const proxy = await startProxy({ host: server.host, port: server.port });
 * const redis = createClient(proxy.url);
 * proxy.set({ frozen: true }); // the server seems to vanish without a word
 * ```
 */
export async function startProxy(target: { host: string; port: number }, faults: Partial<ProxyFaults> = {}): Promise<FaultProxy> {
  const defaults: ProxyFaults = { delay: 0, split: false, frozen: false, blackhole: false, ...faults };
  const links = new Set<Link>();
  let accepted = 0;
  const proxy = {
    host: "127.0.0.1" as const,
    port: 0,
    target: { ...target },
    faults: defaults,
    get url() {
      return `redis://127.0.0.1:${this.port}`;
    },
    get links() {
      return [...links];
    },
    get accepted() {
      return accepted;
    },
    set(faults: Partial<ProxyFaults>) {
      Object.assign(defaults, faults);
      for (const link of links) link.set(faults);
    },
    resetAfter(bytes: number) {
      for (const link of links) link.resetAfter(bytes);
    },
    drop() {
      for (const link of links) link.drop();
    },
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const link of links) link.drop();
      await stopped;
    },
  };
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    const link = new Link(++accepted, socket, defaults, proxy.target, () => links.delete(link));
    links.add(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  proxy.port = (server.address() as { port: number }).port;
  return proxy;
}
