/**
 * Proof-of-work for the proposer (DESIGN.md §4), solved off the main thread: one worker thread searches
 * nonces in slices of `sliceAttempts`, and after each slice the solver reports `{attempts, hashesPerSecond}`
 * (the node's "mining" status and events). `cancel()` stops every pending solve, which rejects with
 * POW_CANCELLED; a solve can also be cancelled alone through an AbortSignal. Difficulty 0 is answered at
 * once, without a round trip to the worker. The worker starts at the first solve and is started again
 * after a crash (the solves it was running reject with POW_FAILED).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CivichainError } from '../../core/errors';
import { meetsDifficulty, blockHash, type BlockHeader } from '../../core/ledger/block';
import type { ProofOfWork } from '../consensus/types';
import type { Logger } from '../log';
import { MAX_DIFFICULTY_BITS, powProgress, startPowSearch, stepPowSearch, type PowProgress, type PowWorkerData, type PowWorkerMessage } from './powSearch';
import { DEFAULT_WORKER_NICENESS, builtWorkerScript, describeError, spawnWorkerThread, toScriptUrl, type SpawnWorker, type WorkerLike } from './workerThreads';

export type { PowProgress } from './powSearch';

export const POW_WORKER_SCRIPT = 'powWorker.js';
/** About a tenth of a second of hashing on one core: the cancel latency and the progress interval. */
export const DEFAULT_POW_SLICE_ATTEMPTS = 50_000;

export interface SolveOptions {
  /** Cancels this solve alone; it rejects with POW_CANCELLED. */
  readonly signal?: AbortSignal;
}

export interface PowSolver extends ProofOfWork {
  solve(header: BlockHeader, options?: SolveOptions): Promise<BlockHeader>;
  /** Stops every pending solve; each rejects with POW_CANCELLED. */
  cancel(): void;
  /** Whether a solve is pending. */
  readonly solving: boolean;
  /** Rejects pending solves with POW_CLOSED and stops the worker. */
  close(): Promise<void>;
}

export interface ProofOfWorkOptions {
  /** Nonces tried between progress reports (and cancellation checks). */
  readonly sliceAttempts?: number;
  /** Gives up with POW_EXHAUSTED after this many nonces; by default the whole nonce space. */
  readonly maxAttempts?: number;
  /** Called after each slice that found nothing. */
  readonly onProgress?: (progress: PowProgress) => void;
}

export interface WorkerProofOfWorkOptions extends ProofOfWorkOptions {
  /** The built powWorker.js; by default found beside the bundled code in out/main/. */
  readonly workerScript?: URL | string;
  /** How much lower the worker runs than the main thread (Linux nice); 0 for the same priority. */
  readonly workerNiceness?: number;
}

export interface ProofOfWorkDependencies {
  readonly log?: Logger;
  /** Starts the worker; tests pass an in-process fake. */
  readonly spawn?: SpawnWorker;
}

export interface InlineProofOfWorkDependencies {
  readonly now?: () => number;
  /** Runs `fn` after other pending work (default setImmediate): where a cancel gets its chance. */
  readonly yieldThen?: (fn: () => void) => void;
}

function sliceAttemptsOf(options: ProofOfWorkOptions): number {
  const slice = options.sliceAttempts ?? DEFAULT_POW_SLICE_ATTEMPTS;
  if (!Number.isSafeInteger(slice) || slice < 1) throw new RangeError(`sliceAttempts must be a positive integer, got ${slice}.`);
  if (options.maxAttempts !== undefined && (!Number.isSafeInteger(options.maxAttempts) || options.maxAttempts < 1)) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${options.maxAttempts}.`);
  }
  return slice;
}

function checkDifficulty(header: BlockHeader): CivichainError | null {
  const { difficulty } = header;
  if (Number.isInteger(difficulty) && difficulty >= 0 && difficulty <= MAX_DIFFICULTY_BITS) return null;
  return new CivichainError('POW_BAD_DIFFICULTY', `A difficulty of ${difficulty} bits cannot be solved; it must be an integer from 0 to 256.`, {
    difficulty,
  });
}

const cancelled = (height: number): CivichainError =>
  new CivichainError('POW_CANCELLED', `Mining block ${height} was cancelled.`, { height });

const exhausted = (height: number, attempts: number): CivichainError =>
  new CivichainError('POW_EXHAUSTED', `No proof-of-work was found for block ${height} in ${attempts} attempts.`, { height, attempts });

/** What happens before any search: a closed solver, a bad difficulty, an aborted signal, difficulty 0. */
function precheck(header: BlockHeader, options: SolveOptions, closed: boolean): Promise<BlockHeader> | null {
  if (closed) return Promise.reject(new CivichainError('POW_CLOSED', 'The proof-of-work solver is shut down; the node is stopping.'));
  const bad = checkDifficulty(header);
  if (bad) return Promise.reject(bad);
  if (options.signal?.aborted) return Promise.reject(cancelled(header.height));
  // Every hash has at least zero leading zero bits.
  if (header.difficulty === 0) return Promise.resolve(header);
  return null;
}

interface PendingSolve {
  readonly header: BlockHeader;
  readonly resolve: (header: BlockHeader) => void;
  readonly reject: (error: CivichainError) => void;
  readonly detach: () => void;
}

class WorkerProofOfWork implements PowSolver {
  private readonly script: URL;
  private readonly sliceAttempts: number;
  private readonly spawn: SpawnWorker;
  private readonly pending = new Map<number, PendingSolve>();
  private worker: WorkerLike | null = null;
  private ready = false;
  private lastError: string | null = null;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly options: WorkerProofOfWorkOptions,
    private readonly deps: ProofOfWorkDependencies,
  ) {
    this.sliceAttempts = sliceAttemptsOf(options);
    this.script = options.workerScript ? toScriptUrl(options.workerScript) : builtWorkerScript(POW_WORKER_SCRIPT, import.meta.url);
    this.spawn = deps.spawn ?? spawnWorkerThread;
  }

  get solving(): boolean {
    return this.pending.size > 0;
  }

  solve(header: BlockHeader, options: SolveOptions = {}): Promise<BlockHeader> {
    const early = precheck(header, options, this.closed);
    if (early) return early;
    const id = this.nextId++;
    return new Promise<BlockHeader>((resolve, reject) => {
      const onAbort = (): void => this.stop(id, cancelled(header.height));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const detach = (): void => options.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, { header, resolve, reject, detach });
      const worker = this.worker ?? this.start();
      worker.ref();
      worker.postMessage({ type: 'solve', id, header, sliceAttempts: this.sliceAttempts, maxAttempts: this.options.maxAttempts });
    });
  }

  cancel(): void {
    for (const [id, solve] of [...this.pending]) this.stop(id, cancelled(solve.header.height));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new CivichainError('POW_CLOSED', 'The proof-of-work solver was shut down while mining; the block was not proposed.');
    for (const id of [...this.pending.keys()]) this.settle(id, error);
    const worker = this.worker;
    // Forget the worker first, so that its exit is not taken for a crash.
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): WorkerLike {
    const data: PowWorkerData = { niceness: this.options.workerNiceness ?? DEFAULT_WORKER_NICENESS };
    const worker = this.spawn(this.script, data);
    this.worker = worker;
    this.ready = false;
    this.lastError = null;
    worker.on('message', (message) => {
      if (this.worker === worker) this.onMessage(message as PowWorkerMessage);
    });
    worker.on('error', (error) => {
      if (this.worker === worker) this.lastError = error.message;
    });
    worker.on('exit', (exitCode) => {
      if (this.worker === worker) this.onExit(exitCode);
    });
    return worker;
  }

  /** Rejects one solve and tells the worker to drop it. */
  private stop(id: number, error: CivichainError): void {
    if (!this.pending.has(id)) return;
    this.settle(id, error);
    this.worker?.postMessage({ type: 'cancel', id });
  }

  private settle(id: number, outcome: CivichainError | BlockHeader): void {
    const solve = this.pending.get(id);
    if (!solve) return;
    this.pending.delete(id);
    solve.detach();
    if (outcome instanceof CivichainError) solve.reject(outcome);
    else solve.resolve(outcome);
    // An idle worker does not keep the process alive.
    if (this.pending.size === 0) this.worker?.unref();
  }

  private onMessage(message: PowWorkerMessage): void {
    if (message.type === 'ready') {
      this.ready = true;
      return;
    }
    const solve = this.pending.get(message.id);
    if (!solve) return;
    const { height, difficulty } = solve.header;
    switch (message.type) {
      case 'progress':
        this.options.onProgress?.({ height, difficulty, attempts: message.attempts, hashesPerSecond: message.hashesPerSecond });
        return;
      case 'solved': {
        // One hash to be sure of what the block will carry.
        const ok = meetsDifficulty(blockHash(message.header), difficulty) && message.header.height === height;
        this.settle(
          message.id,
          ok ? message.header : new CivichainError('POW_FAILED', `The proof-of-work worker returned a header for block ${height} that does not meet its difficulty.`),
        );
        return;
      }
      case 'exhausted':
        this.settle(message.id, exhausted(height, message.attempts));
        return;
      case 'failed':
        this.settle(message.id, new CivichainError('POW_FAILED', `Mining block ${height} failed: ${message.error.message}`, { height, reason: message.error.code }));
        return;
    }
  }

  private onExit(exitCode: number): void {
    const reason = this.lastError ?? `exit code ${exitCode}`;
    const wasReady = this.ready;
    this.worker = null;
    this.ready = false;
    const script = this.script.protocol === 'file:' ? fileURLToPath(this.script) : this.script.href;
    const message = wasReady
      ? `The proof-of-work worker stopped (${reason}); mining will start again with the next block.`
      : `The proof-of-work worker could not start (${reason}). Check that ${script} exists and is current: build with "npx electron-vite build".`;
    for (const [id, solve] of [...this.pending]) {
      this.settle(id, new CivichainError('POW_FAILED', message, { height: solve.header.height, exitCode, reason }));
    }
    this.deps.log?.warn('proof-of-work worker stopped', { exitCode, reason });
  }
}

/** A solver whose search runs in a worker thread (started at the first solve). */
export function createProofOfWork(options: WorkerProofOfWorkOptions = {}, deps: ProofOfWorkDependencies = {}): PowSolver {
  return new WorkerProofOfWork(options, deps);
}

/**
 * The same search on the calling thread, a slice at a time with a yield between slices: for unit tests
 * and the deterministic simulation. It blocks the event loop for one slice at a time.
 */
export function createInlineProofOfWork(options: ProofOfWorkOptions = {}, deps: InlineProofOfWorkDependencies = {}): PowSolver {
  const sliceAttempts = sliceAttemptsOf(options);
  const now = deps.now ?? (() => performance.now());
  const yieldThen = deps.yieldThen ?? ((fn: () => void) => setImmediate(fn));
  /** The stop function of each pending solve, with the height it mines. */
  const pending = new Map<(error: CivichainError) => void, number>();
  let closed = false;

  return {
    get solving() {
      return pending.size > 0;
    },
    solve(header, solveOptions = {}) {
      const early = precheck(header, solveOptions, closed);
      if (early) return early;
      return new Promise<BlockHeader>((resolve, reject) => {
        const search = startPowSearch(header, options.maxAttempts);
        let done = false;
        const finish = (outcome: BlockHeader | CivichainError): void => {
          if (done) return;
          done = true;
          pending.delete(stop);
          solveOptions.signal?.removeEventListener('abort', onAbort);
          if (outcome instanceof CivichainError) reject(outcome);
          else resolve(outcome);
        };
        const stop = (error: CivichainError): void => finish(error);
        const onAbort = (): void => stop(cancelled(header.height));
        pending.set(stop, header.height);
        solveOptions.signal?.addEventListener('abort', onAbort, { once: true });
        const step = (): void => {
          if (done) return;
          let result: ReturnType<typeof stepPowSearch>;
          try {
            result = stepPowSearch(search, sliceAttempts, now);
          } catch (error) {
            return finish(new CivichainError('POW_FAILED', `Mining block ${header.height} failed: ${describeError(error)}`, { height: header.height }));
          }
          if (result.kind === 'solved') return finish(result.header);
          if (result.kind === 'exhausted') return finish(exhausted(header.height, search.attempts));
          options.onProgress?.(powProgress(search));
          yieldThen(step);
        };
        step();
      });
    },
    cancel() {
      for (const [stop, height] of [...pending]) stop(cancelled(height));
    },
    async close() {
      closed = true;
      for (const stop of [...pending.keys()]) stop(new CivichainError('POW_CLOSED', 'The proof-of-work solver was shut down while mining; the block was not proposed.'));
    },
  };
}
