/**
 * The persisted mempool: transactions acknowledged to their senders and not yet in a block (DESIGN.md §4:
 * "a transaction acknowledged to a user is durable"). Only storage: the mempool itself (main/node/mempool)
 * validates, bounds and orders what it keeps, and re-validates what it loads at start.
 * Each method is one SQLite transaction, on disk when it returns.
 */
import type Database from 'better-sqlite3';
import { CivichainError } from '../../core/errors';
import { createTransactionFromJSON, type Transaction } from '../../core/ledger/transaction';
import { encodeSignedTransaction } from './encoding';

export interface MempoolEntry {
  readonly hash: string;
  readonly tx: Transaction;
  readonly receivedAtMs: number;
}

type Row = { hash: string; tx: string; received_at_ms: number };

export class MempoolRepository {
  private readonly insert: Database.Statement<[string, string, number]>;
  private readonly removeOne: Database.Statement<[string]>;
  private readonly selectAll: Database.Statement<[], Row>;
  private readonly countAll: Database.Statement<[], number>;
  private readonly hasOne: Database.Statement<[string], number>;
  private readonly removeMany: (hashes: readonly string[]) => number;
  private readonly insertMany: (entries: readonly MempoolEntry[]) => number;

  /** `afterWrite` is told of each write that is on disk (the store asks for a WAL checkpoint then). */
  constructor(
    db: Database.Database,
    private readonly afterWrite: () => void = () => undefined,
  ) {
    this.insert = db.prepare('INSERT INTO mempool (hash, tx, received_at_ms) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING');
    this.removeOne = db.prepare('DELETE FROM mempool WHERE hash = ?');
    // seq is the rowid, given in increasing order: arrival order.
    this.selectAll = db.prepare('SELECT hash, tx, received_at_ms FROM mempool ORDER BY seq');
    this.countAll = db.prepare<[], number>('SELECT COUNT(*) FROM mempool').pluck();
    this.hasOne = db.prepare<[string], number>('SELECT 1 FROM mempool WHERE hash = ?').pluck();
    this.insertMany = db.transaction((entries: readonly MempoolEntry[]) => {
      let added = 0;
      for (const entry of entries) added += this.insert.run(entry.hash, encodeSignedTransaction(entry.tx), entry.receivedAtMs).changes;
      return added;
    });
    this.removeMany = db.transaction((hashes: readonly string[]) => this.removeWithin(hashes));
  }

  /** Keeps a transaction; true when it was new, false (writing nothing) when that hash is already kept. */
  add(entry: MempoolEntry): boolean {
    return this.insert.run(entry.hash, encodeSignedTransaction(entry.tx), entry.receivedAtMs).changes === 1;
  }

  /**
   * Keeps many transactions in ONE SQLite transaction (one fsync): the mempool's group commit, so that
   * submissions arriving together are durable together before any of them is acknowledged.
   */
  addMany(entries: readonly MempoolEntry[]): number {
    if (entries.length === 0) return 0;
    const added = this.insertMany(entries);
    this.afterWrite();
    return added;
  }

  /**
   * Removes the given transactions inside the SQLite transaction the caller is running (a final block's
   * commit: LedgerStore.commitBlock); returns how many were kept.
   */
  removeWithin(hashes: Iterable<string>): number {
    let removed = 0;
    for (const hash of hashes) removed += this.removeOne.run(hash).changes;
    return removed;
  }

  /** Removes the given transactions (found invalid) in one write; returns how many were kept. */
  remove(hashes: readonly string[]): number {
    if (hashes.length === 0) return 0;
    const removed = this.removeMany(hashes);
    this.afterWrite();
    return removed;
  }

  has(hash: string): boolean {
    return this.hasOne.get(hash) !== undefined;
  }

  /** Every kept transaction, oldest first. */
  all(): MempoolEntry[] {
    return this.selectAll.all().map((row) => {
      let tx: Transaction;
      try {
        tx = createTransactionFromJSON(JSON.parse(row.tx));
      } catch (error) {
        throw new CivichainError(
          'STORE_TAMPERED',
          `The waiting transaction ${row.hash.slice(0, 12)}… in the ledger store cannot be read (${(error as Error).message}). ` +
            'Stop the node and move chain.sqlite aside, or restore it from a backup.',
          { height: null, check: 'mempool', hash: row.hash },
        );
      }
      return { hash: row.hash, tx, receivedAtMs: row.received_at_ms };
    });
  }

  count(): number {
    return this.countAll.get() ?? 0;
  }
}
