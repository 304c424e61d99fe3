/**
 * A clock for health-check and outlier-detection unit tests: time moves only with `advance`, which
 * runs the timers that fall due in time order (including timers scheduled while advancing).
 * `random` returns the values of `randoms` in turn, then `fallbackRandom` (0 by default).
 */
import type { Clock, Timer } from '../../../../src/proxy/upstream/health/clock.js';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: Entry[] = [];
  randoms: number[] = [];
  fallbackRandom = 0;

  now(): number {
    return this.t;
  }

  schedule(ms: number, fn: () => void): Timer {
    const entry: Entry = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(entry);
    return { cancel: () => void (entry.cancelled = true) };
  }

  random(): number {
    return this.randoms.shift() ?? this.fallbackRandom;
  }

  /** Moves time forward by `ms`, running due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled);
      let next: Entry | undefined;
      for (const x of this.timers) if (x.at <= end && (next === undefined || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = x;
      if (next === undefined) break;
      this.t = Math.max(this.t, next.at);
      next.cancelled = true;
      next.fn();
    }
    this.t = end;
  }

  /** Delays of the pending timers from now, sorted. */
  pendingDelays(): number[] {
    return this.timers.filter((x) => !x.cancelled).map((x) => x.at - this.t).sort((a, b) => a - b);
  }
}

/** Lets promise callbacks (probe results) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
