import { describe, expect, it } from 'vitest';
import { DOMAINS, signWithDomain } from '../../core/crypto/ed25519';
import { CivichainError } from '../../core/errors';
import { createTransactionFromJSON, transactionHash, type Transaction } from '../../core/ledger/transaction';
import { createInlineVerifier, createVerifyPool, type SignedMessage, type VerifyPoolOptions } from './verifyPool';
import { createKeyCache, createVerifyRequestHandler, transactionTask } from './verifyTasks';
import { FakeWorker, TEST_CHAIN_ID, signedNotes, testSigners, withBadSignature } from './testSupport';
import { rejection } from '../../../test/support/rejection';

const FAKE_SCRIPT = new URL('file:///fake/verifyWorker.js');

/** A pool of fake workers that run the real verification in-process. */
function fakePool(options: VerifyPoolOptions & { failToStart?: string } = {}) {
  const workers: FakeWorker[] = [];
  const pool = createVerifyPool(
    { workerScript: FAKE_SCRIPT, ...options },
    {
      spawn: () => {
        const worker = new FakeWorker((post) => {
          const handle = createVerifyRequestHandler(createKeyCache());
          return (message) => post(handle(message));
        }, options.failToStart === undefined ? {} : { failToStart: options.failToStart });
        workers.push(worker);
        return worker;
      },
    },
  );
  return { pool, workers };
}


function signedMessage(message: string, signerIndex = 0): SignedMessage {
  const signer = testSigners(signerIndex + 1)[signerIndex];
  if (!signer) throw new RangeError('no signer');
  const bytes = Buffer.from(message);
  return { domain: DOMAINS.approval, message: bytes, signature: signWithDomain(DOMAINS.approval, bytes, signer.privateKey), publicKey: signer.publicKey };
}

const notes = signedNotes(40);

describe('createInlineVerifier', () => {
  it('returns the hash of each valid transaction, in order', async () => {
    const results = await createInlineVerifier().verifyTransactions(notes, TEST_CHAIN_ID);
    expect(results).toEqual(notes.map(transactionHash));
  });

  it('answers null for a bad signature, a wrong chain id and junk, and nothing else', async () => {
    const [otherChain] = signedNotes(1, { chainId: 'another-network', prefix: 'x' });
    const junk = [
      { ...notes[3], signer: 'not hex' },
      { ...notes[4], signature: 'zz' },
      { ...notes[5], payload: { text: 1.5 } },
      { ...notes[6], payload: null },
    ] as unknown as Transaction[];
    const batch = [notes[0], withBadSignature(notes[1] as Transaction), otherChain, notes[2], ...junk] as Transaction[];
    const results = await createInlineVerifier().verifyTransactions(batch, TEST_CHAIN_ID);
    expect(results).toEqual([transactionHash(notes[0] as Transaction), null, null, transactionHash(notes[2] as Transaction), null, null, null, null]);
  });

  it('sends a transaction made here as its hash alone, and anything else whole; both are checked', async () => {
    const made = notes[7] as Transaction;
    expect(transactionTask(made, TEST_CHAIN_ID)).toEqual({ kind: 'hashed-tx', hash: transactionHash(made), signer: made.signer, signature: made.signature });
    // A copy (not made here) has no remembered hash: it goes whole and is hashed where it is checked.
    const copy = { ...made, payload: { text: 'changed after signing' } };
    expect(transactionTask(copy, TEST_CHAIN_ID)).toMatchObject({ kind: 'tx' });
    // So does one for another chain, to be refused there.
    expect(transactionTask(made, 'another-network')).toMatchObject({ kind: 'tx' });
    // Parsed here with a forged signature: remembered, sent as its hash, and refused.
    const forged = createTransactionFromJSON(JSON.parse(JSON.stringify(withBadSignature(notes[8] as Transaction))));
    expect(transactionTask(forged, TEST_CHAIN_ID)).toMatchObject({ kind: 'hashed-tx' });
    const { pool } = fakePool({ workers: 1 });
    try {
      expect(await pool.verifyTransactions([made, copy, forged], TEST_CHAIN_ID)).toEqual([transactionHash(made), null, null]);
      expect(await createInlineVerifier().verifyTransactions([made, copy, forged], TEST_CHAIN_ID)).toEqual([transactionHash(made), null, null]);
    } finally {
      await pool.close();
    }
  });

  it('refuses a signature replayed on another transaction of the same signer', async () => {
    const [a, b] = notes.filter((tx) => tx.signer === notes[0]?.signer) as [Transaction, Transaction];
    const results = await createInlineVerifier().verifyTransactions([a, { ...b, signature: a.signature }, a], TEST_CHAIN_ID);
    expect(results).toEqual([transactionHash(a), null, transactionHash(a)]);
  });

  it('gives the same answers without the verified-signature memo', async () => {
    const verifier = createInlineVerifier({ memoize: false });
    const batch = [notes[0], withBadSignature(notes[0] as Transaction), notes[0]] as Transaction[];
    expect(await verifier.verifyTransactions(batch, TEST_CHAIN_ID)).toEqual([transactionHash(batch[0] as Transaction), null, transactionHash(batch[0] as Transaction)]);
  });

  it('verifies other signed things by domain with verifyBatch', async () => {
    const good = signedMessage('approve block 7');
    const results = await createInlineVerifier().verifyBatch([
      good,
      { ...good, domain: DOMAINS.prepare },
      { ...good, message: Buffer.from('approve block 8') },
      { ...good, publicKey: signedMessage('x', 1).publicKey },
      { ...good, signature: 'ab' },
    ]);
    expect(results).toEqual([true, false, false, false, false]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await createInlineVerifier().verifyTransactions([], TEST_CHAIN_ID)).toEqual([]);
  });
});

describe('createVerifyRequestHandler', () => {
  it('VERIFIER_BAD_REQUEST for a message that is not a verify request', () => {
    const handle = createVerifyRequestHandler(createKeyCache());
    for (const junk of [null, 'verify', { type: 'verify', id: 1 }, { type: 'verify', id: 'x', tasks: [] }]) {
      expect(handle(junk)).toMatchObject({ type: 'failed', error: { code: 'VERIFIER_BAD_REQUEST' } });
    }
    expect(handle({ type: 'verify', id: 3, tasks: [{ kind: 'tx', tx: null, chainId: TEST_CHAIN_ID }] })).toEqual({ type: 'verified', id: 3, results: [null] });
  });
});

describe('createVerifyPool (fake workers)', () => {
  it('splits a large call into chunks across the workers and keeps the input order', async () => {
    const { pool, workers } = fakePool({ workers: 3, chunkSize: 4 });
    const batch = [...notes];
    batch[9] = withBadSignature(notes[9] as Transaction);
    const results = await pool.verifyTransactions(batch, TEST_CHAIN_ID);
    expect(results).toEqual(batch.map((tx, i) => (i === 9 ? null : transactionHash(tx))));
    expect(workers).toHaveLength(3);
    for (const worker of workers) expect(worker.posted.length).toBeGreaterThan(0);
    expect(pool.pendingTasks()).toBe(0);
    await pool.close();
  });

  it('batches small calls that arrive while the worker is busy into one message', async () => {
    const { pool, workers } = fakePool({ workers: 1, maxInFlightPerWorker: 1 });
    const calls = notes.slice(0, 20).map((tx) => pool.verifyTransactions([tx], TEST_CHAIN_ID));
    const results = await Promise.all(calls);
    expect(results).toEqual(notes.slice(0, 20).map((tx) => [transactionHash(tx)]));
    // The first call goes alone; the other 19 wait and leave together.
    expect(workers[0]?.posted).toHaveLength(2);
    await pool.close();
  });

  it('sends urgent work (a block check) ahead of the submissions queued before it', async () => {
    const { pool, workers } = fakePool({ workers: 1, maxInFlightPerWorker: 1, chunkSize: 4 });
    const settledOrder: string[] = [];
    const backlog = pool.verifyTransactions(notes.slice(0, 20), TEST_CHAIN_ID).then((r) => (settledOrder.push('backlog'), r));
    const block = pool.verifyTransactions(notes.slice(20, 22), TEST_CHAIN_ID, { urgent: true }).then((r) => (settledOrder.push('block'), r));
    expect(await block).toEqual(notes.slice(20, 22).map(transactionHash));
    expect(await backlog).toEqual(notes.slice(0, 20).map(transactionHash));
    expect(settledOrder).toEqual(['block', 'backlog']);
    // The backlog's first chunk was on its way already; the block's two went next, before the other 16.
    const sizes = (workers[0]?.posted ?? []).map((m) => (m as { tasks: unknown[] }).tasks.length);
    expect(sizes).toEqual([4, 2, 4, 4, 4, 4]);
    expect(pool.pendingTasks()).toBe(0);
    await pool.close();
  });

  it('does not send a transaction made here to the workers again once they found it valid (unless memoize is off)', async () => {
    const batch = notes.slice(20, 30);
    const forged = createTransactionFromJSON(JSON.parse(JSON.stringify(withBadSignature(notes[30] as Transaction))));
    const tasksSent = (worker: FakeWorker | undefined) => (worker?.posted ?? []).flatMap((message) => (message as { tasks: unknown[] }).tasks).length;
    const { pool, workers } = fakePool({ workers: 1 });
    const { pool: audit, workers: auditWorkers } = fakePool({ workers: 1, memoize: false });
    try {
      for (const verifier of [pool, audit]) {
        expect(await verifier.verifyTransactions([...batch, forged], TEST_CHAIN_ID)).toEqual([...batch.map(transactionHash), null]);
        // The same objects again, as a block of mempool transactions: the same answers.
        expect(await verifier.verifyTransactions([forged, ...batch], TEST_CHAIN_ID)).toEqual([null, ...batch.map(transactionHash)]);
        // Valid for its own chain only.
        expect(await verifier.verifyTransactions([batch[0] as Transaction], 'another-network')).toEqual([null]);
      }
      // Only the forged one and the one asked about for another chain went back to the workers.
      expect(tasksSent(workers[0])).toBe(11 + 1 + 1);
      expect(tasksSent(auditWorkers[0])).toBe(11 + 11 + 1);
    } finally {
      await pool.close();
      await audit.close();
    }
  });

  it('holds the process open only while work is in flight', async () => {
    const { pool, workers } = fakePool({ workers: 1 });
    const worker = workers[0] as FakeWorker;
    expect(worker.referenced).toBe(false);
    const pending = pool.verifyTransactions(notes, TEST_CHAIN_ID);
    expect(worker.referenced).toBe(true);
    await pending;
    expect(worker.referenced).toBe(false);
    await pool.close();
  });

  it('VERIFIER_FAILED rejects the batch a crashed worker held; the worker restarts and later work succeeds', async () => {
    const { pool, workers } = fakePool({ workers: 1, maxInFlightPerWorker: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const first = pool.verifyTransactions(notes.slice(0, 10), TEST_CHAIN_ID);
    const queued = pool.verifyTransactions(notes.slice(10, 20), TEST_CHAIN_ID);
    workers[0]?.crash('out of memory');
    const error = await rejection(first);
    expect(error.code).toBe('VERIFIER_FAILED');
    expect(error.message).toContain('out of memory');
    // What waited in the queue goes to the new worker.
    expect(await queued).toEqual(notes.slice(10, 20).map(transactionHash));
    expect(workers).toHaveLength(2);
    expect(await pool.verifyTransactions(notes.slice(0, 3), TEST_CHAIN_ID)).toEqual(notes.slice(0, 3).map(transactionHash));
    await pool.close();
  });

  it('VERIFIER_FAILED when the worker cannot start, says to build, and does not restart in a loop', async () => {
    const { pool, workers } = fakePool({ workers: 1, failToStart: 'Cannot find module verifyWorker.js' });
    const error = await rejection(pool.verifyTransactions(notes.slice(0, 2), TEST_CHAIN_ID));
    expect(error.code).toBe('VERIFIER_FAILED');
    expect(error.message).toContain('could not start');
    expect(error.message).toContain('npx electron-vite build');
    await new Promise((resolve) => setImmediate(resolve));
    expect(workers).toHaveLength(1);
    await pool.close();
  });

  it('VERIFIER_CLOSED: close() rejects queued and in-flight work and refuses new work', async () => {
    const { pool, workers } = fakePool({ workers: 2, chunkSize: 2, maxInFlightPerWorker: 1 });
    const pending = pool.verifyTransactions(notes, TEST_CHAIN_ID);
    const closing = pool.close();
    expect((await rejection(pending)).code).toBe('VERIFIER_CLOSED');
    await closing;
    for (const worker of workers) expect(worker.terminated).toBe(true);
    expect((await rejection(pool.verifyTransactions(notes.slice(0, 1), TEST_CHAIN_ID))).code).toBe('VERIFIER_CLOSED');
    expect((await rejection(pool.verifyBatch([signedMessage('m')]))).code).toBe('VERIFIER_CLOSED');
  });

  it('verifyBatch checks signed messages through the workers', async () => {
    const { pool } = fakePool({ workers: 2 });
    const good = signedMessage('round change 3');
    expect(await pool.verifyBatch([good, { ...good, domain: DOMAINS.tx }])).toEqual([true, false]);
    await pool.close();
  });

  it('refuses nonsensical sizes with a RangeError', () => {
    expect(() => fakePool({ workers: 0 })).toThrow(RangeError);
    expect(() => fakePool({ chunkSize: 1.5 })).toThrow(RangeError);
    expect(() => fakePool({ maxInFlightPerWorker: -1 })).toThrow(RangeError);
  });

  it('WORKER_SCRIPT_MISSING names the build when no built worker is found beside the code', () => {
    let error: unknown;
    try {
      createVerifyPool({ workers: 1 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CivichainError);
    expect((error as CivichainError).code).toBe('WORKER_SCRIPT_MISSING');
    expect((error as CivichainError).message).toContain('npx electron-vite build');
  });
});
