/**
 * Opening the ledger store: one SQLite file (better-sqlite3) in WAL mode with synchronous=FULL, so that
 * whatever the node acknowledged survives a crash. On open, in this order: SQLite's quick_check, the
 * migrations and the schema version, the store's network (its genesis hash), and the stored chain
 * (startupCheck.ts). Only a store that passes all of them is returned, as a LedgerStore.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { CivichainError } from '../../core/errors';
import { genesisHash as hashOfGenesis, type Genesis } from '../../core/genesis';
import { PublicKeyCache } from '../../core/crypto/ed25519';
import { LedgerStore, type StoreHead } from './ledgerStore';
import { MIGRATIONS } from './migrations';
import { checkStoredChain, type ChainCheckResult, type SignatureCheck } from './startupCheck';

export type ChainHead = StoreHead;
export type Store = LedgerStore;

export interface StoreOptions {
  readonly path: string;
  readonly genesisHash: string;
  /** The network's genesis: the chain id, the first validator set and the time of height 0. */
  readonly genesis: Genesis;
  /**
   * Which signatures the start-up check verifies: those of the newest blocks (default), or every
   * certificate, proposer and transaction signature ('all': slow on a long chain, for audits and repair).
   */
  readonly verifySignatures?: SignatureCheck;
}

export interface StoreDependencies {
  /** A better-sqlite3 binary built for this runtime's ABI (Electron), when not the one in node_modules. */
  readonly nativeBinding?: string;
  /** The clock for recorded-at times (evidence, rejections). */
  readonly now?: () => number;
  /** Shared public key objects (the node keeps one cache). */
  readonly keys?: PublicKeyCache;
  /** Told what the start-up check covered and how long it took. */
  readonly onChecked?: (result: ChainCheckResult & { readonly durationMs: number }) => void;
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

/** The schema version: exactly the known migrations, by id and name, are applied. */
function checkSchema(db: Database.Database, path: string): void {
  const rows = db.prepare<[], { id: number; name: string }>('SELECT id, name FROM schema_migrations ORDER BY id').all();
  const matches = rows.length === MIGRATIONS.length && rows.every((row, i) => row.id === MIGRATIONS[i]?.id && row.name === MIGRATIONS[i]?.name);
  if (!matches) {
    throw new CivichainError(
      'STORE_CORRUPT',
      `The ledger store ${path} has an unknown schema (migrations ${rows.map((r) => `${r.id} ${r.name}`).join(', ')}). ` +
        'Move it aside and rebuild it from peers, or restore it from a backup.',
      { path, migrations: rows.map((r) => r.id) },
    );
  }
}

export function openStore(options: StoreOptions, deps: StoreDependencies = {}): LedgerStore {
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
    checkSchema(db, options.path);
    if (hashOfGenesis(options.genesis) !== options.genesisHash) {
      throw new CivichainError('INVALID_GENESIS', 'The genesis given to the ledger store does not have the genesis hash given with it.', {
        path: options.path,
      });
    }
    const stored = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'genesis_hash'").get();
    if (!stored && db.prepare('SELECT 1 FROM blocks LIMIT 1').get() !== undefined) {
      throw new CivichainError(
        'STORE_TAMPERED',
        `The ledger store ${options.path} holds blocks but no record of its network (genesis hash). ` +
          'Stop the node, move it aside and rebuild it from peers, or restore it from a backup.',
        { path: options.path, height: null, check: 'genesis' },
      );
    }
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
    const keys = deps.keys ?? new PublicKeyCache();
    const startedMs = performance.now();
    const result = checkStoredChain(db, {
      path: options.path,
      genesis: options.genesis,
      genesisHash: options.genesisHash,
      keys,
      verifySignatures: options.verifySignatures ?? 'recent',
    });
    deps.onChecked?.({ ...result, durationMs: Math.round(performance.now() - startedMs) });
    return new LedgerStore(db, { genesis: options.genesis, genesisHash: options.genesisHash }, { now: deps.now ?? Date.now });
  } catch (error) {
    db.close();
    if (error instanceof CivichainError) throw error;
    throw new CivichainError('STORE_CORRUPT', `The ledger store ${options.path} cannot be read: ${(error as Error).message}.`, {
      path: options.path,
    });
  }
}
