import { describe, expect, it } from 'vitest';
import { BanList, PeerScore, SeenCache, TokenBucket, backoffDelayMs } from './limits';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false);
    expect(bucket.take(500)).toBe(true);
    expect(bucket.take(500)).toBe(false);
    // A long quiet spell refills only up to the burst.
    expect(Array.from({ length: 5 }, () => bucket.take(60_000)).filter(Boolean)).toHaveLength(3);
  });

  it('does not mint tokens when the clock goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(10_500)).toBe(false);
  });

  it('refuses a nonsense configuration', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
  });
});

describe('PeerScore', () => {
  it('drops with penalties, is exhausted at 0, and recovers with time up to the maximum', () => {
    const score = new PeerScore({ maxScore: 100, recoveryPerMinute: 10 }, 0);
    expect(score.penalise(25, 0)).toBe(75);
    expect(score.penalise(75, 0)).toBe(0);
    expect(score.exhausted(0)).toBe(true);
    expect(score.current(60_000)).toBe(10);
    expect(score.exhausted(60_000)).toBe(false);
    expect(score.current(60 * 60_000)).toBe(100);
  });
});

describe('BanList', () => {
  it('bans until a time, then forgets', () => {
    const bans = new BanList();
    bans.ban('key', 1_000, 'junk');
    expect(bans.get('key', 999)).toEqual({ untilMs: 1_000, reason: 'junk' });
    expect(bans.get('key', 1_000)).toBeNull();
    expect(bans.list(1_000)).toEqual([]);
  });

  it('keeps the longer of two bans, and can be lifted', () => {
    const bans = new BanList();
    bans.ban('a', 5_000, 'long');
    bans.ban('a', 2_000, 'short');
    expect(bans.get('a', 3_000)?.reason).toBe('long');
    bans.lift('a');
    expect(bans.get('a', 3_000)).toBeNull();
  });

  it('is bounded', () => {
    const bans = new BanList(2);
    bans.ban('a', 10, 'x');
    bans.ban('b', 10, 'x');
    bans.ban('c', 10, 'x');
    expect(bans.list(0).map((b) => b.subject)).toEqual(['b', 'c']);
  });
});

describe('backoffDelayMs', () => {
  const options = { baseMs: 1_000, maxMs: 60_000 };
  it('doubles per attempt between half and all of the exponential value', () => {
    expect(backoffDelayMs(0, options, 0)).toBe(500);
    expect(backoffDelayMs(0, options, 0.999999)).toBe(1_000);
    expect(backoffDelayMs(3, options, 0)).toBe(4_000);
    expect(backoffDelayMs(3, options, 0.5)).toBe(6_000);
  });
  it('is capped, even for huge attempt numbers', () => {
    expect(backoffDelayMs(10, options, 0.999999)).toBe(60_000);
    expect(backoffDelayMs(10_000, options, 0)).toBe(30_000);
    expect(backoffDelayMs(-5, options, 0)).toBe(500);
  });
});

describe('SeenCache', () => {
  it('reports new hashes once and forgets the least recently seen first', () => {
    const seen = new SeenCache(2);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('a')).toBe(false);
    seen.add('b');
    seen.add('a'); // refreshes a
    seen.add('c'); // evicts b
    expect(seen.has('a')).toBe(true);
    expect(seen.has('b')).toBe(false);
    expect(seen.size).toBe(2);
  });
});
