import assert from "node:assert/strict";
import { resolveClientOptions } from "../../src/mux/options.ts";
import { resolvePoolOptions } from "../../src/pool/options.ts";
import { parseSentinelUrl, splitTopology } from "../../src/topology/options.ts";
import { describe, test } from "../harness/runner.ts";

describe("Sentinel URLs and topology options", () => {
  test("redis+sentinel:// gives the sentinels (port 26379 by default), the master's name, and the data nodes' credentials and db", () => {
    assert.deepEqual(parseSentinelUrl("redis+sentinel://alice:p%40ss@10.0.0.1,10.0.0.2:26380,[::1]:5000/mymaster/2"), {
      sentinel: {
        name: "mymaster",
        sentinels: [{ host: "10.0.0.1", port: 26379 }, { host: "10.0.0.2", port: 26380 }, { host: "::1", port: 5000 }],
      },
      data: { username: "alice", password: "p@ss", db: 2 },
    });
    assert.deepEqual(parseSentinelUrl("rediss+sentinel://s1/m").data, { tls: {} });
  });

  test("a bad Sentinel URL is refused without echoing its password", () => {
    for (const url of ["redis+sentinel://:hunter2@s1", "redis+sentinel://:hunter2@/m", "redis+sentinel://:hunter2@s1:99999/m"]) {
      assert.throws(() => parseSentinelUrl(url), (err: Error) => err instanceof TypeError && !err.message.includes("hunter2"), url);
    }
  });

  test("the URL and the sentinel option merge: the option's fields win, the sentinels' credentials stay apart from the data nodes'", () => {
    const { options, topology } = splitTopology({
      url: "redis+sentinel://:data-pw@s1,s2/mymaster",
      sentinel: { name: "mymaster", sentinels: ["s3:1234"], password: "sentinel-pw" },
      clientName: "app",
    });
    assert.deepEqual(options, { password: "data-pw", clientName: "app" });
    assert.deepEqual(topology.sentinel, { name: "mymaster", sentinels: [{ host: "s3", port: 1234 }], username: undefined, password: "sentinel-pw", tls: undefined });
    const resolved = resolveClientOptions({ url: "redis+sentinel://:data-pw@s1/mymaster/4" });
    assert.equal(resolved.connection.password, "data-pw");
    assert.equal(resolved.connection.db, 4);
    assert.equal(resolved.topology.sentinel?.name, "mymaster");
  });

  test("bad topology options are refused with the option's name", () => {
    assert.throws(() => resolveClientOptions({ sentinel: { name: "", sentinels: ["s1"] } }), /sentinel\.name/);
    assert.throws(() => resolveClientOptions({ sentinel: { name: "m", sentinels: [] } }), /sentinel\.sentinels/);
    assert.throws(() => resolveClientOptions({ readFrom: "replica" }), /readFrom "replica" needs replicas/);
    assert.throws(() => resolveClientOptions({ readFrom: "nearest" as "replica", replicas: ["r:1"] }), /readFrom/);
    assert.throws(() => resolveClientOptions({ sentinel: { name: "m", sentinels: ["s"] }, replicas: ["r:1"] }), /cannot be combined/);
    assert.throws(() => resolvePoolOptions({ url: "redis://h", readFrom: "replica", replicas: ["r"] } as never), /multiplexer/);
    assert.deepEqual(resolveClientOptions({ replicas: ["redis://r1:7000", { host: "r2", port: 7001 }, "r3"], readFrom: "prefer-replica" }).topology.replicas, [
      { host: "r1", port: 7000 }, { host: "r2", port: 7001 }, { host: "r3", port: 6379 },
    ]);
  });
});
