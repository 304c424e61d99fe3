/**
 * Earliest-deadline-first scheduling, Envoy's weighted round robin: each entry is due `1 / weight`
 * after the last time it was picked; the entry due first is picked and re-queued with the weight it
 * has at that moment (so slow start and least-request weights change the schedule as they move).
 * Ties go to the entry queued first. A pick reuses the entry it re-queues: no allocation.
 *
 * Example: `const s = new EdfScheduler(hosts, (h) => h.weight); s.pick()` — weights 2:1 give A A B A A B…
 */

interface Entry<T> {
  item: T;
  deadline: number;
  order: number;
}

export class EdfScheduler<T> {
  private readonly heap: Entry<T>[] = [];
  private now = 0;
  private order = 0;

  constructor(
    items: readonly T[],
    private readonly weightOf: (item: T) => number,
  ) {
    for (const item of items) this.heap.push({ item, deadline: this.deadlineFor(weightOf(item)), order: this.order++ });
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  get size(): number {
    return this.heap.length;
  }

  /** The entry due first, re-queued with its current weight; null when empty. */
  pick(): T | null {
    const heap = this.heap;
    if (heap.length === 0) return null;
    const top = heap[0]!;
    if (top.deadline !== Infinity) this.now = top.deadline;
    top.deadline = this.deadlineFor(this.weightOf(top.item));
    top.order = this.order++;
    this.siftDown(0);
    return top.item;
  }

  private deadlineFor(weight: number): number {
    return weight > 0 ? this.now + 1 / weight : Infinity;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const e = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(heap[r]!, heap[l]!)) c = r;
      if (!before(heap[c]!, e)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = e;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
}
