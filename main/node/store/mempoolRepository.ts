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
  private readonly removeOne: Database.Statement<[number]>;
  private readonly selectAll: Database.Statement<[], Row>;
  private readonly removeMany: (hashes: readonly string[]) => string[];
  private readonly insertMany: (entries: readonly MempoolEntry[]) => Map<string, number>;
  /**
   * The seq (rowid) of each kept hash: rows are found by it, not by an index on the hash (migration 5).
   * Read from the table when the repository opens; changed only once the SQLite transaction that wrote the
   * rows has committed, so a write that fails and rolls back leaves it as the table is.
   */
  private readonly seqs = new Map<string, number>();

  /** `afterWrite` is told of each write that is on disk (the store asks for a WAL checkpoint then). */
  constructor(
    db: Database.Database,
    private readonly afterWrite: () => void = () => undefined,
  ) {
    this.insert = db.prepare('INSERT INTO mempool (hash, tx, received_at_ms) VALUES (?, ?, ?)');
    this.removeOne = db.prepare('DELETE FROM mempool WHERE seq = ?');
    // seq is the rowid, given in increasing order: arrival order.
    this.selectAll = db.prepare('SELECT hash, tx, received_at_ms FROM mempool ORDER BY seq');
    this.insertMany = db.transaction((entries: readonly MempoolEntry[]) => {
      const added = new Map<string, number>();
      for (const entry of entries) {
        if (this.seqs.has(entry.hash) || added.has(entry.hash)) continue;
        added.set(entry.hash, Number(this.insert.run(entry.hash, encodeSignedTransaction(entry.tx), entry.receivedAtMs).lastInsertRowid));
      }
      return added;
    });
    this.removeMany = db.transaction((hashes: readonly string[]) => this.removeWithin(hashes));
    const copies: number[] = [];
    for (const row of db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM mempool ORDER BY seq').iterate()) {
      if (this.seqs.has(row.hash)) copies.push(row.seq);
      else this.seqs.set(row.hash, row.seq);
    }
    // A second row of a waiting hash (no unique index forbids one): a copy, dropped; nothing is lost.
    if (copies.length > 0) db.transaction(() => copies.forEach((seq) => this.removeOne.run(seq)))();
  }

  /** Keeps a transaction; true when it was new, false (writing nothing) when that hash is already kept. */
  add(entry: MempoolEntry): boolean {
    return this.addMany([entry]) === 1;
  }

  /**
   * Keeps many transactions in ONE SQLite transaction (one fsync): the mempool's group commit, so that
   * submissions arriving together are durable together before any of them is acknowledged. A hash already
   * kept is skipped; returns how many were new.
   */
  addMany(entries: readonly MempoolEntry[]): number {
    if (entries.length === 0) return 0;
    const added = this.insertMany(entries);
    for (const [hash, seq] of added) this.seqs.set(hash, seq);
    this.afterWrite();
    return added.size;
  }

  /**
   * Removes the given transactions' rows inside the SQLite transaction the caller is running (a final
   * block's commit: LedgerStore.commitBlock) and returns the hashes that were kept. The caller passes them
   * to forget() once that transaction has committed.
   */
  removeWithin(hashes: Iterable<string>): string[] {
    const removed: string[] = [];
    for (const hash of hashes) {
      const seq = this.seqs.get(hash);
      if (seq === undefined) continue;
      this.removeOne.run(seq);
      removed.push(hash);
    }
    return removed;
  }

  /** After the commit that ran removeWithin: those hashes are no longer kept. */
  forget(hashes: readonly string[]): void {
    for (const hash of hashes) this.seqs.delete(hash);
  }

  /** Removes the given transactions (found invalid) in one write; returns how many were kept. */
  remove(hashes: readonly string[]): number {
    if (hashes.length === 0) return 0;
    const removed = this.removeMany(hashes);
    this.forget(removed);
    this.afterWrite();
    return removed.length;
  }

  has(hash: string): boolean {
    return this.seqs.has(hash);
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
    return this.seqs.size;
  }
}
