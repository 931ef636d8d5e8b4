import assert from "node:assert/strict";
import { createClient, type RedisClient } from "../../mod.ts";
import { startProxy, type FaultProxy } from "../harness/proxy.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// The subscriber's heartbeat PING and its (un)subscribe commands share one connection. An error
// reply that answers the PING (an ACL user allowed to subscribe but not to PING: `+@pubsub` does
// not include PING) must settle the PING, not be taken for the refusal of a SUBSCRIBE written
// after it: that subscribe() would reject with the PING's NOPERM although the server subscribed.

describe("review: the subscriber's heartbeat PING failing beside a SUBSCRIBE", () => {
  let server: RedisServer;
  let proxy: FaultProxy;
  let admin: RedisClient;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startProxy({ host: server.host, port: server.port });
    admin = createClient({ url: server.url });
    await admin.send(["ACL", "SETUSER", "resplex-noping", "on", ">pw", "~*", "&*", "+@all", "-ping"]);
  });
  afterAll(async () => {
    await admin?.close();
    await proxy?.close();
    await server?.stop();
  });

  for (const protocol of [2, 3] as const) {
    test(`subscribe() written while a heartbeat PING awaits its NOPERM is confirmed, not refused (RESP${protocol})`, async () => {
      // A slow network keeps each heartbeat PING in flight most of the time.
      proxy.set({ delay: 60 });
      const c = createClient({ url: proxy.url, username: "resplex-noping", password: "pw", protocol, livenessTimeout: 150, commandTimeout: 3_000 });
      try {
        const received: string[] = [];
        const outcomes: string[] = [];
        for (let i = 0; i < 8; i++) {
          const channel = `review:hb:${protocol}:${i}`;
          outcomes.push(await c.subscribe(channel, (message) => received.push(String(message))).then(() => "ok", (err: Error) => err.message));
        }
        assert.deepEqual(outcomes, Array(8).fill("ok"));
        await admin.send(["PUBLISH", `review:hb:${protocol}:7`, "m"]);
        const deadline = Date.now() + 2_000;
        while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        assert.deepEqual(received, ["m"]);
      } finally {
        proxy.set({ delay: 0 });
        await c.close();
      }
    }, 20_000);
  }
});
