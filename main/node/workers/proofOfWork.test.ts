import { describe, expect, it } from 'vitest';
import { blockHash, leadingZeroBits, meetsDifficulty, searchProofOfWork, type BlockHeader } from '../../core/ledger/block';
import { createInlineProofOfWork, createProofOfWork, type PowProgress, type WorkerProofOfWorkOptions } from './proofOfWork';
import { createNonceHasher, createPowWorkerLoop, leadingZeroBitsOfDigest, startPowSearch, stepPowSearch } from './powSearch';
import { FakeWorker } from './testSupport';
import { rejection } from '../../../test/support/rejection';

const HEADER: BlockHeader = {
  chainId: 'civichain-test',
  height: 7,
  previousHash: 'ab'.repeat(32),
  timeMs: 1_700_000_000_000,
  txRoot: 'cd'.repeat(32),
  txCount: 3,
  proposer: 'ef'.repeat(32),
  round: 0,
  difficulty: 10,
  nonce: 0,
};

/** The first nonce from 0 that meets `difficulty`, found the plain way. */
function expectedSolution(difficulty: number): BlockHeader {
  const solved = searchProofOfWork({ ...HEADER, difficulty }, 0, 1 << 22);
  if (!solved) throw new RangeError('no solution in range');
  return solved;
}

/** A clock that advances one millisecond per reading. */
function tickingClock(): () => number {
  let ms = 0;
  return () => ms++;
}


function fakeSolver(options: Omit<WorkerProofOfWorkOptions, 'workerScript'> = {}) {
  const workers: FakeWorker[] = [];
  const solver = createProofOfWork(
    { workerScript: 'file:///fake/powWorker.js', ...options },
    {
      spawn: () => {
        const worker = new FakeWorker((post) => createPowWorkerLoop({ post, yieldThen: (fn) => setImmediate(fn), now: tickingClock() }));
        workers.push(worker);
        return worker;
      },
    },
  );
  return { solver, workers };
}

describe('createNonceHasher', () => {
  it('agrees with blockHash for any nonce, including for chain ids that look like the nonce or are not ASCII', () => {
    const headers = [HEADER, { ...HEADER, chainId: 'x"nonce":9007199254740991' }, { ...HEADER, chainId: 'valg-ø-選挙', nonce: 77 }];
    for (const header of headers) {
      const hash = createNonceHasher(header);
      for (const nonce of [0, 1, 9, 10, 77, 123_456, Number.MAX_SAFE_INTEGER]) {
        expect(hash(nonce).toString('hex')).toBe(blockHash({ ...header, nonce }));
      }
    }
  });

  it('counts leading zero bits of a digest as leadingZeroBits does of its hex', () => {
    for (const hex of ['ff'.repeat(32), '00'.repeat(32), `0001${'ff'.repeat(30)}`, `0f${'00'.repeat(31)}`, `000000${'80'.repeat(29)}`]) {
      expect(leadingZeroBitsOfDigest(Buffer.from(hex, 'hex'))).toBe(leadingZeroBits(hex));
    }
  });
});

describe('stepPowSearch', () => {
  it('counts attempts up to and including the solution nonce', () => {
    const expected = expectedSolution(8);
    const search = startPowSearch({ ...HEADER, difficulty: 8 });
    let step = stepPowSearch(search, 10, tickingClock());
    while (step.kind === 'searching') step = stepPowSearch(search, 10, tickingClock());
    expect(step).toEqual({ kind: 'solved', header: expected });
    expect(search.attempts).toBe(expected.nonce + 1);
  });

  it('stops at the end of the safe-integer nonce space', () => {
    const search = startPowSearch({ ...HEADER, difficulty: 256, nonce: Number.MAX_SAFE_INTEGER - 5 });
    expect(stepPowSearch(search, 100, tickingClock())).toEqual({ kind: 'exhausted' });
    expect(search.attempts).toBe(6);
  });
});

describe('createPowWorkerLoop', () => {
  it('POW_BAD_REQUEST for a message it does not understand', () => {
    const posted: unknown[] = [];
    const onMessage = createPowWorkerLoop({ post: (m) => posted.push(m), yieldThen: () => {}, now: tickingClock() });
    for (const junk of [null, { type: 'solve', id: 1 }, { type: 'mine', id: 2 }]) onMessage(junk);
    expect(posted).toHaveLength(3);
    for (const message of posted) expect(message).toMatchObject({ type: 'failed', error: { code: 'POW_BAD_REQUEST' } });
  });
});

describe('createInlineProofOfWork', () => {
  it('difficulty 0 resolves at once with the header unchanged', async () => {
    const progress: PowProgress[] = [];
    const header = { ...HEADER, difficulty: 0, nonce: 42 };
    expect(await createInlineProofOfWork({ onProgress: (p) => progress.push(p) }).solve(header)).toBe(header);
    expect(progress).toEqual([]);
  });

  it('finds the first nonce that meets the difficulty and reports progress after each slice', async () => {
    const expected = expectedSolution(10);
    expect(expected.nonce).toBeGreaterThan(100);
    const progress: PowProgress[] = [];
    const pow = createInlineProofOfWork({ sliceAttempts: 100, onProgress: (p) => progress.push(p) }, { now: tickingClock() });
    const solved = await pow.solve(HEADER);
    expect(solved).toEqual(expected);
    expect(meetsDifficulty(blockHash(solved), 10)).toBe(true);
    expect(progress).toHaveLength(Math.floor(expected.nonce / 100));
    // The clock advances 1 ms per slice: 100 attempts per millisecond.
    expect(progress[0]).toEqual({ height: 7, difficulty: 10, attempts: 100, hashesPerSecond: 100_000 });
    expect(progress.map((p) => p.attempts)).toEqual(progress.map((_, i) => (i + 1) * 100));
    expect(pow.solving).toBe(false);
  });

  it('POW_CANCELLED: cancel() rejects every pending solve', async () => {
    const pow = createInlineProofOfWork({ sliceAttempts: 50 });
    const a = pow.solve({ ...HEADER, difficulty: 64 });
    const b = pow.solve({ ...HEADER, difficulty: 64, height: 8 });
    expect(pow.solving).toBe(true);
    pow.cancel();
    expect((await rejection(a)).code).toBe('POW_CANCELLED');
    const errorB = await rejection(b);
    expect(errorB.code).toBe('POW_CANCELLED');
    expect(errorB.details).toEqual({ height: 8 });
    expect(pow.solving).toBe(false);
  });

  it('POW_CANCELLED: an AbortSignal cancels its own solve only', async () => {
    const pow = createInlineProofOfWork({ sliceAttempts: 50 });
    const controller = new AbortController();
    const aborted = pow.solve({ ...HEADER, difficulty: 64 }, { signal: controller.signal });
    const other = pow.solve({ ...HEADER, difficulty: 6 });
    controller.abort();
    expect((await rejection(aborted)).code).toBe('POW_CANCELLED');
    expect(leadingZeroBits(blockHash(await other))).toBeGreaterThanOrEqual(6);
    expect((await rejection(pow.solve({ ...HEADER, difficulty: 4 }, { signal: controller.signal }))).code).toBe('POW_CANCELLED');
  });

  it('POW_EXHAUSTED after maxAttempts without a solution', async () => {
    const error = await rejection(createInlineProofOfWork({ sliceAttempts: 30, maxAttempts: 100 }).solve({ ...HEADER, difficulty: 64 }));
    expect(error.code).toBe('POW_EXHAUSTED');
    expect(error.details).toEqual({ height: 7, attempts: 100 });
  });

  it('POW_BAD_DIFFICULTY for a difficulty no hash can meet or that is not a whole number of bits', async () => {
    const pow = createInlineProofOfWork();
    for (const difficulty of [-1, 257, 1.5, Number.NaN]) {
      expect((await rejection(pow.solve({ ...HEADER, difficulty }))).code).toBe('POW_BAD_DIFFICULTY');
    }
  });

  it('POW_CLOSED: close() rejects pending solves and refuses new ones', async () => {
    const pow = createInlineProofOfWork({ sliceAttempts: 50 });
    const pending = pow.solve({ ...HEADER, difficulty: 64 });
    await pow.close();
    expect((await rejection(pending)).code).toBe('POW_CLOSED');
    expect((await rejection(pow.solve({ ...HEADER, difficulty: 0 }))).code).toBe('POW_CLOSED');
  });

  it('refuses a nonsensical slice size with a RangeError', () => {
    expect(() => createInlineProofOfWork({ sliceAttempts: 0 })).toThrow(RangeError);
    expect(() => createInlineProofOfWork({ maxAttempts: -5 })).toThrow(RangeError);
  });
});

describe('createProofOfWork (fake worker)', () => {
  it('difficulty 0 resolves without starting a worker', async () => {
    const { solver, workers } = fakeSolver();
    const header = { ...HEADER, difficulty: 0 };
    expect(await solver.solve(header)).toBe(header);
    expect(workers).toHaveLength(0);
  });

  it('solves as the inline search does, reporting progress', async () => {
    const progress: PowProgress[] = [];
    const { solver, workers } = fakeSolver({ sliceAttempts: 100, onProgress: (p) => progress.push(p) });
    const expected = expectedSolution(10);
    expect(await solver.solve(HEADER)).toEqual(expected);
    expect(progress).toHaveLength(Math.floor(expected.nonce / 100));
    expect(progress[0]).toEqual({ height: 7, difficulty: 10, attempts: 100, hashesPerSecond: 100_000 });
    expect(workers).toHaveLength(1);
    expect(workers[0]?.referenced).toBe(false);
    await solver.close();
  });

  it('runs concurrent solves in turn in one worker', async () => {
    const { solver, workers } = fakeSolver({ sliceAttempts: 100 });
    const [a, b] = await Promise.all([solver.solve(HEADER), solver.solve({ ...HEADER, difficulty: 8 })]);
    expect(a).toEqual(expectedSolution(10));
    expect(b).toEqual(expectedSolution(8));
    expect(workers).toHaveLength(1);
    await solver.close();
  });

  it('POW_CANCELLED: cancel() rejects at once and tells the worker to stop', async () => {
    const progress: PowProgress[] = [];
    const { solver, workers } = fakeSolver({ sliceAttempts: 50, onProgress: (p) => progress.push(p) });
    const pending = solver.solve({ ...HEADER, difficulty: 64 });
    await expect.poll(() => progress.length).toBeGreaterThan(2);
    solver.cancel();
    expect((await rejection(pending)).code).toBe('POW_CANCELLED');
    expect(workers[0]?.posted.at(-1)).toEqual({ type: 'cancel', id: 1 });
    const seen = progress.length;
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(progress).toHaveLength(seen);
    expect(solver.solving).toBe(false);
    await solver.close();
  });

  it('POW_FAILED when the worker crashes; the next solve starts a new worker', async () => {
    const { solver, workers } = fakeSolver({ sliceAttempts: 50 });
    const pending = solver.solve({ ...HEADER, difficulty: 64 });
    await expect.poll(() => workers[0]?.posted.length).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    workers[0]?.crash('stack overflow');
    const error = await rejection(pending);
    expect(error.code).toBe('POW_FAILED');
    expect(error.message).toContain('stack overflow');
    expect(await solver.solve({ ...HEADER, difficulty: 6 })).toEqual(expectedSolution(6));
    expect(workers).toHaveLength(2);
    await solver.close();
  });

  it('POW_CLOSED: close() rejects pending solves and terminates the worker', async () => {
    const { solver, workers } = fakeSolver({ sliceAttempts: 50 });
    const pending = solver.solve({ ...HEADER, difficulty: 64 });
    await solver.close();
    expect((await rejection(pending)).code).toBe('POW_CLOSED');
    expect(workers[0]?.terminated).toBe(true);
    expect((await rejection(solver.solve(HEADER))).code).toBe('POW_CLOSED');
  });
});
