import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { BlockDetail, RejectionJSON, TransactionLookup } from '../../preload/contract';
import { ApiError } from '../api/client';
import { fakeClient, settled, type FakeHandlers } from '../api/fakeClient';
import { CLIENT_KEY } from '../app/injection';
import { parseQuery, useExplorerStore } from './explorer';

const BLOCK_HASH = 'b1'.repeat(32);
const TX_HASH = 'c2'.repeat(32);
const REJECTED_HASH = 'd3'.repeat(32);

const notFound = () => {
  throw new ApiError({ code: 'BLOCK_NOT_FOUND', message: 'There is no final block with that hash.', details: {} });
};

function setUp(handlers: FakeHandlers) {
  const fake = fakeClient({
    'chain.blocks': () => ({ blocks: [], height: 120 }),
    'mempool.list': () => ({ size: 0, transactions: [] }),
    'validator.rejections': (p) => ({ rejections: p.blockHash === REJECTED_HASH ? [{ blockHash: REJECTED_HASH, reason: 'Too early' } as RejectionJSON] : [] }),
    ...handlers,
  });
  const app = createApp({});
  app.provide(CLIENT_KEY, fake.client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const explorer = useExplorerStore();
  explorer.start();
  return { fake, explorer };
}

describe('parseQuery', () => {
  it('reads heights (with separators or #) and hashes (any case), and refuses anything else', () => {
    expect(parseQuery(' 12,345 ')).toEqual({ kind: 'height', height: 12345 });
    expect(parseQuery('#7')).toEqual({ kind: 'height', height: 7 });
    expect(parseQuery(BLOCK_HASH.toUpperCase())).toEqual({ kind: 'hash', hash: BLOCK_HASH });
    expect(parseQuery('B1B1-B1B1-B1B1-B1B1')).toEqual({ kind: 'tracking', code: 'b1'.repeat(8) });
    expect(parseQuery('b1'.repeat(31))).toEqual({ kind: 'tracking', code: 'b1'.repeat(31) });
    for (const junk of ['', 'abc', '12.5', 'b1b1b1', `${BLOCK_HASH}0`, 'not a hash at all']) {
      expect(parseQuery(junk).kind).toBe('invalid');
    }
  });
});

describe('useExplorerStore.search', () => {
  it('a hash is tried as a block, then as a transaction (tracking code), then as a rejected proposal', async () => {
    const { explorer } = setUp({
      'chain.block': (p) => (p.hash === BLOCK_HASH ? ({ hash: BLOCK_HASH, header: { height: 42 } } as BlockDetail) : notFound()),
      'tx.get': (p) =>
        ({ hash: p.hash, transaction: null, status: p.hash === TX_HASH ? { state: 'final', height: 17, index: 0, blockHash: BLOCK_HASH } : null }) as TransactionLookup,
    });
    await settled();
    expect(await explorer.search(BLOCK_HASH)).toBe(42);
    expect(explorer.detail.state).toBe('block');
    expect(await explorer.search(TX_HASH)).toBe(17);
    expect(explorer.detail.state).toBe('transaction');
    expect(await explorer.search(REJECTED_HASH)).toBeNull();
    expect(explorer.detail).toMatchObject({ state: 'proposal', blockHash: REJECTED_HASH });
    expect(await explorer.search('e4'.repeat(32))).toBeNull();
    expect(explorer.searchMessage).toMatch(/^Nothing on this node has the hash e4e4/);
  });

  it('a short tracking code is looked up as a ballot, then opened as its transaction', async () => {
    const { explorer } = setUp({
      'ballot.lookup': (p) =>
        TX_HASH.startsWith(String(p.code)) ? { found: true, hash: TX_HASH, election: 'e1', status: { state: 'final', height: 17, index: 0, blockHash: BLOCK_HASH } } : { found: false, hash: null, election: null, status: null },
      'tx.get': (p) => ({ hash: p.hash, transaction: null, status: { state: 'final', height: 17, index: 0, blockHash: BLOCK_HASH } }) as TransactionLookup,
    });
    await settled();
    expect(await explorer.search('C2C2-C2C2-C2C2-C2C2')).toBe(17);
    expect(explorer.detail).toMatchObject({ state: 'transaction', lookup: { hash: TX_HASH } });
    expect(await explorer.search('d3d3-d3d3-d3d3-d3d3')).toBeNull();
    expect(explorer.searchMessage).toMatch(/^No ballot on this node has the tracking code D3D3D3D3D3D3D3D3/);
  });

  it('a height outside the chain is refused without asking the node; a failure other than not-found is shown with its code', async () => {
    const { explorer, fake } = setUp({
      'chain.block': () => {
        throw new ApiError({ code: 'DISCONNECTED', message: 'Not connected to the node.', details: {} });
      },
    });
    await settled();
    expect(explorer.top).toBe(120);
    expect(await explorer.search('121')).toBeNull();
    expect(explorer.searchMessage).toBe('There is no final block at height 121: the chain goes from 1 to 120.');
    expect(fake.calls.some((c) => c.method === 'chain.block')).toBe(false);
    expect(await explorer.search(BLOCK_HASH)).toBeNull();
    expect(explorer.searchMessage).toBe('Not connected to the node. (DISCONNECTED)');
  });

  it('follows block.final upwards and tells the list which page to fetch again', async () => {
    const { explorer, fake } = setUp({});
    await settled();
    const told: number[] = [];
    explorer.onFinal((height) => told.push(height));
    fake.emit('block.final', { height: 121, round: 0, blockHash: BLOCK_HASH, txCount: 1 });
    expect(explorer.top).toBe(121);
    expect(told).toEqual([121]);
  });
});
