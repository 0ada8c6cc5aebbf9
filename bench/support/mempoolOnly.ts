/**
 * For comparison with the API ingest figure: the mempool alone (TransactionPool.submit called directly,
 * no API, no consensus), on a real store with the verification worker pool, with the time spent in
 * verification and in the SQLite group commit measured through wrapped dependencies.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { genesisHash as hashOfGenesis } from '../../main/core/genesis';
import type { Transaction } from '../../main/core/ledger/transaction';
import { createDefaultRegistry } from '../../main/core/rules/index';
import type { Verifier } from '../../main/node/consensus/types';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../../main/node/keystore/keystore';
import { TransactionPool, type MempoolRepository } from '../../main/node/mempool/mempool';
import { openStore } from '../../main/node/store/database';
import { builtWorkerForTests } from '../../main/node/workers/testSupport';
import { createVerifyPool, VERIFY_WORKER_SCRIPT } from '../../main/node/workers/verifyPool';
import { startMonitor, type ResourceUse } from './monitor';
import { presignNotes } from './notes';
import { benchGenesis } from './validatorNetwork';

export interface MempoolOnlyResult {
  readonly txPerS: number;
  /** Share of the measured time a verification batch was outstanding (0–1). */
  readonly verifyShare: number;
  /** Share of the measured time spent in the repository's addMany (0–1). */
  readonly persistShare: number;
  readonly meanBatch: number;
  readonly resources: ResourceUse;
}

export async function measureMempoolOnly(folder: string, count: number, warmup: number, inFlight: number): Promise<MempoolOnlyResult> {
  const key = ed25519PrivateKeyFromSeed(Buffer.alloc(32, 7));
  const genesis = benchGenesis([{ publicKey: ed25519PublicKeyHex(key), privateKey: key }], 0, 3_000);
  const store = openStore({ path: join(folder, 'mempool-only.sqlite'), genesis, genesisHash: hashOfGenesis(genesis) });
  const pool = createVerifyPool({ workerScript: builtWorkerForTests(VERIFY_WORKER_SCRIPT) });
  const timing = { verifyMs: 0, batches: 0, batchTxs: 0, persistMs: 0 };
  let active = 0;
  let busySince = 0;
  const verifier: Verifier = {
    // Batches overlap (each turn's submissions go to the workers at once): verifyMs is the time during
    // which at least one is being verified.
    async verifyTransactions(transactions, chainId) {
      if (active++ === 0) busySince = performance.now();
      try {
        return await pool.verifyTransactions(transactions, chainId);
      } finally {
        if (--active === 0) timing.verifyMs += performance.now() - busySince;
        timing.batches++;
        timing.batchTxs += transactions.length;
      }
    },
  };
  const repository: MempoolRepository = {
    addMany(entries) {
      const started = performance.now();
      store.mempool.addMany(entries);
      timing.persistMs += performance.now() - started;
    },
    remove: (hashes) => store.mempool.remove(hashes),
    all: () => store.mempool.all(),
  };
  const mempool = new TransactionPool(
    { genesis },
    { repository, verifier, registry: createDefaultRegistry(), state: () => store.state(), height: () => 0, now: Date.now, onChange: () => undefined },
  );
  try {
    const txs = presignNotes(genesis.chainId, warmup + count, 256, 'mempool-only').map((p) => p.tx);
    const run = async (from: number, to: number) => {
      let next = from;
      const lane = async () => {
        while (next < to) await mempool.submit(txs[next++] as Transaction);
      };
      await Promise.all(Array.from({ length: inFlight }, lane));
    };
    await run(0, warmup);
    Object.assign(timing, { verifyMs: 0, batches: 0, batchTxs: 0, persistMs: 0 });
    const stop = startMonitor();
    const started = performance.now();
    await run(warmup, warmup + count);
    const elapsedMs = performance.now() - started;
    return {
      txPerS: count / (elapsedMs / 1000),
      verifyShare: timing.verifyMs / elapsedMs,
      persistShare: timing.persistMs / elapsedMs,
      meanBatch: timing.batchTxs / Math.max(1, timing.batches),
      resources: stop(),
    };
  } finally {
    await pool.close();
    store.close();
  }
}
