/**
 * The rule registry's types. Each transaction type is one rule module: a payload schema, a pure check
 * (who may sign it, and whether it is valid against the state), and a pure apply that writes state
 * changes. Elections and vouchers add their types by adding modules to the registry (rules/index.ts).
 */
import type { z } from 'zod';
import type { Genesis, GenesisMember } from '../genesis';
import type { CredentialVerifier } from '../elections/credential';
import type { Transaction } from '../ledger/transaction';

/** Read access to the ledger state: a key → canonical JSON value map, plus the included transactions. */
export interface StateReader {
  get(key: string): string | null;
  /** Whether a transaction with this hash is already in a block on the chain. */
  hasTransaction(hash: string): boolean;
}

export interface ValidatorSet {
  readonly validators: readonly GenesisMember[];
  readonly quorum: number;
}

export interface RuleContext {
  readonly genesis: Genesis;
  readonly height: number;
  readonly blockTimeMs: number;
  /** The state as of this transaction: earlier transactions of the same block already applied. */
  readonly state: StateReader;
  /** The hash of the transaction being checked or applied. */
  readonly txHash: string;
  /** Verifies ballot credentials, remembering those verified in worker threads; one per call when absent. */
  readonly credentials?: CredentialVerifier;
}

export interface TxRule<P> {
  readonly type: string;
  readonly payload: z.ZodType<P>;
  /** Throws a CivichainError (code TX_*) when the transaction may not be applied. */
  check(context: RuleContext, tx: Transaction, payload: P): void;
  /** Writes the transaction's effects (a null value deletes the key). Called only after `check` passed. */
  apply(context: RuleContext, tx: Transaction, payload: P, write: (key: string, value: string | null) => void): void;
}
