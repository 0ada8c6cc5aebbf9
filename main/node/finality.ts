/**
 * Waiting for transactions to become final, for the offices that answer a person only then (a check-in, a
 * decision, a payment). Waiters are indexed by transaction hash: a final block resolves exactly the waiters
 * of its own transactions, and the others learn whether theirs left the mempool without a block, with one
 * map lookup each — not a status query per waiter per block, which cost O(waiters × block size) once many
 * people waited at once.
 */
import { CivichainError } from '../core/errors';

export interface FinalityDependencies {
  /** The height of the final block holding the transaction, or null. */
  readonly finalHeight: (hash: string) => number | null;
  /** Whether the transaction still waits in the mempool. */
  readonly pending: (hash: string) => boolean;
}

interface Waiter {
  resolve(height: number): void;
  reject(error: CivichainError): void;
}

export class FinalityWaiters {
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(private readonly deps: FinalityDependencies) {}

  /**
   * Resolves with the height once the transaction is final. Rejects with TX_DROPPED when it left the mempool
   * without a block (the ledger refused it in the meantime), or NOT_FINAL_YET after `timeoutMs`.
   */
  wait(hash: string, timeoutMs: number): Promise<number> {
    const height = this.deps.finalHeight(hash);
    if (height !== null) return Promise.resolve(height);
    if (!this.deps.pending(hash)) return Promise.reject(dropped(hash));
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: (h) => {
          clearTimeout(timer);
          resolve(h);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.forget(hash, waiter);
        reject(new CivichainError('NOT_FINAL_YET', `Submitted but not final after ${timeoutMs / 1000} s.`, { hash }));
      }, timeoutMs);
      let set = this.waiting.get(hash);
      if (!set) this.waiting.set(hash, (set = new Set()));
      set.add(waiter);
    });
  }

  /** A block became final at `height` with these transactions. */
  onBlockFinal(height: number, txHashes: readonly string[]): void {
    if (this.waiting.size === 0) return;
    for (const hash of txHashes) {
      const set = this.waiting.get(hash);
      if (!set) continue;
      this.waiting.delete(hash);
      for (const waiter of set) waiter.resolve(height);
    }
    for (const [hash, set] of this.waiting) {
      if (this.deps.pending(hash)) continue;
      // Final by another path (a catch-up that skipped this event), or gone without a block.
      const final = this.deps.finalHeight(hash);
      this.waiting.delete(hash);
      for (const waiter of set) {
        if (final !== null) waiter.resolve(final);
        else waiter.reject(dropped(hash));
      }
    }
  }

  /** How many transactions are waited on (for tests and status). */
  get size(): number {
    return this.waiting.size;
  }

  private forget(hash: string, waiter: Waiter): void {
    const set = this.waiting.get(hash);
    set?.delete(waiter);
    if (set?.size === 0) this.waiting.delete(hash);
  }
}

function dropped(hash: string): CivichainError {
  return new CivichainError(
    'TX_DROPPED',
    'The transaction left the mempool without being included: the ledger refused it in the meantime. Look at the current state and try again.',
    { hash },
  );
}
