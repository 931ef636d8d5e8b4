import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test } from "./runner.ts";
import { ask, startSentinelGroup, SENTINEL_USER, type SentinelGroup } from "./sentinel.ts";

describe("test harness: a Sentinel group", () => {
  let group: SentinelGroup;
  beforeAll(async () => {
    group = await startSentinelGroup();
  }, 60_000);
  afterAll(() => group?.stop(), 30_000);

  test("a master, a replica and three sentinels that name the master; sentinels know their ACL user", async () => {
    const master = await group.master();
    assert.ok(group.nodes.includes(master));
    assert.deepEqual(await group.data(await group.replica(), ["ROLE"]).then((r) => String((r as unknown[])[0])), "slave");
    assert.equal(await ask(group.sentinels[2]!.port, ["PING"], SENTINEL_USER), "PONG");
    assert.match(group.url, /^redis\+sentinel:\/\/:data-secret@127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\/mymaster$/);
  });
});
