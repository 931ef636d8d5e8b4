/**
 * Helpers shared by the pool suites: server-side views of the pool's connections (CLIENT LIST
 * filtered by the pool's clientName), waiting, and a connector whose sockets can be silenced to
 * simulate half-open connections.
 */
import { defaultConnector } from "../../src/transport/auto.ts";
import type { Connector, Socket } from "../../src/transport/types.ts";
import { connectTestClient, type TestClient } from "../harness/client.ts";

export { sleep, until } from "../harness/wait.ts";

let names = 0;
/** A clientName no other test uses, so CLIENT LIST can tell this pool's connections apart. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${names++}`;
}

/** One CLIENT LIST line as fields. */
export type ClientEntry = Record<string, string>;

function parseClients(text: string): ClientEntry[] {
  return text.split("\n").filter((line) => line.trim()).map((line) => {
    const out: ClientEntry = {};
    for (const part of line.trim().split(" ")) {
      const eq = part.indexOf("=");
      if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1);
    }
    return out;
  });
}

/** The server's view: a plain client that lists and kills connections by name. */
export class ServerView {
  readonly #admin: TestClient;
  constructor(admin: TestClient) {
    this.#admin = admin;
  }

  static async connect(url: string): Promise<ServerView> {
    return new ServerView(await connectTestClient(url, { clientName: "pool-test-admin" }));
  }

  /** CLIENT LIST entries whose name is `name`. */
  async clients(name: string): Promise<ClientEntry[]> {
    const reply = await this.#admin.send(["CLIENT", "LIST"]);
    return parseClients(String(reply)).filter((c) => c.name === name);
  }

  async count(name: string): Promise<number> {
    return (await this.clients(name)).length;
  }

  /** CLIENT KILL every connection named `name`; resolves to how many were killed. */
  async kill(name: string): Promise<number> {
    let killed = 0;
    for (const c of await this.clients(name)) {
      killed += Number(await this.#admin.send(["CLIENT", "KILL", "ID", c.id!]));
    }
    return killed;
  }

  send(args: (string | number)[]): Promise<unknown> {
    return this.#admin.send(args);
  }

  close(): Promise<void> {
    return this.#admin.close();
  }
}

/** Parse a `CLIENT INFO` reply. */
export function clientInfo(reply: unknown): ClientEntry {
  return parseClients(String(reply))[0] ?? {};
}

/**
 * A connector whose sockets can be "blackholed": bytes in both directions are dropped while the
 * socket stays open — what a half-open TCP connection looks like (no FIN ever arrives).
 */
export function blackholeConnector(): { connector: Connector; silence(): void; opened: number } {
  const sockets: { silenced: boolean }[] = [];
  const state = {
    opened: 0,
    silence() {
      for (const s of sockets) s.silenced = true;
    },
    connector: (async (options) => {
      const entry = { silenced: false };
      const socket: Socket = await (await defaultConnector())({
        ...options,
        onData: (chunk) => {
          if (!entry.silenced) options.onData(chunk);
        },
      });
      sockets.push(entry);
      state.opened++;
      const write = socket.write.bind(socket);
      socket.write = (chunk) => (entry.silenced ? true : write(chunk));
      return socket;
    }) as Connector,
  };
  return state;
}

/** A connector that never connects until aborted (a connect stuck in SYN_SENT), counting attempts. */
export function hangingConnector(): { connector: Connector; attempts: number } {
  const state = {
    attempts: 0,
    connector: ((options) => {
      state.attempts++;
      return new Promise<Socket>((_, reject) => {
        const signal = options.signal;
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    }) as Connector,
  };
  return state;
}
