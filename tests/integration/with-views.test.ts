import assert from "node:assert/strict";
import { AbortError, type CommandApi, createClient, createPool, type Lease, type Pool, type RedisClient } from "../../mod.ts";
import { exposeClient, wrapClient, type Endpoint, type OwnerHandle, type WorkerClient } from "../../worker.ts";
import { startRedis, type RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";

// `surface.with(options)` is a view of the surface: every method works on it as on the surface,
// and every command it sends — typed, raw, in multi()/pipeline(), on the connection isolated()
// lends, on a lease it acquires — carries the options. `bytes: true` makes that visible (replies
// come back as Uint8Array); an aborted signal makes every command reject with AbortError.

const bytes = (s: string) => new TextEncoder().encode(s);
const KEY = "views:k";

/** The checks every surface's view must pass. */
function commandChecks(surface: () => CommandApi): void {
  test("typed commands, send, multi(), pipeline(), script() and scanIterator() carry the options", async () => {
    const view = surface().with({ bytes: true });
    assert.deepEqual(await view.get(KEY), bytes("v"));
    assert.deepEqual(await view.send(["GET", KEY]), bytes("v"));
    assert.deepEqual(await view.multi().get(KEY).incr("views:n").exec(), [bytes("v"), Number((await surface().get("views:n"))!)]);
    assert.deepEqual(await view.pipeline().get(KEY).exec(), [bytes("v")]);
    assert.deepEqual(await view.script("return redis.call('GET', KEYS[1])").run([KEY]), bytes("v"));
    const keys: unknown[] = [];
    for await (const key of view.scanIterator({ match: KEY })) keys.push(key);
    assert.deepEqual(keys, [bytes(KEY)]);
  });

  test("isolated() lends a connection that carries the options", async () => {
    const view = surface().with({ bytes: true });
    assert.deepEqual(await view.isolated((c) => c.get(KEY)), bytes("v"));
    assert.deepEqual(await view.isolated((c) => c.multi().get(KEY).exec()), [bytes("v")]);
  });

  test("a view of a view carries both option sets, the later winning", async () => {
    const view = surface().with({ bytes: true }).with({ timeout: 5_000 });
    assert.deepEqual(await view.get(KEY), bytes("v"));
    assert.equal(await view.with({ bytes: false }).get(KEY), "v");
    assert.equal(await surface().get(KEY), "v", "the surface itself is unchanged");
  });

  test("an option given as undefined leaves the view's as it was", async () => {
    const view = surface().with({ bytes: true });
    assert.deepEqual(await view.with({ bytes: undefined }).get(KEY), bytes("v"));
    assert.deepEqual(await view.with({ bytes: undefined, timeout: undefined }).multi().get(KEY).exec(), [bytes("v")]);
    assert.deepEqual(await view.send(["GET", KEY], { bytes: undefined }), bytes("v"));
  });

  test("an aborted signal rejects every kind of command with AbortError", async () => {
    const view = surface().with({ signal: AbortSignal.abort() });
    await assert.rejects(view.get(KEY), AbortError);
    await assert.rejects(view.multi().get(KEY).exec(), AbortError);
    await assert.rejects(view.isolated((c) => c.get(KEY)), AbortError);
  });
}

describe("with() views", () => {
  let server: RedisServer;
  let client: RedisClient;
  let pool: Pool;
  let lease: Lease;
  let owner: OwnerHandle;
  let worker: WorkerClient;
  let port: MessagePort;
  beforeAll(async () => {
    server = await startRedis();
    client = createClient({ url: server.url });
    pool = createPool({ url: server.url, max: 4 });
    await client.set(KEY, "v");
    lease = await pool.acquire();
    const channel = new MessageChannel();
    owner = exposeClient(client, channel.port1 as unknown as Endpoint);
    worker = wrapClient(channel.port2 as unknown as Endpoint);
    port = channel.port1;
  });
  afterAll(async () => {
    await worker?.close();
    await owner?.close();
    port?.close();
    await lease?.release();
    await pool?.close();
    await client?.close();
    await server?.stop();
  });

  describe("of a client", () => {
    commandChecks(() => client);

    test("the client's own methods work on the view", async () => {
      const view = client.with({ bytes: true });
      assert.equal(view.stats().state, "ready");
      let heard = "";
      const off = view.on("error", () => {});
      off();
      const unsubscribe = await view.subscribe("views:ch", (message) => void (heard = String(message)));
      await client.publish("views:ch", "hi");
      for (let i = 0; i < 100 && heard === ""; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(heard, "hi");
      await unsubscribe();
    });
  });

  describe("of a pool", () => {
    commandChecks(() => pool);

    test("acquire() and withConnection() lend leases that carry the options; the pool's own methods work", async () => {
      const view = pool.with({ bytes: true });
      const leased = await view.acquire();
      try {
        assert.deepEqual(await leased.get(KEY), bytes("v"));
        assert.ok(leased.clientId > 0);
      } finally {
        await leased.release();
      }
      assert.equal(leased.released, true);
      assert.deepEqual(await view.withConnection((l) => l.get(KEY)), bytes("v"));
      assert.equal(view.stats().leased, 1, "only the suite's own lease is out");
      assert.equal(view.isOpen, true);
    });

    test("acquire() on a view with an aborted signal rejects with AbortError instead of waiting", async () => {
      await assert.rejects(pool.with({ signal: AbortSignal.abort() }).acquire(), AbortError);
    });
  });

  describe("of a lease", () => {
    commandChecks(() => lease);

    test("release() on the view releases the lease", async () => {
      const own = await pool.acquire();
      const view = own.with({ bytes: true });
      assert.deepEqual(await view.get(KEY), bytes("v"));
      await view.release();
      assert.equal(own.released, true);
      assert.equal(view.released, true);
    });
  });

  describe("of a worker client", () => {
    commandChecks(() => worker);

    test("the worker client's own methods work on the view", () => {
      const view = worker.with({ bytes: true });
      assert.equal(view.state, worker.state);
      assert.equal(view.commandTimeout, worker.commandTimeout);
    });
  });

  describe("of the connection isolated() lends", () => {
    test("views of a client's and a worker's isolated connection carry the options", async () => {
      for (const surface of [client, pool, worker]) {
        const got = await surface.isolated((c) => Promise.all([c.with({ bytes: true }).get(KEY), c.with({ bytes: true }).multi().get(KEY).exec()]));
        assert.deepEqual(got, [bytes("v"), [bytes("v")]]);
      }
    });
  });
});

/** Everything a view made by with() offers works, not only single commands. */
async function viewWorks(api: CommandApi, prefix: string): Promise<void> {
  const view = api.with({ timeout: 2_000 });
  await view.set(`${prefix}a`, "1");
  assert.deepEqual(await view.multi().incr(`${prefix}a`).get(`${prefix}a`).exec(), [2, "2"]);
  assert.deepEqual(await view.pipeline().incr(`${prefix}a`).exec(), [3]);
  const keys: string[] = [];
  for await (const key of view.scanIterator({ match: `${prefix}*` })) keys.push(key);
  assert.deepEqual(keys, [`${prefix}a`]);
  assert.equal(await view.isolated((c) => c.get(`${prefix}a`)), "3");
  assert.deepEqual(await view.watch(`${prefix}a`, (tx) => tx.multi().get(`${prefix}a`)), ["3"]);
}

describe("with() views: batches, scans, isolated work and watch()", () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(() => server?.stop());

  test("a client's view runs transactions, pipelines, scans and isolated work", async () => {
    const redis = createClient({ url: server.url });
    try {
      await viewWorks(redis, "client:");
    } finally {
      await redis.close();
    }
  });

  test("a pool's and a lease's views do too", async () => {
    const pool = createPool({ url: server.url, max: 2 });
    try {
      await viewWorks(pool, "pool:");
      await pool.withConnection((lease) => viewWorks(lease, "lease:"));
    } finally {
      await pool.close();
    }
  });
});
