/**
 * The real proof-of-work worker thread, from the build (out/main/powWorker.js): run
 * `npx electron-vite build` first.
 */
import { performance } from 'node:perf_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockHash, meetsDifficulty, searchProofOfWork, type BlockHeader } from '../../core/ledger/block';
import { createProofOfWork, POW_WORKER_SCRIPT, type PowProgress } from './proofOfWork';
import { builtWorkerForTests } from './testSupport';
import { spawnWorkerThread, type SpawnWorker } from './workerThreads';
import { rejection } from '../../../test/support/rejection';

const HEADER: BlockHeader = {
  chainId: 'civichain-test',
  height: 12,
  previousHash: '5a'.repeat(32),
  // Chosen so that the first solution (nonce 40,611) lies several slices in.
  timeMs: 1_700_000_000_002,
  txRoot: 'c3'.repeat(32),
  txCount: 250,
  proposer: '9f'.repeat(32),
  round: 1,
  difficulty: 16,
  nonce: 0,
};
const SLICE_ATTEMPTS = 5_000;

let script: URL;

beforeAll(() => {
  script = builtWorkerForTests(POW_WORKER_SCRIPT);
});


describe('proof-of-work (worker thread)', () => {
  it('solves difficulty 16 with the first nonce that meets it, reporting progress, without blocking the main thread', async () => {
    const expected = searchProofOfWork(HEADER, 0, 1 << 24);
    expect(expected?.nonce).toBeGreaterThan(2 * SLICE_ATTEMPTS);
    const progress: PowProgress[] = [];
    const pow = createProofOfWork({ workerScript: script, sliceAttempts: SLICE_ATTEMPTS, onProgress: (p) => progress.push(p) });
    let last = performance.now();
    let maxGapMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 1);
    try {
      const solved = await pow.solve(HEADER);
      expect(solved).toEqual(expected);
      expect(meetsDifficulty(blockHash(solved), 16)).toBe(true);
      expect(progress).toHaveLength(Math.floor(solved.nonce / SLICE_ATTEMPTS));
      expect(progress.map((p) => p.attempts)).toEqual(progress.map((_, i) => (i + 1) * SLICE_ATTEMPTS));
      for (const p of progress) {
        expect(p).toMatchObject({ height: 12, difficulty: 16 });
        expect(p.hashesPerSecond).toBeGreaterThan(0);
      }
      expect(maxGapMs).toBeLessThan(150);
    } finally {
      clearInterval(timer);
      await pow.close();
    }
  });

  it('POW_CANCELLED: cancel() stops a solve in progress; the worker then solves the next one', async () => {
    const progress: PowProgress[] = [];
    const pow = createProofOfWork({ workerScript: script, sliceAttempts: SLICE_ATTEMPTS, onProgress: (p) => progress.push(p) });
    try {
      const hopeless = rejection(pow.solve({ ...HEADER, difficulty: 48 }));
      await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(pow.solving).toBe(true);
      pow.cancel();
      const error = await hopeless;
      expect(error.code).toBe('POW_CANCELLED');
      expect(error.details).toEqual({ height: 12 });
      expect(pow.solving).toBe(false);
      const solved = await pow.solve({ ...HEADER, difficulty: 8 });
      expect(meetsDifficulty(blockHash(solved), 8)).toBe(true);
    } finally {
      await pow.close();
    }
  });

  it('POW_CANCELLED through an AbortSignal', async () => {
    const controller = new AbortController();
    // Cancel once the search has really started: at its first progress report.
    const pow = createProofOfWork({ workerScript: script, sliceAttempts: SLICE_ATTEMPTS, onProgress: () => controller.abort() });
    try {
      const pending = rejection(pow.solve({ ...HEADER, difficulty: 48 }, { signal: controller.signal }));
      expect((await pending).code).toBe('POW_CANCELLED');
    } finally {
      await pow.close();
    }
  });

  it('difficulty 0 resolves without starting a worker', async () => {
    let spawned = 0;
    const spawn: SpawnWorker = (url, data) => {
      spawned += 1;
      return spawnWorkerThread(url, data);
    };
    const pow = createProofOfWork({ workerScript: script }, { spawn });
    const header = { ...HEADER, difficulty: 0 };
    expect(await pow.solve(header)).toBe(header);
    expect(spawned).toBe(0);
    await pow.close();
  });

  it('POW_CLOSED: closing rejects a pending solve', async () => {
    const pow = createProofOfWork({ workerScript: script });
    const pending = rejection(pow.solve({ ...HEADER, difficulty: 48 }));
    await pow.close();
    expect((await pending).code).toBe('POW_CLOSED');
  });
});
