/**
 * Codec throughput: `npx tsx bench/codec.ts` (also runs under `deno run` and `bun`).
 *
 * - encoder: `SET key:<n> <100-byte value>`, taken every 1000 commands as the multiplexer's flush would
 * - decoder (a): one 10,000-element array of 100-byte bulk strings, fed in 64 KB chunks
 * - decoder (b): 100k small replies, alternating `+OK` and `$5 hello`, fed in 64 KB chunks
 *
 * Each case runs for about a second after a warm-up and reports its best of five rounds, so a GC
 * pause or JIT tier-up in one round does not decide the number.
 */
import { Decoder } from "../src/resp/decode.ts";
import { CommandEncoder } from "../src/resp/encode.ts";
import type { RespValue } from "../src/resp/types.ts";

const CHUNK = 64 * 1024;
const ROUNDS = 5;

/** Runs `work` repeatedly for ~`ms` and returns the best rate in units per second. */
function measure(work: () => number, ms: number): number {
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let units = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      units += work();
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (units / elapsed) * 1000);
  }
  return best;
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  // Copies, like a socket delivering fresh buffers, so no chunk is a view into one huge array.
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const text = new TextEncoder();
const value100 = "v".repeat(100);
let sink: unknown = null;

function benchEncoder(): number {
  const encoder = new CommandEncoder();
  let n = 0;
  return measure(() => {
    for (let k = 0; k < 1000; k++) encoder.encode(["SET", `key:${n++}`, value100]);
    sink = encoder.take();
    return 1000;
  }, 1000);
}

function benchDecoder(input: Uint8Array, valuesPerInput: number, bytes: boolean): { mbs: number; values: number } {
  const parts = chunks(input, CHUNK);
  let count = 0;
  const decoder = new Decoder({ onReply: (v: RespValue) => { sink = v; count++; }, onPush: () => {} }, { bytes });
  const rate = measure(() => {
    for (const p of parts) decoder.feed(p);
    return input.length;
  }, 1000);
  if (count === 0 || decoder.pending !== 0) throw new Error("decoder bench did not decode its input");
  return { mbs: rate / 1e6, values: (rate / input.length) * valuesPerInput };
}

const bigArray = concat([text.encode("*10000\r\n"), ...Array.from({ length: 10_000 }, (_, k) => text.encode(`$100\r\n${String(k).padStart(100, "x")}\r\n`))]);
const small = concat(Array.from({ length: 100_000 }, (_, k) => text.encode(k % 2 ? "+OK\r\n" : "$5\r\nhello\r\n")));

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : `node ${(globalThis as { process?: { version?: string } }).process?.version ?? ""}`;
console.log(`resplex codec bench (${runtime})`);
console.log(`encoder  SET key:<n> <100 B>                 ${fmt(benchEncoder())} commands/s`);
for (const bytes of [false, true]) {
  const mode = bytes ? "bytes " : "string";
  const a = benchDecoder(bigArray, 10_000, bytes);
  console.log(`decoder  10k x 100 B array, 64 KB chunks (${mode})  ${a.mbs.toFixed(0)} MB/s  (${fmt(a.values)} elements/s)`);
  const b = benchDecoder(small, 100_000, bytes);
  console.log(`decoder  100k +OK / $5 replies (${mode})             ${b.mbs.toFixed(0)} MB/s  (${fmt(b.values)} replies/s)`);
}
void sink;
