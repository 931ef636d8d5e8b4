import assert from "node:assert/strict";
import { resolveCacheOptions } from "../../src/cache/options.ts";
import { argKey, cacheScope, NOT_CACHEABLE, readKeys, writtenKeys } from "../../src/cache/policy.ts";
import { ClientCache } from "../../src/cache/cache.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { Command } from "../../src/conn/command.ts";
import { invalidatedKeys, trackingCommand } from "../../src/cache/tracking.ts";
import { lookupCommand } from "../../src/commands/lookup.ts";
import type { Arg, RespValue } from "../../src/resp/types.ts";
import { describe, test } from "../harness/runner.ts";

const scope = (args: Arg[], bytes = false) => cacheScope(args, lookupCommand(args), bytes);
const written = (args: Arg[]) => writtenKeys(args, lookupCommand(args));
const bytes = (text: string) => new TextEncoder().encode(text);

describe("cache policy", () => {
  test("read-only commands with known keys are cached under the command and all but its last argument", () => {
    assert.equal(scope(["GET", "k"]), "sGET");
    assert.equal(scope(["get", "k"]), "sGET");
    assert.equal(scope(["GET", "k"], true), "bGET");
    assert.equal(scope(["HGET", "h", "f"]), "sHGET\u00001:h");
    assert.notEqual(scope(["MGET", "a b", "c"]), scope(["MGET", "a", "b", "c"]));
    assert.deepEqual(readKeys(["MGET", "a", "b"], lookupCommand(["MGET"])!), ["a", "b"]);
    assert.deepEqual(readKeys(["ZINTER", 2, "z1", "z2"], lookupCommand(["ZINTER"])!), ["z1", "z2"]);
  });

  test("time-dependent, random, cursor and undeclared-key reads, writes and unknown commands are not cached", () => {
    for (const args of [["TTL", "k"], ["PTTL", "k"], ["SRANDMEMBER", "s"], ["HSCAN", "h", 0], ["SORT_RO", "l"], ["OBJECT", "IDLETIME", "k"], ["XREAD", "STREAMS", "s", "0"], ["SET", "k", "v"], ["DBSIZE"], ["FT.SEARCH", "i", "q"]] as Arg[][]) {
      assert.equal(scope(args), undefined, String(args[0]));
    }
    for (const name of NOT_CACHEABLE) assert.ok(lookupCommand(name.split("|"))?.flags.has("readonly"), `${name} is a read-only command of the table`);
  });

  test("an argument with no one exact text spelling is not cached", () => {
    assert.equal(argKey(new Uint8Array([0xff, 0xfe])), undefined);
    assert.equal(scope(["HGET", new Uint8Array([0xff]), "f"]), undefined);
    assert.equal(argKey(bytes("user:1")), "user:1");
    assert.equal(argKey("a\uD800b"), "a\uFFFDb"); // what TextEncoder sends for a lone surrogate
    assert.equal(argKey(Infinity), "+inf");
    assert.equal(argKey(10n), "10");
  });

  test("what a write drops: its keys, everything for keyless writes, nothing for reads and unknown commands", () => {
    assert.deepEqual(written(["SET", "k", "v"]), ["k"]);
    assert.deepEqual(written(["MSET", "a", "1", "b", "2"]), ["a", "b"]);
    assert.deepEqual(written(["DEL", "a", bytes("b")]), ["a", "b"]);
    assert.deepEqual(written(["EVAL", "return 1", 1, "k"]), ["k"]);
    assert.deepEqual(written(["SORT", "l", "STORE", "dest"]), ["l", "dest"]);
    assert.equal(written(["FLUSHDB"]), "all");
    assert.equal(written(["SWAPDB", 0, 1]), "all");
    assert.equal(written(["GET", "k"]), undefined);
    assert.equal(written(["PING"]), undefined);
    assert.equal(written(["FT.CREATE", "i"]), undefined);
  });
});

describe("cache store", () => {
  const options = (over: Partial<Parameters<typeof resolveCacheOptions>[0] & object> = {}) => resolveCacheOptions({ maxEntries: 100, ...over })!;
  /** A read sent and answered with `value`. */
  const put = (store: CacheStore, scope: string, last: string, keys: string[], value: RespValue) => store.end(store.begin(scope, last, keys), value);
  /** The held reply of a cache name, if any (a hit). */
  const held = (store: CacheStore, scope: string, last: string) => {
    const slot = store.find(scope, last);
    return slot !== undefined && store.hit(slot) ? slot.value : undefined;
  };

  test("evicts the least recently used entry past maxEntries", () => {
    const store = new CacheStore(options({ maxEntries: 2 }));
    put(store, "sGET", "a", ["a"], "1");
    put(store, "sGET", "b", ["b"], "2");
    assert.equal(held(store, "sGET", "a"), "1"); // a is now the most recently used
    put(store, "sGET", "c", ["c"], "3");
    assert.equal(held(store, "sGET", "b"), undefined);
    assert.equal(held(store, "sGET", "a"), "1");
    assert.equal(store.evictions, 1);
    assert.equal(store.size, 2);
  });

  test("evicts past maxBytes and refuses an entry larger than it", () => {
    const store = new CacheStore(options({ maxBytes: 1_000 }));
    for (let i = 0; i < 10; i++) put(store, "sGET", `k${i}`, [`k${i}`], "x".repeat(100));
    assert.ok(store.bytes <= 1_000 && store.size < 10 && store.size > 0);
    put(store, "sGET", "huge", ["huge"], "x".repeat(1_000));
    assert.equal(held(store, "sGET", "huge"), undefined);
  });

  test("invalidating a key drops every entry that depends on it, and only those", () => {
    const store = new CacheStore(options());
    put(store, "sGET", "a", ["a"], "1");
    put(store, "sMGET\u00001:a", "b", ["a", "b"], ["1", "2"]);
    put(store, "sGET", "b", ["b"], "2");
    store.invalidate("a", false);
    assert.equal(held(store, "sGET", "a"), undefined);
    assert.equal(held(store, "sMGET\u00001:a", "b"), undefined);
    assert.equal(held(store, "sGET", "b"), "2");
    assert.equal(store.invalidations, 2);
    store.invalidate("b", false);
    assert.equal(store.size, 0);
    assert.equal(store.bytes, 0);
    assert.equal(store.find("sGET", "b"), undefined, "no slot is left behind");
  });

  test("an entry past ttl is dropped when read", async () => {
    const store = new CacheStore(options({ ttl: 20 }));
    put(store, "sGET", "a", ["a"], "1");
    assert.equal(held(store, "sGET", "a"), "1");
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(held(store, "sGET", "a"), undefined);
    assert.equal(store.evictions, 1);
  });
});

describe("reads in flight", () => {
  const options = () => resolveCacheOptions({ maxEntries: 100 })!;

  test("an invalidation of one of its keys, or a flush, before the reply keeps the reply out", () => {
    const store = new CacheStore(options());
    const a = store.begin("sMGET\u00001:a", "b", ["a", "b"]);
    const c = store.begin("sGET", "c", ["c"]);
    store.invalidate("b", false);
    assert.equal(store.end(a, ["1", "2"]), false);
    assert.equal(store.end(c, "3"), true);
    const d = store.begin("sGET", "d", ["d"]);
    store.clear(true);
    assert.equal(store.end(d, "4"), false);
    assert.equal(store.end(store.begin("sGET", "d", ["d"]), "4"), true);
  });

  test("over the connection the invalidations come on, a read in flight stays fresh; its old reply does not", () => {
    const store = new CacheStore(options());
    store.end(store.begin("sGET", "k", ["k"]), "old");
    const again = store.begin("sGET", "k", ["k"], store.find("sGET", "k"));
    store.invalidate("k", true); // the push came before the reply: Redis ran the read after the write
    assert.equal(store.size, 0, "the held reply went");
    assert.equal(store.end(again, "new"), true);
    assert.equal(store.find("sGET", "k")?.value, "new");
  });

  test("a read may join an identical one on its way only while nothing invalidated it", () => {
    const store = new CacheStore(options());
    const first = store.begin("sGET", "k", ["k"]);
    assert.equal(store.find("sGET", "k"), first);
    store.invalidate("k", false);
    assert.equal(store.find("sGET", "k"), undefined, "spoiled: a new read gets a slot of its own");
    const second = store.begin("sGET", "k", ["k"]);
    assert.notEqual(second, first);
    assert.equal(store.end(first, "old"), false);
    assert.equal(store.find("sGET", "k"), second, "the spoiled one's end leaves the newer one");
    store.end(second, undefined); // failed: nothing held, nothing in flight
    assert.equal(store.find("sGET", "k"), undefined);
  });

  test("a reply evicted while another read of it is on its way is held again when that one is answered", () => {
    const store = new CacheStore(resolveCacheOptions({ maxEntries: 1 })!);
    store.end(store.begin("sGET", "a", ["a"]), "1");
    const again = store.begin("sGET", "a", ["a"], store.find("sGET", "a"));
    store.end(store.begin("sGET", "b", ["b"]), "2"); // evicts a's reply; its slot stays for the read
    assert.equal(store.evictions, 1);
    assert.equal(store.end(again, "1"), true);
    assert.equal(store.size, 1);
  });
});

describe("joining a read on its way", () => {
  const args = ["GET", "k"];
  const info = lookupCommand(args);

  test("a read answered is no longer joined: after an invalidation, a new read goes to Redis", () => {
    // Over the connection the invalidations come on: B answered and held, C (a deadline of its
    // own, so not joinable) still on its way, then Redis invalidates k.
    const cache = new ClientCache(resolveCacheOptions(true)!, undefined, true);
    const b = cache.lookup(args, info, undefined, false);
    assert.ok(b !== undefined && !(b instanceof Promise));
    const answerB = cache.fill(b, Promise.resolve("v1"));
    const c = cache.lookup(args, info, { timeout: 1_000 }, false);
    assert.ok(c !== undefined && !(c instanceof Promise), "a read with a deadline of its own is sent");
    cache.fill(c, new Promise(() => {}));
    answerB("v1");
    cache.invalidated(["k"]);
    const d = cache.lookup(args, info, undefined, false);
    assert.ok(!(d instanceof Promise), "D does not get B's reply, older than the invalidation");
  });

  test("a read that failed at once (refused, aborted) leaves no read to join and nothing to wait for", () => {
    const cache = new ClientCache(resolveCacheOptions(true)!, undefined, true);
    const read = cache.lookup(args, info, undefined, false);
    assert.ok(read !== undefined && !(read instanceof Promise));
    const cmd = new Command(args, false, 0, AbortSignal.abort());
    cmd.promise.catch(() => {});
    cmd.listen(cache.fill(read, cmd.promise));
    const again = cache.lookup(args, info, undefined, false);
    assert.ok(!(again instanceof Promise), "not joined to the failed read");
    cache.fill(again!, Promise.resolve("v")).call(undefined, "v");
    assert.equal(cache.stats().entries, 1);
  });
});

describe("tracking", () => {
  test("the CLIENT TRACKING command for each mode", () => {
    const defaults = resolveCacheOptions(true)!;
    assert.deepEqual(trackingCommand(defaults), ["CLIENT", "TRACKING", "ON"]);
    assert.deepEqual(trackingCommand(defaults, 7), ["CLIENT", "TRACKING", "ON", "REDIRECT", 7]);
    assert.deepEqual(trackingCommand(resolveCacheOptions({ mode: "broadcast", prefixes: ["a:", "b:"] })!), ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a:", "PREFIX", "b:"]);
  });

  test("invalidations read from RESP3 pushes and RESP2 messages, strings or bytes", () => {
    assert.deepEqual(invalidatedKeys(["invalidate", ["a", "b"]]), ["a", "b"]);
    assert.deepEqual(invalidatedKeys([bytes("invalidate"), [bytes("a")]]), ["a"]);
    assert.equal(invalidatedKeys(["invalidate", null]), null);
    assert.deepEqual(invalidatedKeys(["message", "__redis__:invalidate", ["a"]]), ["a"]);
    assert.equal(invalidatedKeys(["message", "__redis__:invalidate", null]), null);
    assert.equal(invalidatedKeys(["message", "news", "hello"]), undefined);
    assert.equal(invalidatedKeys(["pmessage", "*", "x", "y"]), undefined);
  });
});
