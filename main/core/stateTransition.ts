/**
 * The state transition: applies a block's transactions, in order, to a state reader and returns the
 * changes to write. Pure: no I/O, no clock. Signatures are checked before this (in worker threads); this
 * checks the rules. One invalid transaction makes the whole block invalid.
 */
import { CivichainError } from './errors';
import { transactionHash, type Transaction } from './ledger/transaction';
import type { RuleRegistry } from './rules/index';
import type { RuleContext, StateReader } from './rules/types';

/** What the caller knows of where a transaction would go; the transition adds the transaction's hash. */
export type TransitionContext = Omit<RuleContext, 'txHash'>;

export interface StateChanges {
  /** Key → new value (null deletes), in write order. */
  readonly writes: ReadonlyMap<string, string | null>;
  readonly txHashes: readonly string[];
}

/** A reader that sees `writes` on top of `base`. */
export function overlay(base: StateReader, writes: ReadonlyMap<string, string | null>, pendingTx: ReadonlySet<string>): StateReader {
  return {
    get: (key) => (writes.has(key) ? (writes.get(key) ?? null) : base.get(key)),
    hasTransaction: (hash) => pendingTx.has(hash) || base.hasTransaction(hash),
  };
}

/**
 * Checks one transaction against the state (as the mempool does before accepting it). Throws TX_* codes.
 * Returns the parsed payload.
 */
export function checkTransaction(
  tx: Transaction,
  hash: string,
  context: TransitionContext,
  registry: RuleRegistry,
): unknown {
  // The same signed transaction is included at most once (replay protection).
  if (context.state.hasTransaction(hash)) {
    throw new CivichainError('TX_DUPLICATE', 'This transaction is already on the chain.', { hash });
  }
  const rule = registry.get(tx.type);
  const parsed = rule.payload.safeParse(tx.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? ['payload', ...issue.path].join('.') : 'payload';
    throw new CivichainError('TX_INVALID_PAYLOAD', `The ${tx.type} transaction is invalid: ${field}: ${issue?.message ?? 'invalid'}.`, { field, hash });
  }
  rule.check({ ...context, txHash: hash }, tx, parsed.data);
  return parsed.data;
}

export function applyTransactions(
  transactions: readonly Transaction[],
  context: TransitionContext,
  registry: RuleRegistry,
): StateChanges {
  const writes = new Map<string, string | null>();
  const included = new Set<string>();
  const txHashes: string[] = [];
  const state = overlay(context.state, writes, included);
  transactions.forEach((tx, index) => {
    const hash = transactionHash(tx);
    const txContext = { ...context, state, txHash: hash };
    try {
      const payload = checkTransaction(tx, hash, txContext, registry);
      registry.get(tx.type).apply(txContext, tx, payload, (key, value) => writes.set(key, value));
    } catch (error) {
      if (error instanceof CivichainError) {
        throw new CivichainError(error.code, `Transaction ${index} (${hash.slice(0, 12)}…): ${error.message}`, { ...error.details, index, hash });
      }
      throw error;
    }
    included.add(hash);
    txHashes.push(hash);
  });
  return { writes, txHashes };
}
