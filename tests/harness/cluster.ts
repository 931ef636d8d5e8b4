/**
 * Starts a private Redis Cluster for tests: six `redis-server --cluster-enabled yes` on free
 * loopback ports (each port + 10000, the cluster bus, free too), joined by `redis-cli --cluster
 * create --cluster-replicas 1` into three masters with one replica each, and stops it by pid.
 * Helpers kill, restart, reshard and fail over nodes the way an operator would.
 * Test-only code: it may use node: APIs, which all three runtimes provide.
 */
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { freePort, startRedis, type RedisServer } from "./redis.ts";
import { sleep } from "./wait.ts";

/** One node as `CLUSTER NODES` describes it. */
export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: "master" | "replica";
  /** The master's id for a replica, `undefined` for a master. */
  masterId: string | undefined;
  /** `fail`/`fail?` flagged by the node asked. */
  failing: boolean;
  /** Slot ranges served (masters), inclusive. */
  slots: Array<[number, number]>;
}

export interface RedisCluster {
  /** Every node's server, in creation order (masters first, as `--cluster create` assigns them). */
  servers: RedisServer[];
  /** `{ host, port }` of every node, to seed a client. */
  seeds: Array<{ host: string; port: number }>;
  /** The cluster's `--cluster-node-timeout`, ms. */
  nodeTimeout: number;
  /** Run `redis-cli -p port ...args`, resolving to its output (trimmed). */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The cluster as a live node sees it. */
  nodes(): Promise<ClusterNodeInfo[]>;
  /** The port of the master serving `slot`. */
  masterOf(slot: number): Promise<number>;
  /** Wait until every live node reports `cluster_state:ok`, they agree on who serves each slot, and every replica is in sync with its master. */
  waitHealthy(ms?: number): Promise<void>;
  /** SIGKILL the node on `port`, as a crash would. */
  kill(port: number): Promise<void>;
  /** Start the node on `port` again (same ports, same `nodes.conf`: it rejoins as itself). */
  restart(port: number): Promise<void>;
  /** Move `slots` slots from the master on `fromPort` to the master on `toPort` (`redis-cli --cluster reshard`). */
  reshard(fromPort: number, toPort: number, slots: number): Promise<void>;
  /** `CLUSTER FAILOVER [mode]` on the replica on `port`; resolves once it is master and the cluster healthy. */
  failover(port: number, mode?: "FORCE" | "TAKEOVER"): Promise<void>;
  /** Stop every node and remove their temp dirs. */
  stop(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** `--cluster-node-timeout`, ms. Default 2000: short, so failovers in tests take seconds. */
  nodeTimeout?: number;
}

const BUS_OFFSET = 10_000;

/** Whether `port` can be bound on 127.0.0.1 right now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
export async function freeClusterPort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = await freePort();
    if (port + BUS_OFFSET <= 65_535 && (await portFree(port + BUS_OFFSET))) return port;
  }
  throw new Error("no free port with a free cluster bus port (port + 10000)");
}

function run(command: string, args: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(" ")} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(String(stdout).trim());
    });
  });
}

/** Parse `CLUSTER NODES` output (migrating/importing markers `[...]` are skipped). */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text.split("\n").filter((line) => line.trim()).map((line) => {
    const [id, address, flags, master, , , , , ...slotFields] = line.trim().split(" ");
    const flagList = flags!.split(",");
    const slots: Array<[number, number]> = [];
    for (const field of slotFields) {
      if (field.startsWith("[")) continue;
      const [start, end] = field.split("-").map(Number);
      slots.push([start!, end ?? start!]);
    }
    return {
      id: id!,
      port: Number(address!.split("@")[0]!.split(":").pop()),
      role: flagList.includes("master") ? "master" : "replica",
      masterId: master === "-" ? undefined : master,
      failing: flagList.includes("fail") || flagList.includes("fail?"),
      slots,
    };
  });
}

/** Start a 3-master, 3-replica cluster on loopback. Call `stop()` in `afterAll`. */
export async function startCluster(options: ClusterOptions = {}): Promise<RedisCluster> {
  const nodeTimeout = options.nodeTimeout ?? 2_000;
  const servers: RedisServer[] = [];
  const down = new Set<number>();
  try {
    for (let i = 0; i < 6; i++) {
      servers.push(await startRedis({
        pickPort: freeClusterPort,
        args: [
          "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", String(nodeTimeout),
          // Replicas sync at once (the default waits 5 s to batch them): a replica that never
          // synced refuses to be promoted, and failover tests start seconds after creation.
          "--repl-diskless-sync-delay", "0",
        ],
      }));
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }

  const cli = (port: number, ...args: string[]) => run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args]);
  const live = () => servers.filter((s) => !down.has(s.port));
  const nodes = async () => parseClusterNodes(await cli(live()[0]!.port, "CLUSTER", "NODES"));
  const server = (port: number) => {
    const found = servers.find((s) => s.port === port);
    if (!found) throw new Error(`no cluster node on port ${port}`);
    return found;
  };

  /**
   * Why the cluster is not healthy yet, or `undefined` once every live node says ok, all map each
   * slot range to the same live master, and every replica's link is up.
   */
  const unhealthy = async (): Promise<string | undefined> => {
    const views: string[] = [];
    for (const s of live()) {
      const info = await cli(s.port, "CLUSTER", "INFO").catch(() => "");
      if (!info.includes("cluster_state:ok")) return `${s.port}: cluster_state not ok`;
      const text = await cli(s.port, "CLUSTER", "NODES");
      const known = parseClusterNodes(text);
      if (known.length !== servers.length || /handshake|noaddr/.test(text)) return `${s.port}: still joining`;
      const me = known.find((n) => text.split("\n").some((line) => line.startsWith(n.id) && line.includes("myself")));
      if (me?.role === "replica" && !(await cli(s.port, "INFO", "replication")).includes("master_link_status:up")) return `${s.port}: replica link down`;
      const masters = known.filter((n) => n.role === "master" && n.slots.length > 0);
      if (masters.some((m) => m.failing || down.has(m.port))) return `${s.port}: sees a failing master`;
      const covered = masters.reduce((sum, m) => sum + m.slots.reduce((a, [x, y]) => a + y - x + 1, 0), 0);
      if (covered !== 16_384) return `${s.port}: ${covered} slots covered`;
      const replicas = known.filter((n) => n.role === "replica" && !down.has(n.port));
      const portOf = (id: string | undefined) => known.find((n) => n.id === id)?.port;
      views.push([
        ...masters.map((m) => `${m.port}:${m.slots.map((r) => r.join("-")).join(",")}`),
        ...replicas.map((r) => `${r.port}->${portOf(r.masterId)}`),
      ].sort().join(" "));
    }
    return views.every((v) => v === views[0]) ? undefined : `the nodes disagree: ${views.join(" | ")}`;
  };

  const waitHealthy = async (ms = 30_000) => {
    const end = Date.now() + ms;
    for (let why = await unhealthy(); why !== undefined; why = await unhealthy()) {
      if (Date.now() > end) throw new Error(`cluster not healthy within ${ms} ms (${why}):\n${await nodes().then((n) => JSON.stringify(n), String)}`);
      await sleep(100);
    }
  };

  const cluster: RedisCluster = {
    servers,
    seeds: servers.map((s) => ({ host: "127.0.0.1", port: s.port })),
    nodeTimeout,
    cli,
    nodes,
    async masterOf(slot) {
      const master = (await nodes()).find((n) => n.role === "master" && !n.failing && n.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!master) throw new Error(`no master serves slot ${slot}`);
      return master.port;
    },
    waitHealthy,
    async kill(port) {
      down.add(port);
      await server(port).kill();
    },
    async restart(port) {
      await server(port).restart();
      down.delete(port);
    },
    async reshard(fromPort, toPort, slots) {
      const all = await nodes();
      const id = (port: number) => all.find((n) => n.port === port)!.id;
      await run("redis-cli", [
        "--cluster", "reshard", `127.0.0.1:${fromPort}`, "--cluster-from", id(fromPort), "--cluster-to", id(toPort),
        "--cluster-slots", String(slots), "--cluster-yes", "--cluster-pipeline", "100",
      ], 120_000);
      await waitHealthy();
    },
    async failover(port, mode) {
      await cli(port, "CLUSTER", "FAILOVER", ...(mode ? [mode] : []));
      const end = Date.now() + 30_000;
      while (!(await cli(port, "ROLE")).startsWith("master")) {
        if (Date.now() > end) throw new Error(`node ${port} did not become master`);
        await sleep(50);
      }
      await waitHealthy();
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };

  try {
    await run("redis-cli", [
      "--cluster", "create", ...servers.map((s) => `127.0.0.1:${s.port}`), "--cluster-replicas", "1", "--cluster-yes",
    ]);
    await waitHealthy();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}
