// Time as the supervisor's timers see it. Health checks and restart backoff take a Clock so
// their unit tests drive time by hand instead of sleeping.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    // A pending health check or restart must not keep a finished supervisor alive.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
