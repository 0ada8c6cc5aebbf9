/**
 * The pure parts of peer policing: a token bucket for message rate, a score that recovers with time,
 * a list of temporary bans, exponential backoff for re-dialling and a bounded set of seen message hashes.
 * Each takes the time as an argument: no clock is read here.
 */

/** Token bucket: `burst` frames at once, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    nowMs: number,
  ) {
    if (!(burst >= 1) || !(perSecond > 0)) throw new RangeError(`A token bucket needs burst ≥ 1 and rate > 0 (got ${burst}, ${perSecond}).`);
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  /** Takes one token; false when the bucket is empty (the frame is over the rate). */
  take(nowMs: number): boolean {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = Math.max(this.lastMs, nowMs);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.perSecond) / 1000);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export interface ScoreOptions {
  /** A fresh peer's score, and the most it recovers to. */
  readonly maxScore: number;
  /** Points regained per minute of good behaviour. */
  readonly recoveryPerMinute: number;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = { maxScore: 100, recoveryPerMinute: 10 };

/** A peer's score: penalties subtract, time adds back up to the maximum; at or below 0 the peer is dropped. */
export class PeerScore {
  private value: number;
  private lastMs: number;

  constructor(
    private readonly options: ScoreOptions,
    nowMs: number,
  ) {
    this.value = options.maxScore;
    this.lastMs = nowMs;
  }

  current(nowMs: number): number {
    const elapsedMs = Math.max(0, nowMs - this.lastMs);
    this.lastMs = Math.max(this.lastMs, nowMs);
    this.value = Math.min(this.options.maxScore, this.value + (elapsedMs / 60_000) * this.options.recoveryPerMinute);
    return this.value;
  }

  /** Applies a penalty; returns the new score. */
  penalise(points: number, nowMs: number): number {
    this.value = this.current(nowMs) - points;
    return this.value;
  }

  exhausted(nowMs: number): boolean {
    return this.current(nowMs) <= 0;
  }
}

export interface Ban {
  readonly untilMs: number;
  readonly reason: string;
}

/** Temporary bans, by node key and by address (each a string key), forgotten when they expire. */
export class BanList {
  private readonly bans = new Map<string, Ban>();

  constructor(private readonly capacity = 10_000) {}

  ban(subject: string, untilMs: number, reason: string): void {
    const existing = this.bans.get(subject);
    if (existing && existing.untilMs >= untilMs) return;
    this.bans.delete(subject);
    if (this.bans.size >= this.capacity) {
      const oldest = this.bans.keys().next().value;
      if (oldest !== undefined) this.bans.delete(oldest);
    }
    this.bans.set(subject, { untilMs, reason });
  }

  /** The ban in force on `subject` at `nowMs`, or null. */
  get(subject: string, nowMs: number): Ban | null {
    const ban = this.bans.get(subject);
    if (!ban) return null;
    if (ban.untilMs <= nowMs) {
      this.bans.delete(subject);
      return null;
    }
    return ban;
  }

  lift(subject: string): void {
    this.bans.delete(subject);
  }

  list(nowMs: number): { subject: string; untilMs: number; reason: string }[] {
    const out: { subject: string; untilMs: number; reason: string }[] = [];
    for (const [subject] of this.bans) {
      const ban = this.get(subject, nowMs);
      if (ban) out.push({ subject, ...ban });
    }
    return out;
  }
}

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * The wait before re-dial attempt `attempt` (0 = the first retry): base·2^attempt, capped, with "equal
 * jitter" (half fixed, half random) so that nodes restarted together do not dial in lockstep.
 * `random` is a number in [0, 1).
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: number): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  return Math.round(exponential / 2 + (exponential / 2) * Math.min(Math.max(random, 0), 1));
}

/** A bounded set of recently seen hashes, oldest forgotten first. */
export class SeenCache {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`A seen-cache needs a capacity ≥ 1 (got ${capacity}).`);
  }

  /** Records `hash`; true when it was new. A repeat refreshes it. */
  add(hash: string): boolean {
    if (this.seen.has(hash)) {
      this.seen.delete(hash);
      this.seen.add(hash);
      return false;
    }
    if (this.seen.size >= this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.add(hash);
    return true;
  }

  has(hash: string): boolean {
    return this.seen.has(hash);
  }

  get size(): number {
    return this.seen.size;
  }
}
