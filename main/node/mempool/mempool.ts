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

interface Waiting {
  readonly tx: Transaction;
  readonly hash: string;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
}

export const DEFAULT_MEMPOOL_SIZE = 200_000;

export class TransactionPool implements Mempool {
  private readonly txs = new Map<string, Transaction>();
  private readonly maxSize: number;
  private queue: Waiting[] = [];
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
   * same voter that lost to another station's, a ballot whose election closed…), so that whoever waits for
   * them learns now. Notes never conflict and are skipped; at most `maxChecks` are checked per call.
   */
  dropInvalidated(maxChecks = 5_000): string[] {
    const state = this.deps.state();
    const context = { genesis: this.options.genesis, height: this.deps.height() + 1, blockTimeMs: this.deps.now(), state, credentials: this.deps.credentials };
    const invalid: string[] = [];
    let checked = 0;
    for (const [hash, tx] of this.txs) {
      if (tx.type === 'note') continue;
      if (checked++ >= maxChecks) break;
      try {
        checkTransaction(tx, hash, context, this.deps.registry);
      } catch (error) {
        if (!(error instanceof CivichainError)) throw error;
        invalid.push(hash);
      }
    }
    this.remove(invalid);
    return invalid;
  }

  remove(hashes: readonly string[]): void {
    const present = hashes.filter((hash) => this.txs.delete(hash));
    if (present.length === 0) return;
    this.deps.repository.remove(present);
    this.deps.onChange(this.txs.size, []);
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
      this.flushing ??= Promise.resolve().then(() => this.flush());
    });
  }

  /** Verifies every waiting submission in one batch, persists the valid ones in one transaction, answers all. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        let hashes: (string | null)[];
        try {
          // Signatures and ballot credentials are verified in the worker threads side by side.
          [hashes] = await Promise.all([
            this.deps.verifier.verifyTransactions(
              batch.map((w) => w.tx),
              this.options.genesis.chainId,
            ),
            this.deps.precheck?.(batch.map((w) => w.tx)),
          ]);
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
          continue;
        }
        const state = this.deps.state();
        const context = { genesis: this.options.genesis, height: this.deps.height() + 1, blockTimeMs: this.deps.now(), state, credentials: this.deps.credentials };
        const accepted: Waiting[] = [];
        const seen = new Set<string>();
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
            checkTransaction(waiting.tx, waiting.hash, context, this.deps.registry);
            if (this.txs.size + accepted.length >= this.maxSize) {
              throw new CivichainError('MEMPOOL_FULL', `The node holds ${this.maxSize} waiting transactions. Try again shortly.`, { limit: this.maxSize });
            }
            seen.add(waiting.hash);
            accepted.push(waiting);
          } catch (error) {
            waiting.reject(error);
          }
        }
        if (accepted.length === 0) continue;
        const receivedAtMs = this.deps.now();
        try {
          // A ballot's arrival time is not kept: it could help link a ballot to a check-in (docs/ELECTIONS.md).
          this.deps.repository.addMany(accepted.map((w) => ({ hash: w.hash, tx: w.tx, receivedAtMs: w.tx.type === 'election.ballot' ? 0 : receivedAtMs })));
        } catch (error) {
          for (const waiting of accepted) waiting.reject(error);
          continue;
        }
        for (const waiting of accepted) this.txs.set(waiting.hash, waiting.tx);
        for (const waiting of accepted) waiting.resolve({ hash: waiting.hash, duplicate: false });
        this.deps.onChange(this.txs.size, accepted.map((w) => w.tx));
      }
    } finally {
      this.flushing = null;
      if (this.queue.length > 0) this.flushing = Promise.resolve().then(() => this.flush());
    }
  }
}
