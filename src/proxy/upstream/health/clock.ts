/**
 * Time and randomness for the health checker and the outlier detector, injectable so unit tests can
 * drive thresholds, intervals and ejection times with a manual clock instead of sleeping.
 * The real clock's timers are unref'd: health checking never keeps the process alive.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `fn` once after `ms`; the returned timer cancels it. */
  schedule(ms: number, fn: () => void): Timer;
  /** Uniform in [0, 1). */
  random(): number;
}

class RealTimer implements Timer {
  constructor(private readonly t: NodeJS.Timeout) {}
  cancel(): void {
    clearTimeout(this.t);
  }
}

export const realClock: Clock = {
  now: () => performance.now(),
  schedule(ms: number, fn: () => void): Timer {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return new RealTimer(t);
  },
  random: () => Math.random(),
};
