/**
 * Signature verification and proof-of-work off the main thread (main/node/workers), through the REAL
 * worker threads of the build: run `npx electron-vite build` first.
 *
 * Verification: batches of BATCH signed `note` transactions (64 signers, cached key objects), with the
 * verified-signature memo off so that every iteration really verifies. Signatures per second are
 * `hz × BATCH`. Proof-of-work: a search that cannot succeed (difficulty 256) for a fixed number of
 * nonces; hashes per second are `hz × ATTEMPTS`. The worker solver uses the default slice (50,000).
 */
import { afterAll, beforeAll, bench, describe } from 'vitest';
import { searchProofOfWork, type BlockHeader } from '../main/core/ledger/block';
import { isCivichainError } from '../main/core/errors';
import { createInlineProofOfWork, createProofOfWork, POW_WORKER_SCRIPT, type PowSolver } from '../main/node/workers/proofOfWork';
import { TEST_CHAIN_ID, builtWorkerForTests, signedNotes, testSigners } from '../main/node/workers/testSupport';
import { createInlineVerifier, createVerifyPool, VERIFY_WORKER_SCRIPT, type VerifyPool } from '../main/node/workers/verifyPool';
import type { Transaction } from '../main/core/ledger/transaction';

const BATCH = 2_000;
const ATTEMPTS = 100_000;
const options = { time: 2_000, iterations: 5, warmupIterations: 1, warmupTime: 0 };

const HEADER: BlockHeader = {
  chainId: TEST_CHAIN_ID,
  height: 1,
  previousHash: '00'.repeat(32),
  timeMs: 1_700_000_000_000,
  txRoot: '11'.repeat(32),
  txCount: 0,
  proposer: '22'.repeat(32),
  round: 0,
  difficulty: 256,
  nonce: 0,
};

let notes: Transaction[];
let oneWorker: VerifyPool;
let twoWorkers: VerifyPool;
let pow: PowSolver;
const inline = createInlineVerifier({ memoize: false });
const inlinePow = createInlineProofOfWork({ maxAttempts: ATTEMPTS, sliceAttempts: ATTEMPTS });

beforeAll(async () => {
  const script = builtWorkerForTests(VERIFY_WORKER_SCRIPT);
  notes = signedNotes(BATCH, { signers: testSigners(64) });
  oneWorker = createVerifyPool({ workerScript: script, workers: 1, memoize: false });
  twoWorkers = createVerifyPool({ workerScript: script, workers: 2, memoize: false });
  pow = createProofOfWork({ workerScript: builtWorkerForTests(POW_WORKER_SCRIPT), maxAttempts: ATTEMPTS });
  // Load the workers and their key caches before measuring.
  await Promise.all([oneWorker.verifyTransactions(notes, TEST_CHAIN_ID), twoWorkers.verifyTransactions(notes, TEST_CHAIN_ID)]);
});

afterAll(async () => {
  await Promise.all([oneWorker.close(), twoWorkers.close(), pow.close()]);
});

async function verifyAll(verify: () => Promise<(string | null)[]>): Promise<void> {
  const results = await verify();
  if (results.length !== BATCH || results.includes(null)) throw new RangeError('a valid transaction did not verify');
}

describe(`signature verification, ${BATCH} transactions per op (signatures/s = hz × ${BATCH})`, () => {
  bench('inline (main thread)', () => verifyAll(() => inline.verifyTransactions(notes, TEST_CHAIN_ID)), options);
  bench('pool, 1 worker, one call', () => verifyAll(() => oneWorker.verifyTransactions(notes, TEST_CHAIN_ID)), options);
  bench('pool, 2 workers, one call', () => verifyAll(() => twoWorkers.verifyTransactions(notes, TEST_CHAIN_ID)), options);
  bench(
    `pool, 2 workers, ${BATCH} single-transaction calls in flight`,
    () => verifyAll(async () => (await Promise.all(notes.map((tx) => twoWorkers.verifyTransactions([tx], TEST_CHAIN_ID)))).flat()),
    options,
  );
});

/** Runs a solve that must give up after ATTEMPTS nonces. */
async function exhaust(solver: PowSolver): Promise<void> {
  try {
    await solver.solve(HEADER);
  } catch (error) {
    if (!isCivichainError(error) || error.code !== 'POW_EXHAUSTED') throw error;
    return;
  }
  throw new RangeError('difficulty 256 was met');
}

describe(`proof-of-work, ${ATTEMPTS} nonces per op (hashes/s = hz × ${ATTEMPTS})`, () => {
  bench('core searchProofOfWork (main thread)', () => {
    if (searchProofOfWork(HEADER, 0, ATTEMPTS) !== null) throw new RangeError('difficulty 256 was met');
  }, options);
  bench('inline solver, midstate search (main thread)', () => exhaust(inlinePow), options);
  bench('worker thread, midstate search', () => exhaust(pow), options);
});
