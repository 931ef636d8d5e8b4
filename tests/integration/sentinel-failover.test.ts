import assert from "node:assert/strict";
import { createClient, createPool, type PoolEvents, type RedisClient } from "../../mod.ts";
import { exposeClient } from "../../worker.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { startSentinelGroup, type SentinelGroup } from "../harness/sentinel.ts";
import { startTraffic, type Tally, type Traffic } from "../harness/traffic.ts";
import { sleep, until } from "../harness/wait.ts";
import { spawnWorker } from "./worker-fixtures/spawn.ts";

/** Client options for riding out a failover: commands may wait a few seconds for the new master. */
const patient = { commandTimeout: 10_000 };

/** The first acknowledgement at or after `since`, ms after it (Infinity if none). */
function firstAckAfter(traffic: Traffic, since: number): number {
  const at = traffic.ackTimes.find((t) => t >= since);
  return at === undefined ? Infinity : at - since;
}

/** Every acknowledged INCR is in the count, and the count holds nothing but those and the ones that may have run. */
function assertCounted(final: number, tally: Tally): void {
  assert.ok(final >= tally.acked, `final count ${final} < ${tally.acked} acknowledged INCRs: an acknowledged write was lost`);
  assert.ok(final <= tally.acked + tally.mayHaveRun, `final count ${final} > ${tally.acked} acknowledged + ${tally.mayHaveRun} that may have run`);
}

function report(what: string, traffic: Traffic, t0: number, switchedAt: number, resumedMs: number): void {
  const t = traffic.tally;
  console.log(
    `[failover timings] ${what}: +switch-master heard ${switchedAt - t0} ms, first write on the new master ${resumedMs} ms after t0; ` +
      `${t.acked} acknowledged, ${t.mayHaveRun} failed as "may have run", ${t.notRun} refused without running ${JSON.stringify(t.errors)}`,
  );
}

describe("Sentinel: failovers under traffic", () => {
  let group: SentinelGroup;
  beforeAll(async () => {
    group = await startSentinelGroup();
  }, 60_000);
  afterAll(() => group?.stop(), 30_000);

  /**
   * Traffic until it has run a while, `disrupt()` (which may say when the failure happened: t0,
   * else when it was called), traffic until writes resumed on the new master, then stop.
   */
  async function throughFailover(c: RedisClient, key: string, disrupt: () => Promise<number | void>, resumedAfter: (t0: number, switchedAt: number) => number) {
    let switchedAt = Infinity;
    c.on("failover", () => (switchedAt = Math.min(switchedAt, Date.now())));
    const traffic = startTraffic(() => c.incr(key), 200);
    await until(() => traffic.tally.acked >= 2_000, "traffic before the failover", 10_000);
    const called = Date.now();
    const t0 = (await disrupt()) ?? called;
    await until(() => firstAckAfter(traffic, resumedAfter(t0, switchedAt)) < Infinity, "writes to resume on the new master", 20_000);
    await sleep(300); // and keep going a little
    const stopping = traffic.stop();
    await until(() => Promise.race([stopping.then(() => true), sleep(0).then(() => false)]), "every command to settle", 15_000);
    const resumed = firstAckAfter(traffic, resumedAfter(t0, switchedAt)) + resumedAfter(t0, switchedAt) - t0;
    return { traffic, t0, switchedAt, resumed };
  }

  test("SENTINEL FAILOVER under 200 callers INCR: every command settles, writes resume on the new master, every acknowledged INCR is counted", async () => {
    const c = createClient({ url: group.url, ...patient });
    try {
      await c.del("failover:manual");
      const before = await group.master();
      const { traffic, t0, switchedAt, resumed } = await throughFailover(c, "failover:manual", async () => {
        await group.failover();
      }, (_t0, switchedAt) => switchedAt);
      const after = await group.master();
      assert.notEqual(after, before);
      assert.ok(switchedAt < Infinity, "the client reported no failover");
      report("SENTINEL FAILOVER", traffic, t0, switchedAt, resumed);
      assert.ok(resumed < 10_000, `writes resumed ${resumed} ms after the failover began`);
      assert.equal(String(((await c.send(["ROLE"])) as unknown[])[0]), "master");
      assertCounted(Number(await group.data(after, ["GET", "failover:manual"])), traffic.tally);
    } finally {
      await c.close();
      await group.settle();
    }
  }, 60_000);

  test("SIGKILL of the master under 200 callers INCR: writes resume within down-after + failover time, every acknowledged INCR is counted", async () => {
    const c = createClient({ url: group.url, ...patient });
    try {
      await c.del("failover:kill");
      const before = await group.master();
      // Writes held first, so none the master acknowledged is missing on the replica (see holdWrites):
      // the commands it holds when it dies are the ones that "may have run".
      const { traffic, t0, switchedAt, resumed } = await throughFailover(c, "failover:kill", async () => {
        await group.holdWrites();
        const killedAt = Date.now();
        await group.kill(before);
        return killedAt;
      }, (t0) => t0 + 20);
      const after = await group.master();
      assert.notEqual(after, before);
      report("SIGKILL of the master", traffic, t0, switchedAt, resumed);
      assert.ok(resumed < 15_000, `writes resumed ${resumed} ms after the kill`);
      assertCounted(Number(await group.data(after, ["GET", "failover:kill"])), traffic.tally);
    } finally {
      await c.close();
      await group.settle();
    }
  }, 60_000);

  test("the pool across a failover: connections to the old master are closed and never lent after the switch", async () => {
    const pool = createPool({ url: group.url, max: 6, min: 3, ...patient });
    const destroyed: Array<PoolEvents["destroy"]> = [];
    let switchedAt = Infinity;
    pool.on("destroy", (event) => destroyed.push(event));
    pool.on("failover", () => (switchedAt = Date.now()));
    const lentAfterSwitch: number[] = [];
    let stopped = false;
    const leasing = (async () => {
      while (!stopped) {
        await pool.withConnection(async (lease) => {
          const reply = await lease.send(["CONFIG", "GET", "port"]); // a map on RESP3
          const port = Number(reply instanceof Map ? reply.get("port") : (reply as unknown[])[1]);
          if (lease.acquiredAt > switchedAt) lentAfterSwitch.push(port);
        }).catch(() => {});
        await sleep(5);
      }
    })();
    try {
      await pool.del("failover:pool");
      const traffic = startTraffic(() => pool.incr("failover:pool"), 50);
      await until(() => traffic.tally.acked >= 500, "pool traffic before the failover", 10_000);
      const before = await group.master();
      const after = await group.failover();
      await until(() => switchedAt < Infinity, "the pool to hear of the failover", 10_000);
      await until(() => firstAckAfter(traffic, switchedAt) < Infinity && lentAfterSwitch.length >= 5, "pool commands and leases after the switch", 15_000);
      const tally = await traffic.stop();
      stopped = true;
      await leasing;
      assert.ok(lentAfterSwitch.every((port) => port === after.port), `lent after the switch: ${lentAfterSwitch.join(", ")} (old master ${before.port})`);
      assert.ok(destroyed.some((d) => /the master moved to/.test(d.reason)), destroyed.map((d) => d.reason).join("; "));
      assert.equal(pool.stats().failovers, 1);
      assertCounted(Number(await group.data(after, ["GET", "failover:pool"])), tally);
    } finally {
      stopped = true;
      await leasing;
      await pool.close();
      await group.settle();
    }
  }, 60_000);

  test("subscriptions move to the new master at the switch, and hear what is published there", async () => {
    const c = createClient({ url: group.url, clientName: "follows-switch" });
    const heard: string[] = [];
    try {
      await c.subscribe("failover:news", (message) => heard.push(String(message)));
      const after = await group.failover();
      // Not only once the sentinels demote the old master (which closes its subscribers), seconds later.
      await until(async () => String(await group.data(after, ["CLIENT", "LIST", "TYPE", "pubsub"])).includes("name=follows-switch"), "the subscriber on the new master", 1_500);
      await until(async () => Number(await group.data(after, ["PUBLISH", "failover:news", "hello"])) === 1, "a delivery on the new master");
      await until(() => heard.includes("hello"), "the message");
    } finally {
      await c.close();
      await group.settle();
    }
  }, 60_000);

  test("a shared owner across a failover: its workers' commands settle and resume", async () => {
    const c = createClient({ url: group.url, ...patient });
    const workers = await Promise.all([1, 2].map(() => spawnWorker("traffic-agent.ts")));
    const owners = workers.map((w) => exposeClient(c, w.endpoint));
    try {
      await c.del("failover:workers");
      await Promise.all(workers.map((w) => w.call("start", ["failover:workers", 50])));
      const acked = async () => (await Promise.all(workers.map((w) => w.call("acked")))).map(Number);
      await until(async () => (await acked()).every((n) => n >= 200), "worker traffic before the failover", 10_000);
      await group.failover();
      const atSwitch = await acked();
      await until(async () => (await acked()).every((n, i) => n >= atSwitch[i]! + 200), "every worker's writes to resume", 15_000);
      const tallies = (await Promise.all(workers.map((w) => w.call("stop")))) as Tally[];
      const total = tallies.reduce((sum, t) => ({ acked: sum.acked + t.acked, mayHaveRun: sum.mayHaveRun + t.mayHaveRun, notRun: sum.notRun + t.notRun, errors: {} }));
      assertCounted(Number(await group.data(await group.master(), ["GET", "failover:workers"])), total);
    } finally {
      await Promise.all(workers.map((w) => w.call("close").catch(() => {})));
      await Promise.all(workers.map((w) => w.terminate()));
      await Promise.all(owners.map((o) => o.close()));
      await c.close();
      await group.settle();
    }
  }, 60_000);
});
