import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import { createClient, createPool, type RedisClient } from "../../mod.ts";
import type { ClientCache } from "../../src/cache/cache.ts";
import type { CommandApi } from "../../src/client/api.ts";
import type { RedisServer } from "../harness/redis.ts";
import { afterAll, beforeAll, describe, test } from "../harness/runner.ts";
import { until } from "../harness/wait.ts";
import { startCacheServer, stopCacheServer } from "./cache-helpers.ts";

const WRITES = 5_000;
const BACKGROUND_READERS = 20;

/**
 * The invariant of issue 16, item 3, under load: after another client's write resolved, a read on
 * the caching client issued after a PING on its tracking connection returns the new value. Each
 * round races a read of a key (not cached yet) against another client's write of it, so that
 * old replies keep arriving around the invalidations; background readers keep more reads of the
 * recent keys in flight.
 */
async function staleReads(
  prefix: string,
  reader: CommandApi,
  /** Wait until an invalidation Redis sent for `key` before the write resolved is delivered; `racing`: what the racing read returned. */
  delivered: (key: string, racing: unknown) => Promise<unknown>,
  writer: CommandApi,
  backgroundReaders = BACKGROUND_READERS,
): Promise<{ stale: string[]; reads: number }> {
  let running = true;
  let reads = 0;
  let latest = 0;
  const background = Array.from({ length: backgroundReaders }, async (_, n) => {
    for (let i = n; running; i++) {
      await reader.get(`${prefix}:${Math.max(0, latest - (i % 8))}`);
      reads++;
      // A hit resolves at once: a loop of hits alone would never let the sockets be read.
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  const stale: string[] = [];
  try {
    for (let i = 1; i <= WRITES; i++) {
      const key = `${prefix}:${i}`;
      latest = i;
      const racing = reader.get(key); // sent before the write; answered before or after it
      await writer.set(key, String(i));
      await delivered(key, await racing);
      const seen = await reader.get(key);
      if (seen !== String(i)) stale.push(`${key}: wrote ${i}, read ${seen}`);
    }
  } finally {
    running = false;
    await Promise.all(background);
  }
  return { stale, reads };
}

describe("client-side cache: no stale read after an invalidation was delivered", () => {
  let server: RedisServer;
  let admin: RedisClient;
  let writer: RedisClient;
  beforeAll(async () => void ({ server, admin, writer } = await startCacheServer()));
  afterAll(() => stopCacheServer({ server, admin, writer }));

  test(`multiplexer: ${WRITES} writes by another client, reads in flight throughout, zero stale reads`, async () => {
    const reader = createClient({ url: server.url, cache: true });
    try {
      const { stale, reads } = await staleReads("race:mux", reader, () => reader.send(["PING"]), writer);
      assert.deepEqual(stale.slice(0, 5), [], `${stale.length} stale reads of ${WRITES}`);
      const cache = reader.stats().cache!;
      assert.ok(cache.hits > 0 && reads > WRITES, `the cache was exercised: ${JSON.stringify(cache)}, ${reads} background reads`);
    } finally {
      await reader.close();
    }
  }, 120_000);

  test(`pool of 2: ${WRITES} writes by another client, reads in flight throughout, zero stale reads`, async () => {
    const pool = createPool({ url: server.url, max: 2, cache: true });
    // Invalidations arrive on whichever connection read the key: PING both.
    const pingAll = async () => {
      const leases = await Promise.all([pool.acquire(), pool.acquire()]);
      await Promise.all(leases.map((lease) => lease.send(["PING"])));
      await Promise.all(leases.map((lease) => lease.release()));
    };
    try {
      const { stale, reads } = await staleReads("race:pool", pool, () => pingAll(), writer);
      assert.deepEqual(stale.slice(0, 5), [], `${stale.length} stale reads of ${WRITES}`);
      const cache = pool.stats().cache!;
      assert.ok(cache.hits > 0 && reads > 0, `the cache was exercised: ${JSON.stringify(cache)}, ${reads} background reads`);
    } finally {
      await pool.close();
    }
  }, 120_000);

  test(`RESP2, invalidations redirected to a connection of their own: ${WRITES} writes, zero stale reads once delivered`, async () => {
    const reader = createClient({ url: server.url, protocol: 2, cache: true });
    const cache = reader.cache as ClientCache;
    // The invalidation comes on the other connection, unordered with this one's replies: a PING
    // here says nothing about it. Each key is new: when the racing read saw the old value, it was
    // tracked before the write, and its invalidation is on its way; wait for that.
    const seen = new Set<string>();
    const waiting = new Map<string, () => void>();
    cache.onInvalidate((keys) => {
      for (const key of keys ?? []) {
        seen.add(key);
        waiting.get(key)?.();
      }
    });
    const delivered = (key: string, racing: unknown) => {
      if (racing !== null || seen.has(key)) return Promise.resolve();
      return new Promise<void>((resolve) => waiting.set(key, resolve));
    };
    try {
      // Caching starts once both connections are up and tracking redirects to the other one.
      await until(async () => {
        await reader.get("race:resp2:warm");
        return (await reader.get("race:resp2:warm"), cache.stats().hits > 0);
      }, "caching to start");
      const { stale } = await staleReads("race:resp2", reader, delivered, writer, 0);
      assert.deepEqual(stale.slice(0, 5), [], `${stale.length} stale reads of ${WRITES}`);
      assert.ok(cache.stats().hits > 0, JSON.stringify(cache.stats()));
    } finally {
      await reader.close();
    }
  }, 120_000);
});
