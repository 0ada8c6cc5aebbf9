/**
 * The mempool: transactions waiting for a block. Everything in it has been validated (chain id, signature
 * in a worker thread, the rules of its type against the committed state), is deduplicated (against the pool
 * and the chain), is bounded, and is persisted before the submitter gets an answer: submissions that
 * arrive together are written in one SQLite transaction (group commit), then all acknowledged.
 */
import { CivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import { createTransactionFromJSON, transactionHash, type Transaction } from '../../core/ledger/transaction';
import type { CredentialVerifier } from '../../core/elections/credential';
import type { RuleRegistry } from '../../core/rules/index';
import type { StateReader } from '../../core/rules/types';
import { checkTransaction } from '../../core/stateTransition';
import type { Mempool, Verifier } from '../consensus/types';

/** Where the mempool keeps its transactions (the ledger store's `mempool` table). */
export interface MempoolRepository {
  /** Writes the entries durably in one transaction (idempotent per hash). */
  addMany(entries: readonly { hash: string; tx: Transaction; receivedAtMs: number }[]): unknown;
  remove(hashes: readonly string[]): unknown;
  /** Every stored entry, oldest first. */
  all(): readonly { hash: string; tx: Transaction }[];
}

export interface MempoolOptions {
  readonly genesis: Genesis;
  /** Most transactions held; beyond it, submissions are refused with MEMPOOL_FULL. */
  readonly maxSize?: number;
}

export interface MempoolDependencies {
  readonly repository: MempoolRepository;
  readonly verifier: Verifier;
  readonly registry: RuleRegistry;
  readonly state: () => StateReader;
  readonly height: () => number;
  readonly now: () => number;
  /** Verifies ballot credentials (remembering those already verified); one per check when absent. */
  readonly credentials?: CredentialVerifier;
  /** Off-thread checks to run before the rules (ballot credentials in worker threads). */
  readonly precheck?: (txs: readonly Transaction[]) => Promise<void>;
  /** Told after transactions were added or removed. */
  readonly onChange: (size: number, added: readonly Transaction[]) => void;
}

export type SubmitOutcome = { readonly hash: string; readonly duplicate: boolean };

type VerifiedBatch = { readonly batch: readonly Waiting[] } & ({ readonly hashes: readonly (string | null)[] } | { readonly error: unknown });

/** A batch being verified; `verified` once its result is in. */
interface InFlight {
  readonly result: Promise<VerifiedBatch>;
  verified?: VerifiedBatch;
}

interface Waiting {
  readonly tx: Transaction;
  readonly hash: string;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
}

export const DEFAULT_MEMPOOL_SIZE = 200_000;

/** Transactions re-checked per block beyond those whose reads the block changed: for what time alone ends. */
const SWEEP_PER_BLOCK = 256;

/** A state reader that notes every key read through it. */
function recordingReader(state: StateReader, reads: string[]): StateReader {
  return {
    get: (key) => {
      reads.push(key);
      return state.get(key);
    },
    hasTransaction: (hash) => state.hasTransaction(hash),
  };
}

export class TransactionPool implements Mempool {
  private readonly txs = new Map<string, Transaction>();
  /** The state keys each waiting transaction's rules read when it was last checked… */
  private readonly readsOf = new Map<string, readonly string[]>();
  /** …and the other way round: which waiting transactions read a key. */
  private readonly readers = new Map<string, Set<string>>();
  private sweep: Iterator<string> | null = null;
  private readonly maxSize: number;
  /** Submitted, not yet sent to the workers. */
  private queue: Waiting[] = [];
  /** Sent to the workers, in the order submitted. */
  private readonly verifying: InFlight[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly options: MempoolOptions,
    private readonly deps: MempoolDependencies,
  ) {
    this.maxSize = options.maxSize ?? DEFAULT_MEMPOOL_SIZE;
    // What was acknowledged before a restart is still pending, unless it has become final since.
    const state = deps.state();
    const final: string[] = [];
    for (const { hash, tx } of deps.repository.all()) {
      if (state.hasTransaction(hash)) final.push(hash);
      else this.txs.set(hash, tx);
    }
    if (final.length > 0) deps.repository.remove(final);
  }

  has(hash: string): boolean {
    return this.txs.has(hash);
  }

  get(hash: string): Transaction | null {
    return this.txs.get(hash) ?? null;
  }

  size(): number {
    return this.txs.size;
  }

  private index(hash: string, reads: readonly string[]): void {
    this.unindex(hash);
    if (reads.length === 0) return;
    const unique = [...new Set(reads)];
    this.readsOf.set(hash, unique);
    for (const key of unique) {
      let set = this.readers.get(key);
      if (!set) this.readers.set(key, (set = new Set()));
      set.add(hash);
    }
  }

  private unindex(hash: string): void {
    const reads = this.readsOf.get(hash);
    if (!reads) return;
    this.readsOf.delete(hash);
    for (const key of reads) {
      const set = this.readers.get(key);
      set?.delete(hash);
      if (set?.size === 0) this.readers.delete(key);
    }
  }

  /** Hashes of waiting transactions that start with a hex prefix (a short tracking code). */
  hashesWithPrefix(prefix: string, limit = 10): string[] {
    const found: string[] = [];
    for (const hash of this.txs.keys()) {
      if (hash.startsWith(prefix)) found.push(hash);
      if (found.length >= limit) break;
    }
    return found;
  }

  pending(max: number): readonly Transaction[] {
    const result: Transaction[] = [];
    for (const tx of this.txs.values()) {
      if (result.length >= max) break;
      result.push(tx);
    }
    return result;
  }

  /**
   * After a block: drops waiting transactions that the new state makes invalid (a second check-in of the
   * same voter that lost to another station's, a voucher spent by another payment, a ballot whose election
   * closed…), so that whoever waits for them learns now. Re-checked are the transactions that read a key
   * the block changed (`changedKeys`; all of them, up to `maxChecks`, when not given), and a rotating few
   * others, for what time alone ends (an expiry). Notes never conflict and are skipped.
   */
  dropInvalidated(changedKeys?: Iterable<string>, options: { maxChecks?: number; sweep?: number } = {}): string[] {
    const { maxChecks = 5_000, sweep = SWEEP_PER_BLOCK } = options;
    const state = this.deps.state();
    const context = { genesis: this.options.genesis, height: this.deps.height() + 1, blockTimeMs: this.deps.now(), state, credentials: this.deps.credentials };
    const candidates = new Set<string>();
    if (changedKeys === undefined) {
      for (const [hash, tx] of this.txs) {
        if (candidates.size >= maxChecks) break;
        if (tx.type !== 'note') candidates.add(hash);
      }
    } else {
      for (const key of changedKeys) {
        for (const hash of this.readers.get(key) ?? []) candidates.add(hash);
        if (candidates.size >= maxChecks) break;
      }
      for (let i = 0; i < sweep && this.txs.size > 0; i++) {
        this.sweep ??= this.txs.keys();
        const next = this.sweep.next();
        if (next.done) {
          this.sweep = null;
          break;
        }
        if (this.txs.get(next.value)?.type !== 'note') candidates.add(next.value);
      }
    }
    const invalid: string[] = [];
    for (const hash of candidates) {
      const tx = this.txs.get(hash);
      if (!tx) continue;
      const reads: string[] = [];
      try {
        checkTransaction(tx, hash, { ...context, state: recordingReader(state, reads) }, this.deps.registry);
        this.index(hash, reads);
      } catch (error) {
        if (!(error instanceof CivichainError)) throw error;
        invalid.push(hash);
      }
    }
    this.remove(invalid);
    return invalid;
  }

  /** Drops transactions found invalid, from memory and from the repository. */
  remove(hashes: readonly string[]): void {
    const present = this.forget(hashes);
    if (present.length === 0) return;
    this.deps.repository.remove(present);
    this.deps.onChange(this.txs.size, []);
  }

  /**
   * Drops transactions that a final block included. Only from memory: the ledger store deleted their
   * rows in that block's own commit (LedgerStore.commitBlock), so a block costs one write, not two.
   */
  included(hashes: readonly string[]): void {
    if (this.forget(hashes).length > 0) this.deps.onChange(this.txs.size, []);
  }

  private forget(hashes: readonly string[]): string[] {
    return hashes.filter((hash) => {
      this.unindex(hash);
      return this.txs.delete(hash);
    });
  }

  /** A transaction relayed by a peer: the same checks; failures are the peer's problem, not ours. */
  addFromPeer(tx: Transaction): void {
    this.submit(tx).catch(() => undefined);
  }

  /**
   * Validates and stores a transaction (untrusted JSON). Resolves once it is durable; a transaction already
   * pending resolves as a duplicate (the same signed transaction is included once). Throws TX_* errors.
   */
  async submit(json: unknown): Promise<SubmitOutcome> {
    const tx = createTransactionFromJSON(json);
    const hash = transactionHash(tx);
    if (this.txs.has(hash)) return { hash, duplicate: true };
    return new Promise<SubmitOutcome>((resolve, reject) => {
      this.queue.push({ tx, hash, resolve, reject });
      // Everything submitted in this turn of the event loop goes to the workers together, right after it.
      if (this.queue.length === 1) {
        void Promise.resolve().then(() => {
          this.verifyQueued();
          this.flushing ??= this.flush();
        });
      }
    });
  }

  /**
   * Sends what was submitted since the last call to the worker threads now (signatures and ballot
   * credentials side by side) and lines it up behind the batches already being verified.
   */
  private verifyQueued(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const txs = batch.map((w) => w.tx);
    const result = Promise.all([this.deps.verifier.verifyTransactions(txs, this.options.genesis.chainId), this.deps.precheck?.(txs)]).then(
      ([hashes]) => ({ batch, hashes }),
      (error: unknown) => ({ batch, error }),
    );
    const inFlight: InFlight = { result };
    void result.then((verified) => (inFlight.verified = verified));
    this.verifying.push(inFlight);
  }

  /**
   * Verifies the waiting submissions, persists the valid ones and answers all. Pipelined: what is
   * submitted goes to the workers at once (one batch per turn of the event loop), without waiting for the
   * batches before it, so the workers always have the next work queued while the main thread checks rules
   * and writes; the batches verified by then are written together in one transaction (group commit).
   * Batches are checked and written in the order they arrived.
   */
  private async flush(): Promise<void> {
    try {
      while (this.verifying.length > 0) {
        // The head and every batch after it that is verified too: one write for all of them. (The head's
        // `verified` is set by then: that callback was registered before this await.)
        await (this.verifying[0] as InFlight).result;
        const batches: VerifiedBatch[] = [];
        for (let head = this.verifying[0]; head?.verified; head = this.verifying[0]) {
          batches.push(head.verified);
          this.verifying.shift();
        }
        try {
          this.persistVerified(batches);
        } catch (error) {
          // Unexpected (the rules and the write report their own failures): no submitter is left waiting.
          // Those already answered keep their answer; a promise settles once.
          const failed = new CivichainError('MEMPOOL_FAILED', `The node could not store the transaction (${(error as Error).message}). Submit it again.`);
          for (const { batch } of batches) for (const waiting of batch) waiting.reject(failed);
        }
      }
    } finally {
      this.flushing = null;
      if (this.verifying.length > 0) this.flushing = Promise.resolve().then(() => this.flush());
    }
  }

  /** Checks the rules of verified batches against the committed state, writes the valid ones in one transaction, answers all. */
  private persistVerified(batches: readonly VerifiedBatch[]): void {
    const state = this.deps.state();
    const context = { genesis: this.options.genesis, height: this.deps.height() + 1, blockTimeMs: this.deps.now(), state, credentials: this.deps.credentials };
    const accepted: Waiting[] = [];
    const readsOf = new Map<string, string[]>();
    const seen = new Set<string>();
    for (const verified of batches) {
      const { batch } = verified;
      if ('error' in verified) {
        for (const waiting of batch) waiting.reject(verified.error);
        continue;
      }
      const hashes = verified.hashes;
      for (const [index, waiting] of batch.entries()) {
        try {
          if (hashes[index] === null) {
            if (waiting.tx.chainId !== this.options.genesis.chainId) {
              throw new CivichainError('TX_WRONG_CHAIN', `The transaction is for chain "${waiting.tx.chainId}", not "${this.options.genesis.chainId}".`);
            }
            throw new CivichainError('TX_BAD_SIGNATURE', 'The transaction signature does not verify against its signer.', { hash: waiting.hash });
          }
          // Submitting the same signed transaction again is answered, not refused: it is included once.
          if (this.txs.has(waiting.hash) || seen.has(waiting.hash) || state.hasTransaction(waiting.hash)) {
            waiting.resolve({ hash: waiting.hash, duplicate: true });
            continue;
          }
          // Refuse now what would fail in a block: the rules of its type, against the committed state.
          const reads: string[] = [];
          checkTransaction(waiting.tx, waiting.hash, { ...context, state: recordingReader(state, reads) }, this.deps.registry);
          if (waiting.tx.type !== 'note') readsOf.set(waiting.hash, reads);
          if (this.txs.size + accepted.length >= this.maxSize) {
            throw new CivichainError('MEMPOOL_FULL', `The node holds ${this.maxSize} waiting transactions. Try again shortly.`, { limit: this.maxSize });
          }
          seen.add(waiting.hash);
          accepted.push(waiting);
        } catch (error) {
          waiting.reject(error);
        }
      }
    }
    if (accepted.length === 0) return;
    const receivedAtMs = this.deps.now();
    try {
      // A ballot's arrival time is not kept: it could help link a ballot to a check-in (docs/ELECTIONS.md).
      this.deps.repository.addMany(accepted.map((w) => ({ hash: w.hash, tx: w.tx, receivedAtMs: w.tx.type === 'election.ballot' ? 0 : receivedAtMs })));
    } catch (error) {
      for (const waiting of accepted) waiting.reject(error);
      return;
    }
    for (const waiting of accepted) {
      this.txs.set(waiting.hash, waiting.tx);
      this.index(waiting.hash, readsOf.get(waiting.hash) ?? []);
    }
    for (const waiting of accepted) waiting.resolve({ hash: waiting.hash, duplicate: false });
    this.deps.onChange(this.txs.size, accepted.map((w) => w.tx));
  }
}
