/**
 * The decoder's stack of aggregates in progress (arrays, maps, sets, pushes, attributes). Keeping it
 * explicit, instead of recursing, is what lets decoding stop at any byte and resume with the next
 * chunk without re-parsing a half-received aggregate, and what bounds nesting depth.
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { RESP_LIMITS } from "./limits.ts";
import type { RespValue } from "./types.ts";

const { maxDepth } = RESP_LIMITS;

/**
 * What an aggregate becomes. A `push` is a top-level `>` (out-of-band); an `attribute` (`|`) is
 * parsed and dropped, since it only annotates the value after it.
 *
 * @example
 * ```ts
 * const kind: AggregateKind = depth === 0 ? "push" : "array";
 * ```
 */
export type AggregateKind = "array" | "push" | "map" | "set" | "attribute";

/** One aggregate being filled. Frames are reused by depth, so nesting allocates only the values themselves. */
class Frame {
  kind: AggregateKind = "array";
  /** Elements still to come; a map or attribute counts keys and values separately. */
  remaining = 0;
  items: RespValue[] | null = null;
  map: Map<RespValue, RespValue> | null = null;
  set: Set<RespValue> | null = null;
  key: RespValue = null;
  hasKey = false;
}

/**
 * Assembles complete values into the aggregates that contain them and hands each finished top-level
 * value to `deliver`, with `push` set for a top-level push.
 *
 * @example
 * ```ts
 * const stack = new AggregateStack((value, push) => console.log(push ? "push" : "reply", value));
 * stack.open("array", 2);
 * stack.add("a");
 * stack.add(1); // logs: reply ["a", 1]
 * ```
 */
export class AggregateStack {
  readonly #deliver: (value: RespValue, push: boolean) => void;
  readonly #frames: Frame[] = [];
  #depth = 0;

  constructor(deliver: (value: RespValue, push: boolean) => void) {
    this.#deliver = deliver;
  }

  /** How many aggregates are open; 0 means the next value is a top-level one. */
  get depth(): number {
    return this.#depth;
  }

  /** Starts an aggregate of `count` elements (a map's keys and values both count; -1 is RESP2's null array). */
  open(kind: AggregateKind, count: number): void {
    if (count <= 0) {
      if (count < 0) this.add(null);
      else if (kind === "push") this.#deliver([], true);
      else if (kind !== "attribute") this.add(kind === "map" ? new Map() : kind === "set" ? new Set() : []);
      return;
    }
    if (this.#depth === maxDepth) throw new ProtocolError(`RESP values nested deeper than ${maxDepth} levels`);
    let frame = this.#frames[this.#depth];
    if (frame === undefined) {
      frame = new Frame();
      this.#frames.push(frame);
    }
    frame.kind = kind;
    frame.remaining = count;
    if (kind === "map") frame.map = new Map();
    else if (kind === "set") frame.set = new Set();
    else if (kind !== "attribute") frame.items = [];
    frame.hasKey = false;
    this.#depth++;
  }

  /** Places a complete value into the innermost open aggregate, or delivers it when none is open. */
  add(value: RespValue): void {
    let v = value;
    while (this.#depth > 0) {
      const f = this.#frames[this.#depth - 1]!;
      const kind = f.kind;
      if (kind === "array" || kind === "push") f.items!.push(v);
      else if (kind === "map") {
        if (f.hasKey) f.map!.set(f.key, v);
        else f.key = v;
        f.hasKey = !f.hasKey;
      } else if (kind === "set") f.set!.add(v);
      // An attribute's contents are parsed for framing and dropped: nothing in resplex reads them yet.
      if (--f.remaining > 0) return;
      this.#depth--;
      // A finished attribute annotated the value that follows, which takes the element's place.
      if (kind === "attribute") return;
      v = kind === "map" ? f.map! : kind === "set" ? f.set! : f.items!;
      // Drop the frame's references so a reused frame does not keep a delivered value alive.
      f.items = f.map = f.set = null;
      f.key = null;
      if (kind === "push") return this.#deliver(v, true);
    }
    this.#deliver(v, false);
  }

  /** Drops everything in progress (after a protocol error). */
  clear(): void {
    this.#frames.length = 0;
    this.#depth = 0;
  }
}
