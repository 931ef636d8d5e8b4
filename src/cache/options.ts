/**
 * Options of the client-side cache (`cache` on `createClient` and `createPool`), with defaults.
 * @module
 */

/**
 * How the client-side cache is bounded and which invalidations it asks Redis for.
 *
 * @example
 * ```ts
 * createClient({ url, cache: { maxEntries: 50_000, maxBytes: 64 * 1024 * 1024, ttl: 60_000 } });
 * createClient({ url, cache: { mode: "broadcast", prefixes: ["user:", "config:"] } });
 * ```
 */
export interface CacheOptions {
  /** Most replies kept; the least recently used goes first. Default `10000`. */
  maxEntries?: number;
  /** Most bytes kept (replies and their commands, estimated); the least recently used goes first. Default `32 MiB`. */
  maxBytes?: number;
  /**
   * Longest a reply is served from the cache, ms; `0` keeps it until Redis invalidates it or it is
   * evicted. Bounds the window of a key that expired but that Redis has not reclaimed yet (it sends
   * the invalidation only then). Default `0`.
   */
  ttl?: number;
  /**
   * `"default"`: Redis remembers the keys this client read and invalidates just those.
   * `"broadcast"`: Redis invalidates every key under `prefixes` (all keys when none are given),
   * read or not, and remembers nothing per client; only reads whose keys all lie under a prefix
   * are cached. Default `"default"`.
   */
  mode?: "default" | "broadcast";
  /** Key prefixes for `mode: "broadcast"`. */
  prefixes?: string[];
}

/** {@link CacheOptions} with every default applied. */
export interface ResolvedCacheOptions {
  maxEntries: number;
  maxBytes: number;
  ttl: number;
  mode: "default" | "broadcast";
  prefixes: readonly string[];
}

/**
 * Validate and apply defaults; `true` means every default, `undefined` or `false` no cache.
 *
 * @example
 * ```ts
 * resolveCacheOptions({ ttl: 1000 })?.maxEntries; // 10000
 * resolveCacheOptions(undefined);                  // undefined
 * ```
 */
export function resolveCacheOptions(input: CacheOptions | boolean | undefined): ResolvedCacheOptions | undefined {
  if (input === undefined || input === false) return undefined;
  const given: CacheOptions = input === true ? {} : input;
  if (typeof given !== "object" || given === null) throw new TypeError(`option cache must be an object or true, got ${String(given)}`);
  const mode = given.mode ?? "default";
  if (mode !== "default" && mode !== "broadcast") throw new TypeError(`option cache.mode must be "default" or "broadcast", got ${String(mode)}`);
  const prefixes = given.prefixes ?? [];
  if (!Array.isArray(prefixes) || prefixes.some((p) => typeof p !== "string" || p === "")) {
    throw new TypeError("option cache.prefixes must be an array of non-empty strings");
  }
  if (prefixes.length > 0 && mode !== "broadcast") throw new TypeError('option cache.prefixes needs mode: "broadcast"');
  return {
    maxEntries: positive("cache.maxEntries", given.maxEntries ?? 10_000, true),
    maxBytes: positive("cache.maxBytes", given.maxBytes ?? 32 * 1024 * 1024, false),
    ttl: atLeastZero("cache.ttl", given.ttl ?? 0),
    mode,
    prefixes: [...prefixes],
  };
}

function positive(name: string, value: number, integer: boolean): number {
  if (typeof value !== "number" || !(value >= 1) || (integer && !Number.isInteger(value))) {
    throw new TypeError(`option ${name} must be ${integer ? "an integer" : "a number"} >= 1, got ${String(value)}`);
  }
  return value;
}

function atLeastZero(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new TypeError(`option ${name} must be a number of ms >= 0, got ${String(value)}`);
  return value;
}
