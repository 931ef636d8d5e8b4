/**
 * A Sentinel group for tests: a master, a replica and three sentinels, each a redis-server of its
 * own on a free loopback port (a config file each, in its temp dir), stopped by pid afterwards.
 * Tuned to fail over fast: `down-after-milliseconds` 1000, `failover-timeout` 2000, INFO every
 * second, hellos every half second. Share one group per test file and call `settle()` after a
 * failover: it brings the group back to one master, one replica and three sentinels that agree.
 * Test-only code (node: APIs allowed).
 */
import { openConnection } from "../../src/conn/open.ts";
import { resolveConnectionOptions } from "../../src/conn/options.ts";
import { Command } from "../../src/conn/command.ts";
import type { Arg, RespValue } from "../../src/resp/types.ts";
import { startRedis, type RedisServer } from "./redis.ts";
import { until } from "./wait.ts";

/** The data nodes' password (`requirepass` and `masterauth`) unless `startSentinelGroup` is given another. */
export const DATA_PASSWORD = "data-secret";
/** An ACL user on every sentinel (the default user stays open, as on most deployments). */
export const SENTINEL_USER = { username: "watcher", password: "sentinel-secret" };

export interface SentinelGroup {
  /** The monitored master's name. */
  name: string;
  /** The two data nodes; which one is master changes with failovers. */
  nodes: RedisServer[];
  sentinels: RedisServer[];
  /** `{ host, port }` of every sentinel, in order. */
  sentinelAddresses: Array<{ host: string; port: number }>;
  /** `redis+sentinel://:<data password>@<sentinels>/<name>` */
  url: string;
  /** The node every running sentinel names master (waits until they agree). */
  master(): Promise<RedisServer>;
  /** The data node that is not the master. */
  replica(): Promise<RedisServer>;
  /**
   * Replication is asynchronous: a write the master acknowledged just before a failover may not
   * have reached the replica, and is lost with the old master (no client can prevent that). So
   * tests that count writes pause them on the master (`CLIENT PAUSE WRITE`) until the replica
   * holds every acknowledged one; commands sent meanwhile wait on the master. Resolves to the
   * replica. (After a promotion the paused writes meet `min-replicas-to-write` and are refused.)
   */
  holdWrites(): Promise<RedisServer>;
  /** SIGKILL a data node (or a sentinel), as a crash would; `settle()` restarts it. */
  kill(server: RedisServer): Promise<void>;
  /** Restart a killed sentinel. */
  revive(server: RedisServer): Promise<void>;
  /**
   * `SENTINEL FAILOVER`, without losing acknowledged writes to replication lag; resolves to the
   * new master once every running sentinel names it.
   */
  failover(): Promise<RedisServer>;
  /** Resolves once every running sentinel names `node` master. */
  waitForMaster(node: RedisServer, ms?: number): Promise<void>;
  /**
   * Back to a healthy group: killed nodes restarted, the non-master a replica of the master with
   * its link up, `min-replicas-to-write 1` on the master only (so a demoted master refuses writes
   * at once and no acknowledged write is lost), every sentinel running and seeing the replica and
   * the two other sentinels.
   */
  settle(): Promise<void>;
  /** Run a command on a data node (with the data password). */
  data(node: RedisServer, args: Arg[]): Promise<RespValue>;
  stop(): Promise<void>;
}

/** Run one command on a fresh connection to `port`, then close it. */
export async function ask(port: number, args: Arg[], auth: { username?: string; password?: string } = {}): Promise<RespValue> {
  const conn = await openConnection(resolveConnectionOptions({ port, protocol: 2, connectTimeout: 2_000, ...auth }));
  try {
    const cmd = new Command(args, false, 5_000);
    conn.write(cmd);
    return await cmd.promise;
  } finally {
    conn.destroy();
  }
}

/** `INFO`-style `field:value` lines as a record. */
function fields(text: RespValue): Record<string, string> {
  return Object.fromEntries(String(text).split("\r\n").filter((l) => l.includes(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));
}

/** A flat [k, v, k, v] reply (RESP2 map) as a record. */
function pairs(reply: RespValue): Record<string, string> {
  const list = reply as RespValue[];
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = String(list[i + 1]);
  return out;
}

/** Start a group. Takes 2-5 s (the sentinels find each other through the master). */
export async function startSentinelGroup(name = "mymaster", password = DATA_PASSWORD): Promise<SentinelGroup> {
  const dataArgs = ["--requirepass", password, "--masterauth", password, "--min-replicas-max-lag", "10"];
  const first = await startRedis({ args: [...dataArgs, "--min-replicas-to-write", "1"] });
  const second = await startRedis({ args: [...dataArgs, "--replicaof", "127.0.0.1", String(first.port)] });
  const nodes = [first, second];
  const down = new Set<RedisServer>();
  const auth = { password };
  const data = (node: RedisServer, args: Arg[]) => ask(node.port, args, auth);

  const sentinelConfig = [
    `sentinel monitor ${name} 127.0.0.1 ${first.port} 2`,
    `sentinel auth-pass ${name} ${password}`,
    `sentinel down-after-milliseconds ${name} 1000`,
    `sentinel failover-timeout ${name} 2000`,
    `user ${SENTINEL_USER.username} on >${SENTINEL_USER.password} ~* &* +@all`,
    "",
  ].join("\n");
  const sentinels: RedisServer[] = [];
  for (let i = 0; i < 3; i++) sentinels.push(await startRedis({ sentinelConfig }));
  // Faster than the defaults (INFO every 10 s, hellos every 2 s, 30 s of TILT after a stall):
  // settling after a failover then takes seconds, and a busy test machine does not freeze a sentinel.
  const tune = (s: RedisServer) => ask(s.port, ["SENTINEL", "DEBUG", "info-period", 1000, "publish-period", 500, "tilt-period", 1000]);
  await Promise.all(sentinels.map(tune));

  const running = () => sentinels.filter((s) => !down.has(s));
  const nodeAt = (port: number) => {
    const node = nodes.find((n) => n.port === port);
    if (!node) throw new Error(`the sentinels name an unknown master on port ${port}`);
    return node;
  };
  const masterPorts = () => Promise.all(running().map(async (s) => {
    const reply = (await ask(s.port, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name]).catch(() => null)) as RespValue[] | null;
    return reply ? Number(reply[1]) : 0;
  }));
  const agreedMaster = async (ms = 15_000) => {
    let port = 0;
    await until(async () => {
      const ports = await masterPorts();
      port = ports[0]!;
      return port !== 0 && ports.every((p) => p === port);
    }, "the sentinels to agree on a master", ms);
    return nodeAt(port);
  };

  /** One round of settle(): throws when the sentinels changed their minds meanwhile, or it took too long. */
  const settleOnce = async () => {
    for (const s of sentinels) if (down.has(s)) await group.revive(s);
    for (const node of nodes) {
      if (down.has(node)) {
        await node.restart();
        down.delete(node);
      }
    }
    const master = await agreedMaster(30_000);
    const replica = nodes.find((n) => n !== master)!;
    const role = (await data(replica, ["ROLE"])) as RespValue[];
    if (String(role[0]) !== "slave" || Number(role[2]) !== master.port) await data(replica, ["REPLICAOF", "127.0.0.1", master.port]);
    await data(replica, ["CONFIG", "SET", "min-replicas-to-write", "0"]);
    await until(async () => fields(await data(replica, ["INFO", "replication"])).master_link_status === "up", "the replica's link to the master", 10_000);
    // Only a replica in sync may be promoted: a master demoted a moment ago, not yet resynced, never.
    await data(replica, ["CONFIG", "SET", "replica-priority", "100"]);
    await data(master, ["CONFIG", "SET", "replica-priority", "0"]);
    await data(master, ["CONFIG", "SET", "min-replicas-to-write", "1"]);
    await until(async () => /state=online/.test(fields(await data(master, ["INFO", "replication"])).slave0 ?? ""), "the master to see its replica online", 10_000);
    await until(async () => {
      for (const s of sentinels) {
        const view = pairs(await ask(s.port, ["SENTINEL", "MASTER", name]));
        if (Number(view.port) !== master.port || view.flags !== "master" || view["num-other-sentinels"] !== "2") return false;
        const replicas = ((await ask(s.port, ["SENTINEL", "REPLICAS", name])) as RespValue[]).map(pairs);
        const seen = replicas.find((r) => Number(r.port) === replica.port);
        if (!seen || seen.flags !== "slave" || seen["master-link-status"] !== "ok" || Number(seen["master-port"]) !== master.port) return false;
      }
      return true;
    }, "every sentinel to see the master, its replica and the other sentinels", 15_000);
    const now = (await data(master, ["ROLE"])) as RespValue[];
    if ((await agreedMaster()) !== master || String(now[0]) !== "master") throw new Error("the master changed while settling");
  };

  const group: SentinelGroup = {
    name,
    nodes,
    sentinels,
    get sentinelAddresses() {
      return sentinels.map((s) => ({ host: "127.0.0.1", port: s.port }));
    },
    get url() {
      return `redis+sentinel://:${password}@${sentinels.map((s) => `127.0.0.1:${s.port}`).join(",")}/${name}`;
    },
    master: () => agreedMaster(),
    async replica() {
      const master = await agreedMaster();
      return nodes.find((n) => n !== master)!;
    },
    async holdWrites() {
      const master = await agreedMaster();
      const replica = nodes.find((n) => n !== master)!;
      await data(master, ["CLIENT", "PAUSE", 10_000, "WRITE"]);
      const offset = async (node: RedisServer) => {
        const f = fields(await data(node, ["INFO", "replication"]));
        return Number(f.master_repl_offset ?? f.slave_repl_offset);
      };
      await until(async () => (await offset(replica)) >= (await offset(master)), "the replica to catch up", 10_000);
      return replica;
    },
    async kill(server) {
      down.add(server);
      await server.kill();
    },
    async revive(server) {
      await server.restart();
      down.delete(server);
      await tune(server);
    },
    async failover() {
      const before = await agreedMaster();
      const replica = await group.holdWrites();
      await until(async () => {
        const reply = await ask(running()[0]!.port, ["SENTINEL", "FAILOVER", name]).catch((err: Error) => err);
        if (reply instanceof Error && !/INPROG|NOGOODSLAVE/.test(reply.message)) throw reply;
        return !(reply instanceof Error);
      }, "a sentinel to accept SENTINEL FAILOVER", 15_000);
      await group.waitForMaster(replica);
      await data(before, ["CLIENT", "UNPAUSE"]);
      return replica;
    },
    async waitForMaster(node, ms = 20_000) {
      await until(async () => (await masterPorts()).every((p) => p === node.port), `every sentinel to name port ${node.port} master`, ms);
    },
    async settle() {
      // A loaded machine can make a sentinel take a slow master for a dead one and fail over on
      // its own (down-after is 1 s): start again from whatever the sentinels say then.
      for (let round = 1; ; round++) {
        try {
          return await settleOnce();
        } catch (err) {
          if (round >= 4) throw err;
        }
      }
    },
    data,
    async stop() {
      await Promise.all([...sentinels, ...nodes].map((s) => s.stop()));
    },
  };
  try {
    await group.settle();
  } catch (err) {
    await group.stop();
    throw err;
  }
  return group;
}
