import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { LedgerStore } from './ledgerStore';
import { commitTestBlocks, createTestNetwork } from './testChain';
import { useTempStore } from './testStore';
import { WalCheckpointer, type CheckpointResult } from './walCheckpointer';

const network = createTestNetwork();
const stores = useTempStore(network);
const open = (): LedgerStore => stores.open();
const autocheckpoint = (db: Database.Database): unknown => db.pragma('wal_autocheckpoint', { simple: true });

describe('WAL checkpoints in a worker thread', () => {
  it('the worker copies committed blocks into the database file while the main connection never checkpoints', async () => {
    const ledger = open();
    // A checkpoint that copied every frame of a WAL bigger than SQLite's automatic threshold (1,000 pages).
    let resolveCopied: (result: CheckpointResult) => void = () => undefined;
    const copied = new Promise<CheckpointResult>((resolve) => {
      resolveCopied = resolve;
    });
    await ledger.checkpointOffThread({
      onCheckpoint: (result) => {
        if (result.log > 1_000 && result.checkpointed === result.log) resolveCopied(result);
      },
    });
    const sizeBefore = statSync(stores.path).size;
    // The main connection's automatic checkpoint is off: without the worker, this WAL would only grow.
    const probe = new Database(stores.path, { readonly: true });
    try {
      commitTestBlocks(ledger, network, 40, { txsPerBlock: 200 });
      const result = await copied;
      expect(result.busy).toBe(0);
      expect(statSync(stores.path).size).toBeGreaterThan(sizeBefore);
      expect(probe.prepare('SELECT COUNT(*) AS n FROM transactions').get()).toEqual({ n: 40 * 200 });
    } finally {
      probe.close();
    }
    expect(ledger.head().height).toBe(40);
    // Closed and opened again, the store passes its start-up checks.
    ledger.close();
    expect(open().head().height).toBe(40);
  });

  it('while the worker runs the main connection does not checkpoint; when it stops, SQLite does again', async () => {
    open().close();
    const db = new Database(stores.path);
    try {
      expect(autocheckpoint(db)).toBe(1000);
      const checkpointer = await WalCheckpointer.start(db);
      expect(autocheckpoint(db)).toBe(0);
      checkpointer.close();
      expect(autocheckpoint(db)).toBe(1000);
      // Asking after close does nothing (no message to a closed worker).
      checkpointer.request();
    } finally {
      db.close();
    }
  });

  it('a worker that cannot open the store is refused at start, and the main connection keeps checkpointing', async () => {
    open().close();
    const db = new Database(stores.path);
    try {
      await expect(WalCheckpointer.start(db, { nativeBinding: join(stores.dir, 'missing.node') })).rejects.toThrow();
      expect(autocheckpoint(db)).toBe(1000);
    } finally {
      db.close();
    }
  });
});
