import assert from "node:assert/strict";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, test } from "./runner.ts";
import { startRedis, type RedisServer } from "./redis.ts";

function ping(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port });
    s.on("error", reject);
    s.on("data", (d) => { s.destroy(); resolve(String(d)); });
    s.write("PING\r\n");
  });
}

describe("test harness: startRedis", () => {
  let server: RedisServer;
  beforeAll(async () => { server = await startRedis(); });
  afterAll(() => server.stop());

  test("serves on a private loopback port, not 6379", async () => {
    assert.notEqual(server.port, 6379);
    assert.equal(await ping(server.port), "+PONG\r\n");
  });

  test("restart() brings the server back on the same port after kill()", async () => {
    const port = server.port;
    await server.kill();
    await assert.rejects(ping(port));
    await server.restart();
    assert.equal(server.port, port);
    assert.equal(await ping(port), "+PONG\r\n");
  });
});
