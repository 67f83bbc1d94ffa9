/**
 * Min-heap of connections by the time they are due for a check. Lazy: a connection's deadline
 * may move later without touching the heap; when its entry surfaces early, it is pushed again
 * with the current deadline. Only a deadline that moves *earlier* costs a push.
 */
import type { Conn } from './conn.js';

export class DeadlineHeap {
  private keys: number[] = [];
  private items: Conn[] = [];

  get size(): number {
    return this.keys.length;
  }

  peekKey(): number {
    return this.keys.length ? this.keys[0] : Infinity;
  }

  push(key: number, c: Conn): void {
    const keys = this.keys, items = this.items;
    let i = keys.length;
    keys.push(key);
    items.push(c);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[i] = keys[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    items[i] = c;
  }

  /** Removes and returns the connection with the smallest key. */
  pop(): Conn | undefined {
    const keys = this.keys, items = this.items;
    const n = keys.length;
    if (n === 0) return undefined;
    const top = items[0];
    const lastKey = keys.pop()!;
    const lastItem = items.pop()!;
    if (n > 1) {
      let i = 0;
      const size = n - 1;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= size) break;
        if (child + 1 < size && keys[child + 1] < keys[child]) child++;
        if (keys[child] >= lastKey) break;
        keys[i] = keys[child];
        items[i] = items[child];
        i = child;
      }
      keys[i] = lastKey;
      items[i] = lastItem;
    }
    return top;
  }
}
