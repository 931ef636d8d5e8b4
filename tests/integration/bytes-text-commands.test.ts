import assert from "node:assert/strict";
import { createClient, type BytesReplies, type RedisClient } from "../../mod.ts";
import { type RedisServer, startRedis } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// The commands typed text in both modes (tests/types/bytes-text.typecheck.ts lists them) must
// answer text in bytes mode too: not one Uint8Array anywhere in what they resolve to.

/** The path of the first Uint8Array inside `value`, or undefined. */
function bytesAt(value: unknown, path = "reply"): string | undefined {
  if (value instanceof Uint8Array) return path;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = bytesAt(inner, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

type Call = (redis: BytesReplies<RedisClient>) => Promise<unknown>;

const LIB = "#!lua name=bytestext\nredis.register_function('bt', function() return 1 end)";

/** One call per text-only command this server can answer (the CLUSTER ones need a cluster: typed-cluster.test.ts). */
const calls: Record<string, Call> = {
  info: (r) => r.info("server"),
  lolwut: (r) => r.lolwut(),
  ping: (r) => r.ping(),
  type: (r) => r.type("bt:list"),
  objectEncoding: (r) => r.objectEncoding("bt:list"),
  geohash: (r) => r.geohash("bt:geo", "p"),
  configGet: (r) => r.configGet("maxmemory*"),
  clientInfo: (r) => r.clientInfo(),
  clientList: (r) => r.clientList(),
  clientGetname: (r) => r.isolated(async (c) => (await c.clientSetname("bt"), c.clientGetname())),
  clientTrackinginfo: (r) => r.clientTrackinginfo(),
  commandList: (r) => r.commandList({ pattern: "get*" }),
  commandInfo: (r) => r.commandInfo("get", "xread"),
  commandDocs: (r) => r.commandDocs("get", "set"),
  commandGetkeys: (r) => r.commandGetkeys(["MSET", "a", "1", "b", "2"]),
  commandGetkeysandflags: (r) => r.commandGetkeysandflags(["SET", "a", "1"]),
  latencyLatest: (r) => r.latencyLatest(),
  latencyDoctor: (r) => r.latencyDoctor(),
  slowlogGet: (r) => r.slowlogGet(5),
  memoryDoctor: (r) => r.memoryDoctor(),
  memoryMallocStats: (r) => r.memoryMallocStats(),
  aclCat: (r) => r.aclCat(),
  aclGetuser: (r) => r.aclGetuser("default"),
  aclUsers: (r) => r.aclUsers(),
  aclList: (r) => r.aclList(),
  aclWhoami: (r) => r.aclWhoami(),
  aclGenpass: (r) => r.aclGenpass(),
  aclDryrun: (r) => r.aclDryrun("default", ["GET", "k"]),
  aclLog: (r) => r.aclLog(),
  role: (r) => r.role(),
  moduleList: (r) => r.moduleList(),
  pubsubChannels: (r) => r.pubsubChannels(),
  pubsubShardchannels: (r) => r.pubsubShardchannels(),
  scriptLoad: (r) => r.scriptLoad("return 1"),
  functionLoad: (r) => r.functionLoad(LIB, { replace: true }),
  functionList: (r) => r.functionList({ withCode: true }),
  functionStats: (r) => r.functionStats(),
  xadd: (r) => r.xadd("bt:stream", { f: "v" }),
  xpending: (r) => r.xpending("bt:stream", "g"),
  xpendingRange: (r) => r.xpendingRange("bt:stream", "g", { count: 10 }),
  xclaimJustid: (r) => r.xclaimJustid("bt:stream", "g", "c2", 0, ["1-1"]),
  xautoclaimJustid: (r) => r.xautoclaimJustid("bt:stream", "g", "c3", 0),
  xinfoGroups: (r) => r.xinfoGroups("bt:stream"),
  xinfoConsumers: (r) => r.xinfoConsumers("bt:stream", "g"),
};

describe("text-only commands answer text in bytes mode", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
    const setup = createClient({ url: server.url });
    await setup.rpush("bt:list", "a");
    await setup.geoadd("bt:geo", [{ longitude: 13.361389, latitude: 38.115556, member: "p" }]);
    await setup.xadd("bt:stream", { f: "v" }, { id: "1-1" });
    await setup.xgroupCreate("bt:stream", "g", "0");
    await setup.xreadgroup("g", "c", { "bt:stream": ">" });
    await setup.functionLoad(LIB, { replace: true });
    await setup.close();
  });
  afterAll(() => server?.stop());

  for (const protocol of [2, 3] as const) {
    test(`RESP${protocol}: no Uint8Array in any of their replies`, async () => {
      const redis = createClient({ url: server.url, protocol, decode: "bytes" });
      try {
        const found: string[] = [];
        for (const [name, call] of Object.entries(calls)) {
          const at = bytesAt(await call(redis), name);
          if (at) found.push(at);
        }
        assert.deepEqual(found, []);
      } finally {
        await redis.close();
      }
    });
  }
});
