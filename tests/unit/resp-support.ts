/**
 * Helpers for the RESP codec tests: building inputs, feeding them under every split, a seeded PRNG,
 * and a checker that a value is a well-formed RespValue. Test-only.
 */
import assert from "node:assert/strict";
import { Decoder, type DecoderOptions } from "../../src/resp/decode.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { type LimitError, RedisError } from "../../src/errors.ts";

const text = new TextEncoder();

/** Joins strings (as UTF-8) and byte arrays into one input. */
export function resp(...parts: (string | Uint8Array)[]): Uint8Array {
  const encoded = parts.map((p) => (typeof p === "string" ? text.encode(p) : p));
  const out = new Uint8Array(encoded.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of encoded) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What a decoder delivered: replies, pushes, replies refused at a bound, and the order they came in. */
export interface Decoded {
  replies: RespValue[];
  pushes: RespValue[][];
  limits: LimitError[];
  events: ("reply" | "push" | "limit")[];
  pending: number;
}

/** Feeds `chunks` to a fresh decoder and returns what it delivered. Errors propagate. */
export function decodeChunks(chunks: Uint8Array[], options?: DecoderOptions): Decoded {
  const out: Decoded = { replies: [], pushes: [], limits: [], events: [], pending: 0 };
  const decoder = new Decoder({
    onReply: (v) => { out.replies.push(v); out.events.push("reply"); },
    onPush: (v) => { out.pushes.push(v); out.events.push("push"); },
    onLimit: (e) => { out.limits.push(e); out.events.push("limit"); },
  }, options);
  for (const c of chunks) decoder.feed(c);
  out.pending = decoder.pending;
  return out;
}

/** Splits `input` at the given offsets (ascending) into copies, as a socket would deliver them. */
export function splitAt(input: Uint8Array, offsets: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const at of offsets) {
    chunks.push(input.slice(from, at));
    from = at;
  }
  chunks.push(input.slice(from));
  return chunks;
}

/** Every way the tests feed one input: whole, byte by byte, and split in two at each offset. */
export function* everySplit(input: Uint8Array): Generator<{ how: string; chunks: Uint8Array[] }> {
  yield { how: "whole", chunks: [input] };
  yield { how: "byte by byte", chunks: Array.from({ length: input.length }, (_, i) => input.slice(i, i + 1)) };
  for (let at = 0; at <= input.length; at++) yield { how: `split at ${at}`, chunks: splitAt(input, [at]) };
}

/** Asserts `input` decodes to `replies` (and `pushes`) however it is split, leaving nothing pending. */
export function assertDecodes(
  input: Uint8Array | string,
  replies: RespValue[],
  options: DecoderOptions & { pushes?: RespValue[][] } = {},
): void {
  const bytes = typeof input === "string" ? resp(input) : input;
  for (const { how, chunks } of everySplit(bytes)) {
    const got = decodeChunks(chunks, options);
    assert.deepStrictEqual(withPlainErrors(got.replies), withPlainErrors(replies), `replies differ when fed ${how}`);
    assert.deepStrictEqual(withPlainErrors(got.pushes), withPlainErrors(options.pushes ?? []), `pushes differ when fed ${how}`);
    assert.deepStrictEqual(got.limits, [], `replies refused when fed ${how}`);
    assert.equal(got.pending, 0, `bytes left pending when fed ${how}`);
  }
}

/** A seeded PRNG (mulberry32): the same seed gives the same test inputs on every runtime. */
export interface Rng {
  /** A float in [0, 1). */
  (): number;
}

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** One element of `items`. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[int(rng, items.length)]!;
}

/** Sorted distinct split offsets inside `length`, at most `max` of them. */
export function randomSplits(rng: Rng, length: number, max: number): number[] {
  const offsets = new Set<number>();
  const n = int(rng, max + 1);
  for (let k = 0; k < n; k++) offsets.add(int(rng, length + 1));
  return [...offsets].sort((x, y) => x - y);
}

/** Whether `v` is a well-formed RespValue, recursively. */
export function isRespValue(v: unknown, depth = 0): boolean {
  if (depth > 1001) return false;
  if (v === null) return true;
  switch (typeof v) {
    case "string":
    case "number":
    case "bigint":
    case "boolean":
      return true;
    case "object":
      if (v instanceof Uint8Array || v instanceof RedisError) return true;
      if (Array.isArray(v)) return v.every((e) => isRespValue(e, depth + 1));
      if (v instanceof Map) return [...v].every(([k, e]) => isRespValue(k, depth + 1) && isRespValue(e, depth + 1));
      if (v instanceof Set) return [...v].every((e) => isRespValue(e, depth + 1));
      return false;
    default:
      return false;
  }
}

/**
 * `value` with each RedisError replaced by a plain `{ redisError, code }` record, for deep equality
 * that means the same on every runtime: Bun's deepStrictEqual also compares the stacks of errors
 * that sit inside maps with object keys, and two errors made in different places never match.
 */
export function withPlainErrors(value: unknown): unknown {
  if (value instanceof RedisError) return { redisError: value.message, code: value.code };
  if (Array.isArray(value)) return value.map(withPlainErrors);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [withPlainErrors(k), withPlainErrors(v)]));
  if (value instanceof Set) return new Set([...value].map(withPlainErrors));
  return value;
}
