/**
 * A stand-in sentinel that names whatever master the test says, and never announces a switch:
 * for tests of what a client does when the only sign of a failover is the data node's own reply.
 * Speaks just enough RESP2 (HELLO is refused, as by a Redis 5 sentinel). Test-only code.
 */
import { createServer, type Server, type Socket } from "node:net";

export interface FakeSentinel {
  port: number;
  /** The master it names from now on. */
  master: { host: string; port: number };
  /** Questions asked, e.g. `SENTINEL GET-MASTER-ADDR-BY-NAME`. */
  asked: string[];
  /** Publish `+switch-master <name> <from host> <from port> <to host> <to port>` to its subscribers. */
  announce(name: string, from: { host: string; port: number }, to: { host: string; port: number }): void;
  /** Subscribers now. */
  readonly subscribers: number;
  stop(): Promise<void>;
}

const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** Parse complete RESP arrays of bulk strings off the front of `buf`; returns them and the rest. */
function parse(buf: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    if (buf[at] !== "*") break;
    let end = buf.indexOf("\r\n", at);
    if (end < 0) break;
    const count = Number(buf.slice(at + 1, end));
    let pos = end + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      end = buf.indexOf("\r\n", pos);
      if (end < 0) return { commands, rest: buf.slice(at) };
      const len = Number(buf.slice(pos + 1, end));
      if (buf.length < end + 2 + len + 2) return { commands, rest: buf.slice(at) };
      args.push(buf.slice(end + 2, end + 2 + len));
      pos = end + 2 + len + 2;
    }
    commands.push(args);
    at = pos;
  }
  return { commands, rest: buf.slice(at) };
}

/** Start a fake sentinel on a free loopback port naming `master`. */
export async function startFakeSentinel(master: { host: string; port: number }): Promise<FakeSentinel> {
  const sockets = new Set<Socket>();
  const subscribed = new Set<Socket>();
  const fake: FakeSentinel = {
    port: 0,
    master,
    asked: [],
    stop: async () => {},
    announce(name, from, to) {
      const text = `${name} ${from.host} ${from.port} ${to.host} ${to.port}`;
      for (const s of subscribed) s.write(`*3\r\n${bulk("message")}${bulk("+switch-master")}${bulk(text)}`);
    },
    get subscribers() {
      return subscribed.size;
    },
  };
  const answer = (args: string[], socket: Socket): string => {
    const [name = "", sub = ""] = args.map((a, i) => (i < 2 ? a.toUpperCase() : a));
    if (name === "SENTINEL") fake.asked.push(`SENTINEL ${sub}`);
    if (name === "PING") return "+PONG\r\n";
    if (name === "CLIENT") return sub === "ID" ? ":1\r\n" : "+OK\r\n";
    if (name === "SUBSCRIBE") subscribed.add(socket);
    if (name === "SUBSCRIBE") return `*3\r\n${bulk("subscribe")}${bulk(args[1] ?? "")}:1\r\n`;
    if (name === "SENTINEL" && sub === "GET-MASTER-ADDR-BY-NAME") return `*2\r\n${bulk(fake.master.host)}${bulk(String(fake.master.port))}`;
    if (name === "SENTINEL") return "*0\r\n";
    return `-ERR unknown command '${args[0]}'\r\n`;
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      subscribed.delete(socket);
    });
    socket.on("error", () => {});
    let buf = "";
    socket.on("data", (chunk) => {
      const parsed = parse(buf + chunk.toString("latin1"));
      buf = parsed.rest;
      for (const command of parsed.commands) socket.write(answer(command, socket));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.port = (server.address() as { port: number }).port;
  fake.stop = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return fake;
}
