/**
 * The decoder's stack of aggregates in progress (arrays, maps, sets, pushes, attributes). Keeping it
 * explicit, instead of recursing, is what lets decoding stop at any byte and resume with the next
 * chunk without re-parsing a half-received aggregate, and what lets nesting cost no call stack.
 * The decoder bounds its depth (RESP_LIMITS.maxDepth) before opening one more.
 * @module
 */
import type { RespValue } from "./types.ts";

/** Frames kept for reuse after a value is delivered: a rare deep reply must not pin thousands. */
const KEPT_FRAMES = 64;

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

  /** Whether the outermost open aggregate is a push. */
  get inPush(): boolean {
    return this.#depth > 0 && this.#frames[0]!.kind === "push";
  }

  /**
   * How many values of the top-level value being decoded have not started yet, the next one
   * included (1 when no aggregate is open): the count a FrameScanner needs to read past the rest.
   * Each open aggregate still waits for `remaining` elements, one of which is the aggregate open
   * inside it, already started; an attribute is not an element of its parent, but the value it
   * annotates, still to come, is (or, for an outermost attribute, is the top-level value itself).
   */
  unstarted(): number {
    if (this.#depth === 0) return 1;
    let items = this.#frames[0]!.kind === "attribute" ? 1 : 0;
    for (let d = 0; d < this.#depth; d++) {
      const inner = d + 1 < this.#depth ? this.#frames[d + 1]! : undefined;
      items += this.#frames[d]!.remaining - (inner !== undefined && inner.kind !== "attribute" ? 1 : 0);
    }
    return items;
  }

  /** Starts an aggregate of `count` elements (a map's keys and values both count; -1 is RESP2's null array). */
  open(kind: AggregateKind, count: number): void {
    if (count <= 0) {
      if (count < 0) this.add(null);
      else if (kind === "push") this.#deliver([], true);
      else if (kind !== "attribute") this.add(kind === "map" ? new Map() : kind === "set" ? new Set() : []);
      return;
    }
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
      if (this.#depth === 0 && this.#frames.length > KEPT_FRAMES) this.#frames.length = KEPT_FRAMES;
      if (kind === "push") return this.#deliver(v, true);
    }
    this.#deliver(v, false);
  }

  /** Drops everything in progress (after a protocol error, or when the rest of a value is skipped). */
  clear(): void {
    this.#frames.length = 0;
    this.#depth = 0;
  }
}
