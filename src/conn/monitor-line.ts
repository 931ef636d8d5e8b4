/**
 * Reading one line of `MONITOR` output. The server writes each command it runs as
 * `1339518083.107412 [0 127.0.0.1:60866] "set" "k" "v"`: the time in seconds, the database and the
 * client (`lua` for a script's calls, `unix:/path` over a socket), then every argument quoted the
 * way `sdscatrepr` quotes it (`\"`, `\\`, `\n`, `\r`, `\t`, `\a`, `\b`, `\xHH` for other bytes).
 * See https://redis.io/docs/latest/commands/monitor/.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { utf8 } from "../resp/scalars.ts";

/**
 * One command the server ran, as `MONITOR` reported it.
 *
 * @example
 * ```ts
 * const entry: MonitorEntry = { time: 1339518083.107412, db: 0, client: "127.0.0.1:60866", args: ["set", "k", "v"], line: '1339518083.107412 [0 127.0.0.1:60866] "set" "k" "v"' };
 * ```
 */
export interface MonitorEntry {
  /** When the server ran it: seconds since the epoch, with microseconds. */
  time: number;
  /** The database it ran in. */
  db: number;
  /** Who sent it: `host:port`, `unix:/path`, or `lua` for a script's `redis.call`. */
  client: string;
  /** The command and its arguments, unquoted (bytes that are not UTF-8 become U+FFFD). */
  args: string[];
  /** The line as the server wrote it. */
  line: string;
}

const encoder = new TextEncoder();
const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '"': 34, "\\": 92 };

/**
 * Parse one `MONITOR` line. Throws `ProtocolError` on a line of another shape.
 *
 * @example
 * ```ts
 * parseMonitorLine('1700000000.5 [2 lua] "get" "a\\"b"').args; // ["get", 'a"b']
 * ```
 */
export function parseMonitorLine(line: string): MonitorEntry {
  const head = /^(\d+(?:\.\d+)?) \[(\d+) ([^\]]*)\]/.exec(line);
  if (!head) throw new ProtocolError(`not a MONITOR line: ${JSON.stringify(line.slice(0, 100))}`);
  return { time: Number(head[1]), db: Number(head[2]), client: head[3]!, args: quotedArgs(line, head[0].length), line };
}

/** The quoted arguments from `line[from]` on. */
function quotedArgs(line: string, from: number): string[] {
  const args: string[] = [];
  let i = from;
  while (i < line.length) {
    if (line[i] === " ") {
      i++;
      continue;
    }
    if (line[i] !== '"') throw new ProtocolError(`MONITOR line: expected a quoted argument at ${i}: ${JSON.stringify(line.slice(0, 100))}`);
    const bytes: number[] = [];
    i++;
    for (;;) {
      if (i >= line.length) throw new ProtocolError(`MONITOR line: unterminated argument: ${JSON.stringify(line.slice(0, 100))}`);
      const c = line[i]!;
      if (c === '"') break;
      if (c !== "\\") {
        // The server escapes every byte that is not printable ASCII; encode anything else anyway.
        const code = c.charCodeAt(0);
        if (code < 0x80) bytes.push(code);
        else bytes.push(...encoder.encode(c));
        i++;
        continue;
      }
      const next = line[i + 1];
      if (next === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
        bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (next !== undefined && next in ESCAPES) {
        bytes.push(ESCAPES[next]!);
        i += 2;
      } else {
        throw new ProtocolError(`MONITOR line: bad escape at ${i}: ${JSON.stringify(line.slice(0, 100))}`);
      }
    }
    args.push(utf8.decode(new Uint8Array(bytes)));
    i++; // the closing quote
  }
  return args;
}
