import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesce';

describe('coalesced', () => {
  it('runs once at a time, and once more after for any number of calls made meanwhile', async () => {
    const releases: (() => void)[] = [];
    let runs = 0;
    const refresh = coalesced(
      () =>
        new Promise<void>((resolve) => {
          runs += 1;
          releases.push(resolve);
        }),
    );
    const first = refresh();
    for (let i = 0; i < 100; i++) void refresh();
    expect(runs).toBe(1);
    releases.shift()?.();
    await Promise.resolve();
    await Promise.resolve();
    expect(runs).toBe(2);
    releases.shift()?.();
    await first;
    expect(runs).toBe(2);
    void refresh();
    expect(runs).toBe(3);
  });

  it('a failed run does not block the next call', async () => {
    let calls = 0;
    const refresh = coalesced(async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('offline');
    });
    await expect(refresh()).rejects.toThrow('offline');
    await refresh();
    expect(calls).toBe(2);
  });
});
