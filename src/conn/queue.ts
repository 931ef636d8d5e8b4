/**
 * A FIFO ring buffer with head/tail cursors. The in-flight queue of a busy connection sees a push
 * and a shift per command; `Array.prototype.shift()` is O(n) on large arrays, this is O(1).
 * @module
 */
export class Queue<T> {
  #items: (T | undefined)[] = new Array(16);
  #head = 0;
  #size = 0;

  /** Number of items queued. */
  get length(): number {
    return this.#size;
  }

  /** Append at the tail. */
  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  /** Remove and return the head, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined; // let the item be collected
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return item;
  }

  /** The head without removing it. */
  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** The item `index` places behind the head (0 is the head). */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.#size) return undefined;
    return this.#items[(this.#head + index) & (this.#items.length - 1)];
  }

  /** Remove the items `keep` says no to, in one pass, keeping the others' order. */
  prune(keep: (item: T) => boolean): void {
    let kept = 0;
    const mask = this.#items.length - 1;
    for (let i = 0; i < this.#size; i++) {
      const item = this.#items[(this.#head + i) & mask]!;
      if (keep(item)) this.#items[(this.#head + kept++) & mask] = item;
    }
    for (let i = kept; i < this.#size; i++) this.#items[(this.#head + i) & mask] = undefined; // let them be collected
    this.#size = kept;
  }

  /** Remove every item and return them in order. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  #grow(): void {
    // Capacity stays a power of two so the wrap-around is a mask, not a modulo.
    const next: (T | undefined)[] = new Array(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#items[(this.#head + i) & (this.#items.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}
