/**
 * A test-only RESP serializer and random value generator, for property tests of the decoder.
 * It is written independently of src/resp (string concatenation, TextEncoder.encode per piece) so a
 * bug in the decoder cannot be mirrored here. With an rng it picks randomly among the encodings
 * that mean the same value (`_` / `$-1` / `*-1` for null, `+` / `$` / `=` for strings, `>` for
 * nested arrays) and puts attributes before values, which the decoder must skip.
 */
import { RedisError } from "../../src/errors.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { int, pick, type Rng } from "./resp-support.ts";

const text = new TextEncoder();

function hasCrLf(bytes: Uint8Array): boolean {
  return bytes.includes(13) || bytes.includes(10);
}

/** Serializes `value` as RESP (a top-level push when `push` is set). */
export function serialize(value: RespValue, rng?: Rng, push = false): Uint8Array {
  const parts: Uint8Array[] = [];
  // Only nested arrays may be spelled ">": at top level that would make the value a push.
  write(parts, value, rng, push ? ">" : "*");
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function write(parts: Uint8Array[], v: RespValue, rng: Rng | undefined, arrayType?: string): void {
  const line = (s: string): void => void parts.push(text.encode(`${s}\r\n`));
  const bulk = (type: string, payload: Uint8Array) => {
    line(`${type}${payload.length}`);
    parts.push(payload, text.encode("\r\n"));
  };
  const chance = (p: number) => rng !== undefined && rng() < p;

  if (chance(0.1)) {
    // An attribute the decoder must skip: any key, any value (including aggregates).
    line("|1");
    write(parts, "attribute-key", undefined);
    write(parts, rng!() < 0.5 ? [1, "x", null] : new Map([["ttl", 3.5]]), rng);
  }
  if (v === null) return line(rng ? pick(rng, ["_", "$-1", "*-1"]) : "_");
  if (typeof v === "boolean") return line(v ? "#t" : "#f");
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && !Object.is(v, -0) && !chance(0.2)) return line(`:${v}`);
    const spelled = Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : Object.is(v, -0) ? "-0" : String(v);
    return line(`,${spelled}`);
  }
  if (typeof v === "bigint") {
    const safe = BigInt(Number.MAX_SAFE_INTEGER);
    const fitsNumber = v <= safe && v >= -safe;
    return line(!fitsNumber && chance(0.5) ? `:${v}` : `(${v}`);
  }
  if (typeof v === "string" || v instanceof Uint8Array) {
    const payload = typeof v === "string" ? text.encode(v) : v;
    const form = rng ? int(rng, 3) : 0;
    if (form === 1 && !hasCrLf(payload)) {
      parts.push(text.encode("+"), payload);
      return line("");
    }
    if (form === 2) {
      const withFormat = new Uint8Array(payload.length + 4);
      withFormat.set(text.encode(pick(rng!, ["txt:", "mkd:"])));
      withFormat.set(payload, 4);
      return bulk("=", withFormat);
    }
    return bulk("$", payload);
  }
  if (v instanceof RedisError) {
    const payload = text.encode(v.message);
    if (!hasCrLf(payload) && !chance(0.5)) return line(`-${v.message}`);
    return bulk("!", payload);
  }
  if (Array.isArray(v)) {
    line(`${arrayType ?? (chance(0.2) ? ">" : "*")}${v.length}`);
    for (const e of v) write(parts, e, rng);
    return;
  }
  if (v instanceof Map) {
    line(`%${v.size}`);
    for (const [k, e] of v) {
      write(parts, k, rng);
      write(parts, e, rng);
    }
    return;
  }
  line(`~${v.size}`);
  for (const e of v) write(parts, e, rng);
}

const STRING_PIECES = ["a", "key", "0", " ", "\r\n", "\n", "\r", "é", "€", "😀", "\uFEFF", "\0", "$3", "*-1", ":"];

function randomString(rng: Rng): string {
  let s = "";
  const n = int(rng, 6);
  for (let k = 0; k < n; k++) s += pick(rng, STRING_PIECES);
  return s;
}

/**
 * A random value as the decoder would produce it in the given mode: strings are `Uint8Array` in
 * bytes mode. `depth` bounds nesting.
 */
export function randomValue(rng: Rng, bytes: boolean, depth = 3): RespValue {
  const kind = int(rng, depth > 0 ? 12 : 8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return pick(rng, [0, 1, -1, 42, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, int(rng, 1e6)]);
    case 3:
      return pick(rng, [1.5, -0.25, 1e21, 1.5e-7, -0, Infinity, -Infinity, NaN, rng() * 1000 - 500]);
    case 4:
      return pick(rng, [2n ** 64n, -(2n ** 70n) + 1n, 0n, 12n, BigInt(Number.MAX_SAFE_INTEGER) + 1n]);
    case 5:
    case 6: {
      const s = randomString(rng);
      return bytes ? text.encode(s) : s;
    }
    case 7:
      return new RedisError(pick(rng, ["ERR unknown command", "WRONGTYPE Operation against a key", "MOVED 3999 127.0.0.1:6381", "x\r\ny", ""]).trim() || "ERR");
    case 8:
    case 9:
      return Array.from({ length: int(rng, 4) }, () => randomValue(rng, bytes, depth - 1));
    case 10:
      return new Map(distinct(Array.from({ length: int(rng, 3) }, () => randomValue(rng, bytes, 0)))
        .map((key) => [key, randomValue(rng, bytes, depth - 1)]));
    default:
      return new Set(distinct(Array.from({ length: int(rng, 3) }, () => randomValue(rng, bytes, depth - 1))));
  }
}


/** A string that two values share only when they decode from the same RESP. */
function signature(v: RespValue): string {
  if (v === null) return "_";
  if (v instanceof Uint8Array) return `b${v.join(",")}`;
  if (v instanceof RedisError) return `-${v.message}`;
  if (Array.isArray(v)) return `*[${v.map(signature).join(",")}]`;
  if (v instanceof Map) return `%[${[...v].map(([k, e]) => `${signature(k)}=${signature(e)}`).join(",")}]`;
  if (v instanceof Set) return `~[${[...v].map(signature).join(",")}]`;
  return `${typeof v}:${typeof v === "string" ? JSON.stringify(v) : String(v)}`;
}

/**
 * Drops values equal in content to an earlier one. Redis never sends a map with two equal keys or a
 * set with two equal members, and deepStrictEqual on such maps differs by runtime (Bun pairs equal
 * object keys greedily).
 */
function distinct(values: RespValue[]): RespValue[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const sig = signature(v);
    if (seen.has(sig)) return false;
    seen.add(sig);
    return true;
  });
}
