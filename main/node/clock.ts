import type { Clock } from './consensus/types';

/** The real clock: `now` (Date.now unless given) and timers on the event loop. Tests inject their own. */
export function systemClock(now: () => number = Date.now): Clock {
  return {
    now,
    setTimer(ms, fn) {
      const timer = setTimeout(fn, ms);
      return () => clearTimeout(timer);
    },
  };
}
