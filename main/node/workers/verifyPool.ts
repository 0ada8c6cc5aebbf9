/**
 * Signature verification off the main thread (DESIGN.md §4): a pool of worker threads, each with its own
 * cache of public key objects, implementing the consensus engine's `Verifier`.
 *
 * Scheduling. A call is split into chunks of at most `chunkSize` tasks; each chunk goes to the queue of
 * the least loaded worker. A worker has at most `maxInFlightPerWorker` messages outstanding; what arrives
 * meanwhile waits in its queue and leaves in the next message, so many small calls (one transaction per
 * API submission) are batched without a timer, and the main thread only ever copies one chunk at a time.
 * Results come back in the order of the input. Urgent work (a block's check: consensus waits on it, with a
 * round timer running) has a queue of its own that each worker empties first, so it never waits behind a
 * backlog of submissions; only the chunks already sent are finished before it.
 *
 * Failure. When a worker dies, the calls it was verifying reject with VERIFIER_FAILED and the worker is
 * started again; what was queued for it goes to the new worker. A worker that dies before it is ready
 * (a missing or broken script) fails its queue too instead of being restarted in a loop. `close()` rejects
 * everything pending with VERIFIER_CLOSED and terminates the workers.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PublicKeyCache } from '../../core/crypto/ed25519';
import { CivichainError } from '../../core/errors';
import { CredentialVerifier, type CredentialClaim } from '../../core/elections/credential';
import { rememberedTransactionHash, type Transaction } from '../../core/ledger/transaction';
import type { Verifier } from '../consensus/types';
import type { Logger } from '../log';
import {
  createKeyCache,
  runVerifyTask,
  transactionTask,
  type SignedMessage,
  type VerifierCacheOptions,
  type VerifyResult,
  type VerifyTask,
  type VerifyWorkerData,
  type VerifyWorkerMessage,
  runOpenTask,
  type OpenResult,
  type OpenTask,
} from './verifyTasks';
import { DEFAULT_WORKER_NICENESS, builtWorkerScript, spawnWorkerThread, toScriptUrl, type SpawnWorker, type WorkerLike } from './workerThreads';

export type { OpenResult, OpenTask, SignedMessage } from './verifyTasks';

export const VERIFY_WORKER_SCRIPT = 'verifyWorker.js';
export const DEFAULT_VERIFY_CHUNK_SIZE = 256;
export const DEFAULT_MAX_IN_FLIGHT_PER_WORKER = 2;

/** A `Verifier` that can also check other signed things (votes, proposals) in bulk. */
/** `urgent`: ahead of everything queued that is not (a block's check, not a submission's). */
export interface VerifyOptions {
  readonly urgent?: boolean;
}

export interface BatchVerifier extends Verifier {
  verifyTransactions(transactions: readonly Transaction[], chainId: string, options?: VerifyOptions): Promise<(string | null)[]>;
  /** For each signed message: whether its signature is valid. */
  verifyBatch(items: readonly SignedMessage[]): Promise<boolean[]>;
  /** For each ballot credential: whether it verifies (partially-blind RSA, about a millisecond each). */
  verifyCredentials(claims: readonly CredentialClaim[], options?: VerifyOptions): Promise<boolean[]>;
  /** Opens sealed applications with the reviewers' key, off the main thread (X25519, HKDF, AES-GCM). */
  openApplications(items: readonly OpenTask[]): Promise<OpenResult[]>;
}

export interface VerifyPool extends BatchVerifier {
  /** Number of worker threads. */
  readonly size: number;
  /** Tasks queued or being verified. */
  pendingTasks(): number;
  /** Rejects pending work with VERIFIER_CLOSED and terminates the workers. */
  close(): Promise<void>;
}

export interface VerifyPoolOptions extends VerifierCacheOptions {
  /** Worker threads; by default `os.availableParallelism()`, at least 1. */
  readonly workers?: number;
  /** The built verifyWorker.js; by default found beside the bundled code in out/main/. */
  readonly workerScript?: URL | string;
  /** Most tasks in one message to a worker. */
  readonly chunkSize?: number;
  /** Messages a worker may have outstanding before further work waits in its queue. */
  readonly maxInFlightPerWorker?: number;
  /** How much lower the workers run than the main thread (Linux nice); 0 for the same priority. */
  readonly workerNiceness?: number;
}

export interface VerifyPoolDependencies {
  readonly log?: Logger;
  /** Starts a worker; tests pass in-process fakes. */
  readonly spawn?: SpawnWorker;
}

interface Call {
  readonly results: VerifyResult[];
  remaining: number;
  settled: boolean;
  readonly resolve: (results: VerifyResult[]) => void;
  readonly reject: (error: CivichainError) => void;
}

interface Item {
  readonly call: Call;
  readonly index: number;
  readonly task: VerifyTask;
}

interface Slot {
  readonly index: number;
  worker: WorkerLike | null;
  ready: boolean;
  lastError: string | null;
  queue: Item[];
  /** Sent before `queue`. */
  urgent: Item[];
  readonly inFlight: Map<number, Item[]>;
  /** Tasks queued or in flight on this worker. */
  load: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

function toTransactionResults(results: readonly VerifyResult[]): (string | null)[] {
  return results.map((result) => (typeof result === 'string' ? result : null));
}

function toOpenResults(results: readonly VerifyResult[]): OpenResult[] {
  return results.map((result) => (typeof result === 'object' && result !== null ? result : { error: 'The sealed application cannot be opened.' }));
}

function toSignatureResults(results: readonly VerifyResult[]): boolean[] {
  return results.map((result) => result === true);
}

/**
 * Posting a typed array copies its whole underlying buffer, and a small Buffer is a view into a shared
 * 8 KiB pool: give each message a buffer of its own size.
 */
function compactMessage(signed: SignedMessage): SignedMessage {
  const { message } = signed;
  if (message.byteOffset === 0 && message.buffer.byteLength === message.byteLength) return signed;
  return { ...signed, message: new Uint8Array(message) };
}

function settle(call: Call, error: CivichainError): void {
  if (call.settled) return;
  call.settled = true;
  call.reject(error);
}

class WorkerVerifyPool implements VerifyPool {
  readonly size: number;
  private readonly script: URL;
  private readonly chunkSize: number;
  private readonly maxInFlight: number;
  private readonly workerData: VerifyWorkerData;
  private readonly spawn: SpawnWorker;
  private readonly slots: Slot[];
  private nextRequestId = 1;
  private closed = false;
  /**
   * Transactions made here (frozen to their last value, so their signatures cannot change) that a worker
   * found valid for their own chain: a block of this node's mempool transactions is not sent to the workers
   * again. Null when `memoize` is off (an audit verifies everything).
   */
  private readonly verified: WeakSet<Transaction> | null;

  constructor(
    options: VerifyPoolOptions,
    private readonly deps: VerifyPoolDependencies,
  ) {
    this.size = positiveInteger('workers', options.workers ?? Math.max(1, availableParallelism()));
    this.chunkSize = positiveInteger('chunkSize', options.chunkSize ?? DEFAULT_VERIFY_CHUNK_SIZE);
    this.maxInFlight = positiveInteger('maxInFlightPerWorker', options.maxInFlightPerWorker ?? DEFAULT_MAX_IN_FLIGHT_PER_WORKER);
    this.script = options.workerScript ? toScriptUrl(options.workerScript) : builtWorkerScript(VERIFY_WORKER_SCRIPT, import.meta.url);
    this.workerData = {
      keyCacheCapacity: options.keyCacheCapacity,
      memoize: options.memoize,
      niceness: options.workerNiceness ?? DEFAULT_WORKER_NICENESS,
    };
    this.spawn = deps.spawn ?? spawnWorkerThread;
    this.verified = options.memoize === false ? null : new WeakSet();
    this.slots = Array.from({ length: this.size }, (_, index) => ({
      index,
      worker: null,
      ready: false,
      lastError: null,
      queue: [],
      urgent: [],
      inFlight: new Map(),
      load: 0,
    }));
    // Start every worker now: loading the bundle takes tens of milliseconds that the first block should not wait for.
    for (const slot of this.slots) this.start(slot);
  }

  async verifyTransactions(transactions: readonly Transaction[], chainId: string, options: VerifyOptions = {}): Promise<(string | null)[]> {
    const verified = this.verified;
    const results = new Array<string | null>(transactions.length).fill(null);
    const unknown: number[] = [];
    transactions.forEach((tx, index) => {
      const hash = tx.chainId === chainId && verified?.has(tx) ? rememberedTransactionHash(tx) : undefined;
      if (hash === undefined) unknown.push(index);
      else results[index] = hash;
    });
    if (unknown.length === 0) return results;
    const checked = toTransactionResults(await this.run(unknown.map((index) => transactionTask(transactions[index] as Transaction, chainId)), options));
    unknown.forEach((index, k) => {
      const hash = checked[k] ?? null;
      results[index] = hash;
      const tx = transactions[index] as Transaction;
      // Remembered only for a transaction whose hash is remembered too: made here, so frozen.
      if (verified && hash !== null && tx.chainId === chainId && rememberedTransactionHash(tx) === hash) verified.add(tx);
    });
    return results;
  }

  async verifyBatch(items: readonly SignedMessage[]): Promise<boolean[]> {
    return toSignatureResults(await this.run(items.map((signed) => ({ kind: 'signature', signed: compactMessage(signed) }))));
  }

  async verifyCredentials(claims: readonly CredentialClaim[], options: VerifyOptions = {}): Promise<boolean[]> {
    return toSignatureResults(await this.run(claims.map((claim) => ({ kind: 'credential', claim })), options));
  }

  async openApplications(items: readonly OpenTask[]): Promise<OpenResult[]> {
    return toOpenResults(await this.run(items.map((item) => ({ kind: 'open', ...item }))));
  }

  pendingTasks(): number {
    return this.slots.reduce((sum, slot) => sum + slot.load, 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new CivichainError('VERIFIER_CLOSED', 'The signature verifier was shut down before it finished; the work was not checked.');
    const terminating: Promise<number>[] = [];
    for (const slot of this.slots) {
      for (const items of slot.inFlight.values()) for (const item of items) settle(item.call, error);
      for (const item of [...slot.urgent, ...slot.queue]) settle(item.call, error);
      slot.inFlight.clear();
      slot.queue = [];
      slot.urgent = [];
      slot.load = 0;
      const worker = slot.worker;
      // Forget the worker first, so that its exit is not taken for a crash.
      slot.worker = null;
      if (worker) terminating.push(worker.terminate());
    }
    await Promise.all(terminating);
  }

  private run(tasks: readonly VerifyTask[], options: VerifyOptions = {}): Promise<VerifyResult[]> {
    if (this.closed) {
      return Promise.reject(new CivichainError('VERIFIER_CLOSED', 'The signature verifier is shut down; the node is stopping.'));
    }
    if (tasks.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const call: Call = { results: new Array<VerifyResult>(tasks.length).fill(null), remaining: tasks.length, settled: false, resolve, reject };
      const touched = new Set<Slot>();
      for (let start = 0; start < tasks.length; start += this.chunkSize) {
        const slot = this.leastLoaded();
        const end = Math.min(start + this.chunkSize, tasks.length);
        const queue = options.urgent ? slot.urgent : slot.queue;
        for (let index = start; index < end; index++) queue.push({ call, index, task: tasks[index] as VerifyTask });
        slot.load += end - start;
        touched.add(slot);
      }
      for (const slot of touched) this.dispatch(slot);
    });
  }

  private leastLoaded(): Slot {
    let best = this.slots[0] as Slot;
    for (const slot of this.slots) if (slot.load < best.load) best = slot;
    return best;
  }

  private start(slot: Slot): WorkerLike {
    const worker = this.spawn(this.script, this.workerData);
    slot.worker = worker;
    slot.ready = false;
    slot.lastError = null;
    worker.on('message', (message) => {
      if (slot.worker === worker) this.onMessage(slot, message as VerifyWorkerMessage);
    });
    worker.on('error', (error) => {
      if (slot.worker === worker) slot.lastError = error.message;
    });
    worker.on('exit', (exitCode) => {
      if (slot.worker === worker) this.onExit(slot, exitCode);
    });
    // An idle worker does not keep the process alive; dispatch() holds it while work is in flight.
    worker.unref();
    return worker;
  }

  /** Sends queued work while the worker has room for it. */
  private dispatch(slot: Slot): void {
    if (this.closed) return;
    const worker = slot.worker ?? this.start(slot);
    while (slot.inFlight.size < this.maxInFlight && (slot.urgent.length > 0 || slot.queue.length > 0)) {
      const taken = (slot.urgent.length > 0 ? slot.urgent : slot.queue).splice(0, this.chunkSize);
      const items = taken.filter((item) => !item.call.settled);
      slot.load -= taken.length - items.length;
      if (items.length === 0) continue;
      const id = this.nextRequestId++;
      slot.inFlight.set(id, items);
      worker.postMessage({ type: 'verify', id, tasks: items.map((item) => item.task) });
    }
    if (slot.inFlight.size > 0) worker.ref();
    else worker.unref();
  }

  private onMessage(slot: Slot, message: VerifyWorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      return;
    }
    const items = slot.inFlight.get(message.id);
    if (!items) return;
    slot.inFlight.delete(message.id);
    slot.load -= items.length;
    if (message.type === 'verified' && message.results.length === items.length) {
      items.forEach((item, k) => {
        const { call } = item;
        if (call.settled) return;
        call.results[item.index] = message.results[k] ?? null;
        call.remaining -= 1;
        if (call.remaining === 0) {
          call.settled = true;
          call.resolve(call.results);
        }
      });
    } else {
      const reason = message.type === 'failed' ? `${message.error.code}: ${message.error.message}` : 'it answered with the wrong number of results';
      const error = new CivichainError('VERIFIER_FAILED', `A signature verification worker could not check a batch (${reason}).`, {
        worker: slot.index,
        reason,
      });
      for (const item of items) settle(item.call, error);
    }
    this.dispatch(slot);
  }

  private onExit(slot: Slot, exitCode: number): void {
    const wasReady = slot.ready;
    const reason = slot.lastError ?? `exit code ${exitCode}`;
    slot.worker = null;
    slot.ready = false;
    let error: CivichainError;
    if (wasReady) {
      error = new CivichainError(
        'VERIFIER_FAILED',
        `A signature verification worker stopped (${reason}); the batch it was checking was not verified. It has been restarted: submit again.`,
        { worker: slot.index, exitCode, reason },
      );
    } else {
      // It never started: a second attempt would fail the same way, so fail its queue too instead of looping.
      const script = this.script.protocol === 'file:' ? fileURLToPath(this.script) : this.script.href;
      error = new CivichainError(
        'VERIFIER_FAILED',
        `The signature verification worker could not start (${reason}). Check that ${script} exists and is current: build with "npx electron-vite build".`,
        { worker: slot.index, exitCode, reason, script },
      );
      for (const item of [...slot.urgent, ...slot.queue]) settle(item.call, error);
      slot.queue = [];
      slot.urgent = [];
    }
    for (const items of slot.inFlight.values()) for (const item of items) settle(item.call, error);
    slot.inFlight.clear();
    slot.load = slot.urgent.length + slot.queue.length;
    this.deps.log?.warn('signature verification worker stopped', { worker: slot.index, exitCode, reason, restarting: wasReady });
    if (wasReady) this.dispatch(slot);
  }
}

/** Starts a pool of verification worker threads. */
export function createVerifyPool(options: VerifyPoolOptions = {}, deps: VerifyPoolDependencies = {}): VerifyPool {
  return new WorkerVerifyPool(options, deps);
}

export interface InlineVerifierDependencies {
  /** A key cache to share (the simulation shares one per process); by default a new one. */
  readonly keys?: PublicKeyCache;
}

/**
 * The same checks on the calling thread, answered synchronously inside the returned promise: for unit
 * tests and the deterministic simulation, where worker threads would add nondeterminism.
 */
export function createInlineVerifier(options: VerifierCacheOptions = {}, deps: InlineVerifierDependencies = {}): BatchVerifier {
  const keys = deps.keys ?? createKeyCache(options);
  const credentials = new CredentialVerifier();
  return {
    verifyTransactions: (transactions, chainId) =>
      Promise.resolve(toTransactionResults(transactions.map((tx) => runVerifyTask(transactionTask(tx, chainId), keys)))),
    verifyBatch: (items) => Promise.resolve(toSignatureResults(items.map((signed) => runVerifyTask({ kind: 'signature', signed }, keys)))),
    verifyCredentials: (claims) => Promise.resolve(toSignatureResults(claims.map((claim) => runVerifyTask({ kind: 'credential', claim }, keys, credentials)))),
    openApplications: (items) => Promise.resolve(items.map(runOpenTask)),
  };
}
