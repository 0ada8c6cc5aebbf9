import { describe, expect, it } from 'vitest';
import { FinalityWaiters } from './finality';

function world() {
  const final = new Map<string, number>();
  const pending = new Set<string>();
  const waiters = new FinalityWaiters({ finalHeight: (h) => final.get(h) ?? null, pending: (h) => pending.has(h) });
  return { final, pending, waiters };
}

describe('FinalityWaiters', () => {
  it('resolves the waiters of a final block’s transactions, leaves the others waiting', async () => {
    const { final, pending, waiters } = world();
    pending.add('a').add('b');
    const a = waiters.wait('a', 60_000);
    const a2 = waiters.wait('a', 60_000);
    const b = waiters.wait('b', 60_000);
    pending.delete('a');
    final.set('a', 7);
    waiters.onBlockFinal(7, ['a', 'x']);
    await expect(a).resolves.toBe(7);
    await expect(a2).resolves.toBe(7);
    expect(waiters.size).toBe(1);
    pending.delete('b');
    final.set('b', 8);
    waiters.onBlockFinal(8, ['b']);
    await expect(b).resolves.toBe(8);
    expect(waiters.size).toBe(0);
  });

  it('answers at once for a transaction already final; TX_DROPPED for one neither final nor pending', async () => {
    const { final, waiters } = world();
    final.set('a', 3);
    await expect(waiters.wait('a', 1000)).resolves.toBe(3);
    await expect(waiters.wait('gone', 1000)).rejects.toMatchObject({ code: 'TX_DROPPED' });
  });

  it('a transaction that leaves the mempool without a block is TX_DROPPED at the next final block', async () => {
    const { pending, waiters } = world();
    pending.add('a');
    const a = waiters.wait('a', 60_000);
    pending.delete('a');
    waiters.onBlockFinal(5, ['other']);
    await expect(a).rejects.toMatchObject({ code: 'TX_DROPPED' });
    expect(waiters.size).toBe(0);
  });

  it('NOT_FINAL_YET after the timeout, and the waiter is forgotten', async () => {
    const { pending, waiters } = world();
    pending.add('a');
    await expect(waiters.wait('a', 5)).rejects.toMatchObject({ code: 'NOT_FINAL_YET' });
    expect(waiters.size).toBe(0);
  });
});
