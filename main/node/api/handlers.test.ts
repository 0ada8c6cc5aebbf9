import { describe, expect, it } from 'vitest';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import type { ConsensusEngine } from '../consensus/engine';
import type { TransactionPool } from '../mempool/mempool';
import { createTestNetwork, noteTransaction } from '../store/testChain';
import { createHandlers, type HandlerDependencies } from './handlers';

const network = createTestNetwork('Handler tests');
const waiting = [0, 1, 2].map((n) => noteTransaction(network, `waiting ${n}`, `w${n}`));

/** Handlers over a mempool holding `txs` and an engine whose current proposal holds `proposed`. */
function handlersWith(txs: readonly Transaction[], proposed: ReadonlySet<string>) {
  const mempool = {
    size: () => txs.length,
    pending: (max: number) => txs.slice(0, max),
  } as unknown as TransactionPool;
  const engine = {
    proposalContaining: (hash: string) => (proposed.has(hash) ? { height: 7, round: 1 } : null),
  } as unknown as ConsensusEngine;
  return createHandlers({ mempool, engine } as unknown as HandlerDependencies);
}

describe('mempool.list handler', () => {
  it('lists at most `limit` waiting transactions, oldest first, with hash, size and the proposal holding each', () => {
    const first = waiting[0] as Transaction;
    const handlers = handlersWith(waiting, new Set([transactionHash(first)]));
    const page = handlers['mempool.list']({ limit: 2 });
    expect(page).toMatchObject({ size: 3 });
    if (page instanceof Promise) throw new TypeError('mempool.list answers synchronously');
    expect(page.transactions.map((tx) => tx.hash)).toEqual(waiting.slice(0, 2).map(transactionHash));
    expect(page.transactions[0]).toMatchObject({ type: 'note', signer: network.user.publicKey, payload: { text: 'waiting 0' }, proposed: { height: 7, round: 1 } });
    expect(page.transactions[1]?.proposed).toBeNull();
  });

  it('answers an empty list for an empty mempool', () => {
    expect(handlersWith([], new Set())['mempool.list']({ limit: 100 })).toEqual({ size: 0, transactions: [] });
  });
});
