/**
 * The election office: what the officials' node keeps and the ledger must not (DESIGN.md §5) — the voter
 * roll with names and card codes, the election's credential private key, the check-ins, and the booth passes.
 * A SQLite file of its own beside the ledger store (WAL, synchronous=FULL: a check-in acknowledged to an
 * official survives a crash), so that rebuilding the ledger from peers never touches it.
 *
 * What it never stores (docs/ELECTIONS.md): a blinded message, a blinding factor, a blind signature, a
 * ballot key or anything of a ballot. A booth pass row has no voter column.
 */
import Database from 'better-sqlite3';
import { CivichainError } from '../../core/errors';
import type { RollEntry } from '../../core/elections/roll';
import type { CredentialPrivateKey } from './credentialIssuer';

const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE election_keys (
    election    TEXT PRIMARY KEY NOT NULL,
    private_key TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE roll (
    election  TEXT NOT NULL,
    idx       INTEGER NOT NULL,
    voter_id  TEXT NOT NULL,
    name      TEXT NOT NULL,
    card_code TEXT NOT NULL,
    leaf      TEXT NOT NULL,
    PRIMARY KEY (election, idx),
    UNIQUE (election, voter_id)
  ) STRICT;
  -- One row per voter checked in at this station: the credential transaction and where it stands.
  CREATE TABLE checkins (
    election      TEXT NOT NULL,
    voter_id      TEXT NOT NULL,
    credential_tx TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('submitted', 'final', 'refused')),
    at_ms         INTEGER NOT NULL,
    PRIMARY KEY (election, voter_id)
  ) STRICT;
  -- A booth pass lets one booth obtain one blind credential. Only its hash is kept, and no voter.
  CREATE TABLE booth_passes (
    pass_hash TEXT PRIMARY KEY NOT NULL,
    election  TEXT NOT NULL,
    used      INTEGER NOT NULL DEFAULT 0
  ) STRICT;
`;

export interface RollRow extends RollEntry {
  readonly index: number;
  readonly leaf: string;
}

export interface CheckinRow {
  readonly voterId: string;
  readonly credentialTx: string;
  readonly state: 'submitted' | 'final' | 'refused';
  readonly atMs: number;
}

export class ElectionOfficeStore {
  private readonly db: Database.Database;

  constructor(path: string, nativeBinding?: string) {
    this.db = new Database(path, nativeBinding ? { nativeBinding } : {});
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new CivichainError('STORE_TOO_NEW', `${path} was written by a newer Civichain (schema ${version}). Upgrade Civichain.`, { path });
    }
    if (version === 0) {
      this.db.transaction(() => {
        this.db.exec(SCHEMA);
        this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })();
    }
  }

  close(): void {
    this.db.close();
  }

  /** Records a new election's key and roll in one transaction. */
  saveElection(election: string, key: CredentialPrivateKey, roll: readonly RollRow[], nowMs: number): void {
    const insertRow = this.db.prepare('INSERT INTO roll (election, idx, voter_id, name, card_code, leaf) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO election_keys (election, private_key, created_ms) VALUES (?, ?, ?)').run(election, JSON.stringify(key), nowMs);
      for (const r of roll) insertRow.run(election, r.index, r.voterId, r.name, r.cardCode, r.leaf);
    })();
  }

  forgetElection(election: string): void {
    this.db.transaction(() => {
      for (const table of ['election_keys', 'roll', 'checkins', 'booth_passes']) this.db.prepare(`DELETE FROM ${table} WHERE election = ?`).run(election);
    })();
  }

  privateKey(election: string): CredentialPrivateKey | null {
    const row = this.db.prepare<[string], string>('SELECT private_key FROM election_keys WHERE election = ?').pluck().get(election);
    return row ? (JSON.parse(row) as CredentialPrivateKey) : null;
  }

  hasRoll(election: string): boolean {
    return this.db.prepare('SELECT 1 FROM roll WHERE election = ? LIMIT 1').get(election) !== undefined;
  }

  voter(election: string, voterId: string): RollRow | null {
    const row = this.db
      .prepare<[string, string], { idx: number; voter_id: string; name: string; card_code: string; leaf: string }>(
        'SELECT idx, voter_id, name, card_code, leaf FROM roll WHERE election = ? AND voter_id = ?',
      )
      .get(election, voterId);
    return row ? { index: row.idx, voterId: row.voter_id, name: row.name, cardCode: row.card_code, leaf: row.leaf } : null;
  }

  /** All leaves in roll order (for audit paths). */
  leaves(election: string): string[] {
    return this.db.prepare<[string], string>('SELECT leaf FROM roll WHERE election = ? ORDER BY idx').pluck().all(election);
  }

  rollPage(election: string, options: { offset: number; limit: number; query?: string }): { total: number; rows: (RollRow & { checkin: CheckinRow | null })[] } {
    const like = `%${(options.query ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const where = `r.election = ? AND (r.voter_id LIKE ? ESCAPE '\\' OR r.name LIKE ? ESCAPE '\\')`;
    const total = this.db.prepare<[string, string, string], number>(`SELECT COUNT(*) FROM roll r WHERE ${where}`).pluck().get(election, like, like) ?? 0;
    const rows = this.db
      .prepare<
        [string, string, string, number, number],
        { idx: number; voter_id: string; name: string; card_code: string; leaf: string; credential_tx: string | null; state: CheckinRow['state'] | null; at_ms: number | null }
      >(
        `SELECT r.idx, r.voter_id, r.name, r.card_code, r.leaf, c.credential_tx, c.state, c.at_ms
           FROM roll r LEFT JOIN checkins c ON c.election = r.election AND c.voter_id = r.voter_id
          WHERE ${where} ORDER BY r.idx LIMIT ? OFFSET ?`,
      )
      .all(election, like, like, options.limit, options.offset);
    return {
      total,
      rows: rows.map((r) => ({
        index: r.idx,
        voterId: r.voter_id,
        name: r.name,
        cardCode: r.card_code,
        leaf: r.leaf,
        checkin: r.credential_tx && r.state && r.at_ms !== null ? { voterId: r.voter_id, credentialTx: r.credential_tx, state: r.state, atMs: r.at_ms } : null,
      })),
    };
  }

  checkin(election: string, voterId: string): CheckinRow | null {
    const row = this.db
      .prepare<[string, string], { credential_tx: string; state: CheckinRow['state']; at_ms: number }>(
        'SELECT credential_tx, state, at_ms FROM checkins WHERE election = ? AND voter_id = ?',
      )
      .get(election, voterId);
    return row ? { voterId, credentialTx: row.credential_tx, state: row.state, atMs: row.at_ms } : null;
  }

  recordCheckin(election: string, voterId: string, credentialTx: string, nowMs: number): void {
    this.db
      .prepare(
        `INSERT INTO checkins (election, voter_id, credential_tx, state, at_ms) VALUES (?, ?, ?, 'submitted', ?)
         ON CONFLICT (election, voter_id) DO UPDATE SET credential_tx = excluded.credential_tx, state = 'submitted', at_ms = excluded.at_ms`,
      )
      .run(election, voterId, credentialTx, nowMs);
  }

  setCheckinState(election: string, voterId: string, state: CheckinRow['state']): void {
    this.db.prepare('UPDATE checkins SET state = ? WHERE election = ? AND voter_id = ?').run(state, election, voterId);
  }

  checkinsCount(election: string): number {
    return this.db.prepare<[string], number>(`SELECT COUNT(*) FROM checkins WHERE election = ? AND state = 'final'`).pluck().get(election) ?? 0;
  }

  addPass(passHash: string, election: string): void {
    this.db.prepare('INSERT INTO booth_passes (pass_hash, election) VALUES (?, ?)').run(passHash, election);
  }

  /** Marks a pass used; false when it is unknown, of another election, or used already. */
  usePass(passHash: string, election: string): boolean {
    return this.db.prepare('UPDATE booth_passes SET used = 1 WHERE pass_hash = ? AND election = ? AND used = 0').run(passHash, election).changes === 1;
  }

  /** Every table's rows, for the anonymity test and for audits of what an office keeps. */
  dump(): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const table of ['election_keys', 'roll', 'checkins', 'booth_passes']) out[table] = this.db.prepare(`SELECT * FROM ${table}`).all();
    return out;
  }
}
