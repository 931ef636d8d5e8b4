/**
 * Starts private redis-server processes for tests, on free loopback ports, and stops them.
 * Tests never touch a server they did not start (a machine may run its own on 6379).
 * Test-only code: it may use node: APIs, which all three runtimes provide.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "./wait.ts";

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. `["--requirepass", "pw"]`. */
  args?: string[];
  /** Also listen on a unix socket in the server's temp dir (see `socketPath`). */
  unixSocket?: boolean;
  /** Serve TLS on `tlsPort` with these PEM files (port 0 for plain TCP is then disabled unless `plainToo`). */
  tls?: { cert: string; key: string; ca: string };
  /** Picks the plain TCP port (default {@link freePort}); a cluster node needs port + 10000 free too. */
  pickPort?: () => Promise<number>;
  /** Run as a Sentinel (`redis-server <file> --sentinel`) with this configuration, written to the server's temp dir. */
  sentinelConfig?: string;
}

export interface RedisServer {
  host: "127.0.0.1";
  /** Plain TCP port (0 when the server serves TLS only). */
  port: number;
  /** TLS port when started with `tls`. */
  tlsPort: number;
  /** Unix socket path when started with `unixSocket`. */
  socketPath: string;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Stop the server (SIGTERM, then SIGKILL after 2 s) and remove its temp dir. */
  stop(): Promise<void>;
  /** SIGKILL the server, as a crash would. */
  kill(): Promise<void>;
  /** Start the server again on the same ports and socket after `kill()`/`stop()`. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server stops answering without closing sockets. */
  pause(): void;
  resume(): void;
}

/** A free TCP port on 127.0.0.1 (the kernel picks; we release it just before redis binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once("exit", () => resolve()));
}

/** Start a redis-server on free loopback ports. Call `stop()` in `afterAll`. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "resplex-redis-"));
  const socketPath = options.unixSocket ? join(dir, "redis.sock") : "";
  const pickPort = options.pickPort ?? freePort;
  let port = await pickPort();
  let tlsPort = options.tls ? await freePort() : 0;
  let proc: ChildProcess | undefined;
  let log = "";
  const sentinelFile = join(dir, "sentinel.conf");
  if (options.sentinelConfig !== undefined) writeFileSync(sentinelFile, options.sentinelConfig);

  const launch = async (attempt = 0): Promise<void> => {
    const args = [
      "--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no",
      "--dir", dir, "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
      "--enable-debug-command", "yes", // DEBUG SLEEP stands in for a slow command in timeout tests
    ];
    if (socketPath) args.push("--unixsocket", socketPath, "--unixsocketperm", "700");
    if (options.tls) {
      args.push("--tls-port", String(tlsPort), "--tls-cert-file", options.tls.cert,
        "--tls-key-file", options.tls.key, "--tls-ca-cert-file", options.tls.ca, "--tls-auth-clients", "no");
    }
    args.push(...(options.args ?? []));
    // A Sentinel rewrites its configuration file, so it lives in the temp dir and outlives restarts.
    if (options.sentinelConfig !== undefined) args.unshift(sentinelFile, "--sentinel");
    log = "";
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    proc = child;
    // A test or bench that crashes must not leave its server running.
    const reap = () => child.kill("SIGKILL");
    process.once("exit", reap);
    child.once("exit", () => process.off("exit", reap));
    child.stdout?.on("data", (d) => (log += d));
    child.stderr?.on("data", (d) => (log += d));
    const died = exited(child).then(() => false);
    const up = await Promise.race([waitFor(() => canConnect(port), `redis-server on ${port}`).then(() => true), died]);
    if (!up) {
      // Another process may have taken the port between freePort() and bind: pick new ones and retry.
      if (attempt < 3 && /Address already in use/i.test(log)) {
        port = await pickPort();
        if (tlsPort) tlsPort = await freePort();
        return launch(attempt + 1);
      }
      throw new Error(`redis-server failed to start: ${log}`);
    }
  };

  const kill = async (signal: NodeJS.Signals) => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const done = exited(p);
    p.kill(signal);
    const timer = setTimeout(() => p.kill("SIGKILL"), 2000);
    await done;
    clearTimeout(timer);
  };

  // SIGSTOP/SIGCONT go through process.kill, not the ChildProcess: Deno's node:child_process
  // records any signal sent with child.kill() as the exit signal and then refuses every later
  // kill(), so stop() after kill("SIGCONT") left redis-server running (and the process alive).
  const signal = (name: "SIGSTOP" | "SIGCONT") => {
    if (proc?.pid !== undefined && proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, name);
  };
  const resume = () => signal("SIGCONT");

  await launch();
  return {
    host: "127.0.0.1",
    get port() { return port; },
    get tlsPort() { return tlsPort; },
    socketPath,
    get url() { return `redis://127.0.0.1:${port}`; },
    async stop() {
      resume(); // a paused server would not act on SIGTERM
      await kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => kill("SIGKILL"),
    async restart() {
      await kill("SIGKILL");
      await launch();
    },
    pause() { signal("SIGSTOP"); },
    resume,
  } as RedisServer;
}
