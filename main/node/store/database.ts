/**
 * The ledger store: one SQLite file (better-sqlite3) in WAL mode with synchronous=FULL, so that whatever
 * the node acknowledged survives a crash. On open: migrations, an integrity check, and a check that the
 * store belongs to this network (its genesis hash). The ledger tables arrive with the ledger issue.
 */
import Database from 'better-sqlite3';
import { CivichainError } from '../../core/errors';
import { MIGRATIONS } from './migrations';

export interface ChainHead {
  readonly height: number;
  readonly finalHeight: number;
}

export interface Store {
  head(): ChainHead;
  close(): void;
}

export interface StoreOptions {
  readonly path: string;
  readonly genesisHash: string;
}

export interface StoreDependencies {
  /** A better-sqlite3 binary built for this runtime's ABI (Electron), when not the one in node_modules. */
  readonly nativeBinding?: string;
}

function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
  ) STRICT`);
  const applied = new Set(
    db
      .prepare<[], { id: number }>('SELECT id FROM schema_migrations')
      .all()
      .map((row) => row.id),
  );
  const newest = Math.max(0, ...applied);
  const known = MIGRATIONS.at(-1)?.id ?? 0;
  if (newest > known) {
    throw new CivichainError(
      'STORE_TOO_NEW',
      `The store was written by a newer Civichain (schema ${newest}; this version knows ${known}). Upgrade Civichain.`,
      { schema: newest, known },
    );
  }
  for (const migration of MIGRATIONS) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (id, name) VALUES (?, ?)').run(migration.id, migration.name);
    })();
  }
}

export function openStore(options: StoreOptions, deps: StoreDependencies = {}): Store {
  let db: Database.Database;
  try {
    db = new Database(options.path, deps.nativeBinding ? { nativeBinding: deps.nativeBinding } : {});
  } catch (error) {
    throw new CivichainError(
      'STORE_UNAVAILABLE',
      `Cannot open the ledger store ${options.path}: ${(error as Error).message}.`,
      { path: options.path },
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const integrity = db.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') {
      throw new CivichainError(
        'STORE_CORRUPT',
        `The ledger store ${options.path} is damaged (${String(integrity)}). Move it aside and rebuild it from peers.`,
        { path: options.path },
      );
    }
    migrate(db);
    const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'genesis_hash'").get();
    if (!stored) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('genesis_hash', ?)").run(options.genesisHash);
    } else if (stored.value !== options.genesisHash) {
      throw new CivichainError(
        'STORE_GENESIS_MISMATCH',
        `The ledger store ${options.path} belongs to another network (genesis ${stored.value.slice(0, 12)}…, ` +
          `this workspace ${options.genesisHash.slice(0, 12)}…). Use the data folder of that network, or move the store aside.`,
        { path: options.path, stored: stored.value, expected: options.genesisHash },
      );
    }
  } catch (error) {
    db.close();
    if (error instanceof CivichainError) throw error;
    throw new CivichainError('STORE_CORRUPT', `The ledger store ${options.path} cannot be read: ${(error as Error).message}.`, {
      path: options.path,
    });
  }
  return {
    // The genesis block is height 0 and final by definition; the ledger issue adds blocks on top.
    head: () => ({ height: 0, finalHeight: 0 }),
    close: () => db.close(),
  };
}
