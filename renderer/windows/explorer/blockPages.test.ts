import { describe, expect, it } from 'vitest';
import type { BlockSummary } from '../../../preload/contract';
import { BlockPages, PAGE_SIZE, pageOf } from './blockPages';

const HEAD = 1_000_000;

function summary(height: number): BlockSummary {
  return { height, hash: height.toString(16).padStart(64, '0'), timeMs: height * 1000, txCount: 0, proposer: 'ab', round: 0, approvals: 3 };
}

/** A node holding HEAD blocks, whose answers the test releases by hand. */
function fakeNode() {
  const requests: { before: number; limit: number; answer(): void; fail(): void }[] = [];
  const fetchPage = (before: number, limit: number) =>
    new Promise<BlockSummary[]>((resolve, reject) => {
      requests.push({
        before,
        limit,
        answer: () => {
          const top = Math.min(before, HEAD);
          resolve(Array.from({ length: Math.max(0, Math.min(limit, top)) }, (_, i) => summary(top - i)));
        },
        fail: () => reject(new TypeError('DISCONNECTED')),
      });
    });
  return { requests, fetchPage };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('BlockPages', () => {
  it('fetches the pages of the wanted rows with chain.blocks {before, limit}, newest first', async () => {
    const node = fakeNode();
    let changes = 0;
    const pages = new BlockPages(node.fetchPage, () => (changes += 1));
    pages.want(HEAD, HEAD - 20);
    expect(node.requests.map((r) => [r.before, r.limit])).toEqual([[HEAD, PAGE_SIZE]]);
    node.requests[0]?.answer();
    await settle();
    expect(pages.get(HEAD)?.height).toBe(HEAD);
    expect(pages.get(HEAD - 20)?.hash).toBe(summary(HEAD - 20).hash);
    expect(changes).toBe(1);
    // Already held: no second request.
    pages.want(HEAD - 5, HEAD - 30);
    expect(node.requests).toHaveLength(1);
  });

  it('keeps at most three requests in flight and fetches only the newest wish when scrolling outruns the node', async () => {
    const node = fakeNode();
    const pages = new BlockPages(node.fetchPage, () => undefined);
    pages.want(HEAD, HEAD - 10 * PAGE_SIZE);
    expect(node.requests).toHaveLength(3);
    // The person drags the scrollbar to the far end before anything arrives.
    pages.want(30, 1);
    for (const request of node.requests.slice(0, 3)) request.answer();
    await settle();
    expect(node.requests.slice(3).map((r) => r.before)).toEqual([PAGE_SIZE]);
    node.requests[3]?.answer();
    await settle();
    expect(pages.get(1)?.height).toBe(1);
    expect(pages.get(30)?.height).toBe(30);
  });

  it('never holds more than its bound of pages, however far one scrolls', async () => {
    const node = fakeNode();
    const pages = new BlockPages(node.fetchPage, () => undefined, 5);
    for (let top = HEAD; top > HEAD - 40 * PAGE_SIZE; top -= PAGE_SIZE) {
      pages.want(top, top - 10);
      for (const request of node.requests.splice(0)) request.answer();
      await settle();
      expect(pages.size).toBeLessThanOrEqual(5);
    }
    expect(pages.get(HEAD)).toBeUndefined();
  });

  it('fetches a page again after a block in it became final, and keeps a failure until a fetch succeeds', async () => {
    const node = fakeNode();
    const pages = new BlockPages(node.fetchPage, () => undefined);
    pages.want(HEAD, HEAD - 10);
    node.requests[0]?.fail();
    await settle();
    expect(pages.failure).toBeInstanceOf(TypeError);
    pages.want(HEAD, HEAD - 10);
    node.requests[1]?.answer();
    await settle();
    expect(pages.failure).toBeNull();
    pages.invalidate(HEAD);
    expect(node.requests).toHaveLength(3);
    expect(pageOf(HEAD)).toBe(pageOf(HEAD - 10));
  });

  it('reset() forgets every page, drops answers to earlier requests and asks again for what is wanted', async () => {
    const node = fakeNode();
    const pages = new BlockPages(node.fetchPage, () => undefined);
    pages.want(HEAD, HEAD - 10);
    const stale = node.requests[0];
    pages.reset();
    expect(node.requests).toHaveLength(2);
    stale?.answer();
    await settle();
    expect(pages.get(HEAD)).toBeUndefined();
    node.requests[1]?.answer();
    await settle();
    expect(pages.get(HEAD)?.height).toBe(HEAD);
  });
});
