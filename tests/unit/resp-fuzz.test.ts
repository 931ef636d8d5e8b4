import assert from "node:assert/strict";
import { describe, test } from "../harness/runner.ts";
import { ProtocolError } from "../../src/errors.ts";
import { Decoder } from "../../src/resp/decode.ts";
import type { RespValue } from "../../src/resp/types.ts";
import { decodeChunks, int, isRespValue, mulberry32, pick, randomSplits, resp, splitAt, withPlainErrors, type Rng } from "./resp-support.ts";
import { randomValue, serialize } from "./resp-serializer.ts";

/** Bytes that steer mutations into the interesting parts of the grammar: type bytes, CRLF, signs, digits. */
const INTERESTING = [13, 10, 45, 43, 48, 49, 57, 36, 42, 58, 37, 126, 62, 124, 95, 35, 44, 40, 33, 61, 63, 46, 101, 116, 102, 0, 255];

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function randomByte(rng: Rng): number {
  const roll = rng();
  return roll < 0.5 ? pick(rng, INTERESTING) : roll < 0.75 ? 48 + int(rng, 10) : int(rng, 256);
}

/** Applies 1-3 random mutations: replace, bit-flip, insert, delete, truncate, duplicate a slice. */
function mutate(rng: Rng, input: Uint8Array): Uint8Array {
  const bytes = Array.from(input);
  for (let n = 1 + int(rng, 3); n > 0; n--) {
    const at = int(rng, bytes.length + 1);
    switch (int(rng, 6)) {
      case 0:
        if (at < bytes.length) bytes[at] = randomByte(rng);
        break;
      case 1:
        if (at < bytes.length) bytes[at]! ^= 1 << int(rng, 8);
        break;
      case 2:
        bytes.splice(at, 0, randomByte(rng));
        break;
      case 3:
        bytes.splice(at, 1 + int(rng, 3));
        break;
      case 4:
        bytes.length = at;
        break;
      default:
        bytes.splice(at, 0, ...bytes.slice(int(rng, bytes.length + 1), int(rng, bytes.length + 1)));
    }
  }
  return Uint8Array.from(bytes);
}

/** Mostly RESP-looking noise: type bytes, CRLFs and digits, with some arbitrary bytes. */
function noise(rng: Rng): Uint8Array {
  return Uint8Array.from({ length: int(rng, 48) }, () => randomByte(rng));
}

interface Outcome {
  values: RespValue[];
  failed: boolean;
  pending: number;
}

/**
 * Feeds `chunks` and checks the decoder's contract: every delivered value is a RespValue, the only
 * error is a ProtocolError, and a decoder that threw throws ProtocolError on every later feed.
 */
function feed(chunks: Uint8Array[], bytes: boolean, context: () => string): Outcome {
  const values: RespValue[] = [];
  const decoder = new Decoder({ onReply: (v) => values.push(v), onPush: (v) => values.push(v) }, { bytes });
  let failed = false;
  try {
    for (const c of chunks) decoder.feed(c);
  } catch (err) {
    if (!(err instanceof ProtocolError)) assert.fail(`threw ${String(err)}, not a ProtocolError, on ${context()}`);
    assert.throws(() => decoder.feed(resp("+OK\r\n")), ProtocolError, `a dead decoder accepted input after ${context()}`);
    failed = true;
  }
  for (const v of values) if (!isRespValue(v)) assert.fail(`delivered a non-RespValue on ${context()}`);
  return { values, failed, pending: failed ? 0 : decoder.pending };
}

describe("RESP decoder under fuzzing", () => {
  test("100,000 random and mutated inputs each decode to RespValues or throw ProtocolError, however split", () => {
    const rng = mulberry32(20261123);
    const corpus = Array.from({ length: 400 }, () => {
      const parts = Array.from({ length: 1 + int(rng, 3) }, () => serialize(randomValue(rng, false), rng, rng() < 0.2));
      return resp(...parts);
    });
    let failures = 0;
    for (let n = 0; n < 100_000; n++) {
      const input = n % 10 === 0 ? noise(rng) : mutate(rng, pick(rng, corpus));
      const offsets = randomSplits(rng, input.length, 4);
      const bytes = n % 3 === 0;
      const context = () => `input ${hex(input)} split at [${offsets}] (bytes: ${bytes}, case ${n})`;
      const split = feed(splitAt(input, offsets), bytes, context);
      if (split.failed) failures++;
      if (n % 8 === 0) {
        // Whether input is accepted, and what it decodes to, must not depend on where it was split.
        const whole = feed([input], bytes, context);
        const plain = (o: Outcome) => ({ ...o, values: withPlainErrors(o.values) });
        assert.deepStrictEqual(plain(split), plain(whole), `split and whole feeds disagree on ${context()}`);
      }
    }
    // Sanity: the mutations do reach the error paths, and do not only produce errors.
    assert.ok(failures > 20_000 && failures < 95_000, `${failures} of 100,000 inputs failed`);
  }, 60_000);

  test("random valid values, with attributes and pushes, decode to themselves under random splits", () => {
    const rng = mulberry32(7);
    for (let n = 0; n < 3000; n++) {
      const bytes = n % 2 === 1;
      const replies: RespValue[] = [];
      const pushes: RespValue[][] = [];
      const parts: Uint8Array[] = [];
      for (let k = 1 + int(rng, 4); k > 0; k--) {
        if (rng() < 0.2) {
          const push = Array.from({ length: int(rng, 4) }, () => randomValue(rng, bytes, 2));
          pushes.push(push);
          parts.push(serialize(push, rng, true));
        } else {
          const value = randomValue(rng, bytes);
          replies.push(value);
          parts.push(serialize(value, rng));
        }
      }
      const input = resp(...parts);
      const offsets = randomSplits(rng, input.length, 8);
      const got = decodeChunks(splitAt(input, offsets), { bytes });
      const context = `input ${hex(input)} split at [${offsets}] (bytes: ${bytes})`;
      assert.deepStrictEqual(withPlainErrors(got.replies), withPlainErrors(replies), context);
      assert.deepStrictEqual(withPlainErrors(got.pushes), withPlainErrors(pushes), context);
      assert.equal(got.pending, 0, context);
    }
  }, 60_000);
});
