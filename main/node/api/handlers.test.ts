import { describe, expect, it } from 'vitest';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import type { ConsensusEngine } from '../consensus/engine';
import { createLogger } from '../log';
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

describe('node.logs handler', () => {
  it('answers the newest records at the level asked for or above, newest first, with fields as text', () => {
    let clock = 1_000;
    const log = createLogger({ now: () => clock++, capacity: 10 });
    log.debug('dialling', { url: 'ws://127.0.0.1:7546' });
    log.warn('peer not reached', { attempts: 3, error: { code: 'ECONNREFUSED' } });
    log.info('block final', { height: 5 });
    const handlers = createHandlers({ log } as unknown as HandlerDependencies);
    const answer = handlers['node.logs']({ level: 'info', limit: 10 });
    if (answer instanceof Promise) throw new TypeError('node.logs answers synchronously');
    expect(answer.capacity).toBe(10);
    expect(answer.entries).toEqual([
      { seq: 3, timeMs: 1_002, level: 'info', message: 'block final', fields: { height: '5' } },
      { seq: 2, timeMs: 1_001, level: 'warn', message: 'peer not reached', fields: { attempts: '3', error: '{"code":"ECONNREFUSED"}' } },
    ]);
  });
});
