/**
 * The real worker threads, from the build (out/main/verifyWorker.js): run `npx electron-vite build` first.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS, signWithDomain } from '../../core/crypto/ed25519';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import { makeTempDir } from '../../../test/support/tempDir';
import { PROGRAMME_ID, residents, testDetails, testSealed } from '../../core/vouchers/testVouchers';
import { createVerifyPool, VERIFY_WORKER_SCRIPT } from './verifyPool';
import { TEST_CHAIN_ID, builtWorkerForTests, signedNotes, testSigners, withBadSignature } from './testSupport';
import { rejection } from '../../../test/support/rejection';

let script: URL;
let temp: ReturnType<typeof makeTempDir>;

beforeAll(() => {
  script = builtWorkerForTests(VERIFY_WORKER_SCRIPT);
  temp = makeTempDir('civichain-verify-');
});

afterAll(() => temp.remove());


/** Runs `work` while a 1 ms interval ticks; returns the longest gap between ticks, in ms. */
async function longestTimerGap<T>(work: () => Promise<T>): Promise<{ result: T; maxGapMs: number; ticks: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks += 1;
  }, 1);
  try {
    const result = await work();
    maxGapMs = Math.max(maxGapMs, performance.now() - last);
    return { result, maxGapMs, ticks };
  } finally {
    clearInterval(timer);
  }
}

describe('verifier pool (worker threads)', () => {
  it('of 10,000 transactions, exactly those with a bad signature or another chain id are null', async () => {
    const notes = signedNotes(10_000, { signers: testSigners(32) });
    const bad = new Set([17, 4_321, 9_999]);
    const otherChain = new Set([0, 5_000]);
    const foreign = signedNotes(otherChain.size, { chainId: 'another-network', prefix: 'foreign' });
    let f = 0;
    const batch = notes.map((tx, i) => (bad.has(i) ? withBadSignature(tx) : otherChain.has(i) ? (foreign[f++] as Transaction) : tx));
    const pool = createVerifyPool({ workerScript: script });
    try {
      expect(pool.size).toBeGreaterThanOrEqual(1);
      const results = await pool.verifyTransactions(batch, TEST_CHAIN_ID);
      expect(results).toHaveLength(10_000);
      const nulls = results.flatMap((result, i) => (result === null ? [i] : []));
      expect(nulls).toEqual([...bad, ...otherChain].sort((a, b) => a - b));
      results.forEach((result, i) => {
        if (result !== null) expect(result).toBe(transactionHash(batch[i] as Transaction));
      });
    } finally {
      await pool.close();
    }
  });

  it('keeps the main thread responsive while it verifies (longest timer gap under 150 ms; inline it blocks ~1.2 s)', async () => {
    const notes = signedNotes(10_000, { signers: testSigners(32), prefix: 'responsive' });
    const pool = createVerifyPool({ workerScript: script, memoize: false });
    try {
      // Let the workers load before measuring.
      await pool.verifyTransactions(notes.slice(0, 2), TEST_CHAIN_ID);
      const { result, maxGapMs, ticks } = await longestTimerGap(() => pool.verifyTransactions(notes, TEST_CHAIN_ID));
      expect(result.every((hash) => hash !== null)).toBe(true);
      expect(ticks).toBeGreaterThan(10);
      // Typically under 20 ms; the margin absorbs a loaded 2-core CI machine, far below the inline figure.
      expect(maxGapMs).toBeLessThan(150);
    } finally {
      await pool.close();
    }
  });

  it('verifies other signed things with verifyBatch', async () => {
    const [signer] = testSigners(1) as [ReturnType<typeof testSigners>[number]];
    const message = Buffer.from('approval of block 12');
    const good = { domain: DOMAINS.approval, message, signature: signWithDomain(DOMAINS.approval, message, signer.privateKey), publicKey: signer.publicKey };
    const pool = createVerifyPool({ workerScript: script, workers: 1 });
    try {
      expect(await pool.verifyBatch([good, { ...good, domain: DOMAINS.reject }, good])).toEqual([true, false, true]);
    } finally {
      await pool.close();
    }
  });

  it('VERIFIER_FAILED when a worker dies mid-batch; the pool restarts it and carries on', async () => {
    // A worker that dies on its first request, once; started again, it is the real worker.
    const crashing = join(temp.path, 'crashingVerifyWorker.mjs');
    writeFileSync(
      crashing,
      [
        "import { existsSync, writeFileSync } from 'node:fs';",
        "import { parentPort } from 'node:worker_threads';",
        "const marker = new URL('./crashed-once', import.meta.url);",
        `if (existsSync(marker)) await import(${JSON.stringify(script.href)});`,
        "else { writeFileSync(marker, ''); parentPort.once('message', () => process.exit(3)); parentPort.postMessage({ type: 'ready' }); }",
      ].join('\n'),
    );
    const notes = signedNotes(600, { prefix: 'crash' });
    const pool = createVerifyPool({ workerScript: pathToFileURL(crashing), workers: 1 });
    try {
      const error = await rejection(pool.verifyTransactions(notes, TEST_CHAIN_ID));
      expect(error.code).toBe('VERIFIER_FAILED');
      expect(error.details).toMatchObject({ exitCode: 3 });
      expect(await pool.verifyTransactions(notes, TEST_CHAIN_ID)).toEqual(notes.map(transactionHash));
    } finally {
      await pool.close();
    }
  });

  it('VERIFIER_FAILED when the worker script is missing, saying to build', async () => {
    const pool = createVerifyPool({ workerScript: join(temp.path, 'no-such-worker.js'), workers: 1 });
    try {
      const error = await rejection(pool.verifyTransactions(signedNotes(2), TEST_CHAIN_ID));
      expect(error.code).toBe('VERIFIER_FAILED');
      expect(error.message).toContain('could not start');
      expect(error.message).toContain('npx electron-vite build');
    } finally {
      await pool.close();
    }
  });

  it('VERIFIER_CLOSED: closing the pool rejects pending work', async () => {
    const notes = signedNotes(4_000, { prefix: 'close' });
    const pool = createVerifyPool({ workerScript: script, memoize: false });
    const pending = rejection(pool.verifyTransactions(notes, TEST_CHAIN_ID));
    await pool.close();
    expect((await pending).code).toBe('VERIFIER_CLOSED');
    expect((await rejection(pool.verifyTransactions(notes.slice(0, 1), TEST_CHAIN_ID))).code).toBe('VERIFIER_CLOSED');
  });
});

describe('opening sealed applications in the worker threads (the Government desk)', () => {
  it('opens what was sealed to the reviewers’ key, and says why for a wrong key or a changed byte', async () => {
    const reviewersKey = createHash('sha256').update('civichain-test/voucher-reviewers').digest();
    const details = testDetails('A123456(7)', 'Chan Tai Man');
    const sealed = testSealed(residents.alice, details);
    const binding = { programme: PROGRAMME_ID, applicant: residents.alice.publicKey };
    const flipped = { ...sealed, ciphertext: `${sealed.ciphertext.slice(0, -2)}${sealed.ciphertext.endsWith('AA') ? 'BA' : 'AA'}` };
    const pool = createVerifyPool({ workerScript: script });
    try {
      const [good, wrongKey, changed] = await pool.openApplications([
        { sealed, binding, reviewersKey },
        { sealed, binding, reviewersKey: createHash('sha256').update('someone else').digest() },
        { sealed: flipped, binding, reviewersKey },
      ]);
      expect(good).toEqual({ details });
      expect(wrongKey).toMatchObject({ error: expect.stringMatching(/sealed to another key/) });
      expect(changed).toMatchObject({ error: expect.stringMatching(/cannot be opened/) });
    } finally {
      await pool.close();
    }
  });
});
