/**
 * Numbered, append-only migrations of the ledger store (DESIGN.md §7). Never edit or renumber one that has
 * shipped; retired ids stay retired. Each runs inside its own transaction.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'meta',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    id: 2,
    name: 'ledger',
    // Hashes, keys and signatures are lower-case hex TEXT and every JSON column holds RFC 8785 canonical
    // JSON, so the file can be read with the sqlite3 shell. The store alone reads and writes these tables
    // (main/node/store/ledgerStore.ts); the start-up check (startupCheck.ts) re-derives every hash.
    sql: `
      -- Committed (final) blocks only. header: canonical header JSON, whose SHA-256 is hash. The columns
      -- after it are generated from the header, for queries: they cannot disagree with it.
      -- digest: the running digest (encoding.ts runningDigest).
      CREATE TABLE blocks (
        height      INTEGER PRIMARY KEY NOT NULL CHECK (height >= 1),
        hash        TEXT NOT NULL UNIQUE,
        header      TEXT NOT NULL,
        signature   TEXT NOT NULL,
        certificate TEXT NOT NULL,
        digest      TEXT NOT NULL,
        tx_count    INTEGER GENERATED ALWAYS AS (json_extract(header, '$.txCount')) VIRTUAL,
        time_ms     INTEGER GENERATED ALWAYS AS (json_extract(header, '$.timeMs')) VIRTUAL,
        proposer    TEXT GENERATED ALWAYS AS (json_extract(header, '$.proposer')) VIRTUAL,
        round       INTEGER GENERATED ALWAYS AS (json_extract(header, '$.round')) VIRTUAL
      ) STRICT;

      -- body: canonical JSON of the unsigned transaction, whose SHA-256 is hash; signature beside it.
      -- type and signer are generated from the body, for queries.
      CREATE TABLE transactions (
        hash      TEXT PRIMARY KEY NOT NULL,
        height    INTEGER NOT NULL REFERENCES blocks (height),
        tx_index  INTEGER NOT NULL,
        body      TEXT NOT NULL,
        signature TEXT NOT NULL,
        type      TEXT GENERATED ALWAYS AS (json_extract(body, '$.type')) VIRTUAL,
        signer    TEXT GENERATED ALWAYS AS (json_extract(body, '$.signer')) VIRTUAL,
        UNIQUE (height, tx_index)
      ) STRICT;

      -- The current state: key → canonical JSON value. Always equal to the change history replayed.
      CREATE TABLE state (
        key   TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;

      -- Every write of every block (value NULL: the key was deleted), so state can be rebuilt and audited.
      CREATE TABLE state_changes (
        height INTEGER NOT NULL REFERENCES blocks (height),
        key    TEXT NOT NULL,
        value  TEXT,
        PRIMARY KEY (height, key)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX state_changes_by_key ON state_changes (key, height);

      -- Double-sign protection: what this node's validators signed, written before the signature exists.
      CREATE TABLE own_votes (
        validator  TEXT NOT NULL,
        height     INTEGER NOT NULL,
        round      INTEGER NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('prepare', 'approval')),
        block_hash TEXT NOT NULL,
        PRIMARY KEY (validator, height, round, kind)
      ) STRICT, WITHOUT ROWID;

      -- Prepared certificates of the height being decided (one per round); removed when it commits.
      CREATE TABLE prepared (
        height   INTEGER NOT NULL,
        round    INTEGER NOT NULL,
        prepared TEXT NOT NULL,
        PRIMARY KEY (height, round)
      ) STRICT;

      -- A validator seen signing two different blocks at one height, round and kind.
      CREATE TABLE evidence (
        validator      TEXT NOT NULL,
        height         INTEGER NOT NULL,
        round          INTEGER NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('prepare', 'approval')),
        first_vote     TEXT NOT NULL,
        second_vote    TEXT NOT NULL,
        recorded_at_ms INTEGER NOT NULL,
        PRIMARY KEY (validator, height, round, kind)
      ) STRICT;

      -- Signed rejections with their reasons, ours and our peers'.
      CREATE TABLE rejections (
        id             INTEGER PRIMARY KEY,
        chain_id       TEXT NOT NULL,
        height         INTEGER NOT NULL,
        round          INTEGER NOT NULL,
        block_hash     TEXT NOT NULL,
        validator      TEXT NOT NULL,
        reason         TEXT NOT NULL,
        signature      TEXT NOT NULL,
        recorded_at_ms INTEGER NOT NULL,
        UNIQUE (block_hash, round, validator)
      ) STRICT;

      -- The persisted mempool: seq orders by arrival; tx is the canonical JSON of the signed transaction.
      CREATE TABLE mempool (
        seq            INTEGER PRIMARY KEY,
        hash           TEXT NOT NULL UNIQUE,
        tx             TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    id: 3,
    name: 'ballot-index',
    // The recount of an election (LedgerStore.recountBallots) reads only this index: each ballot's election
    // and choices, in the order of elections. A partial index: other transactions do not pay for it.
    sql: `
      CREATE INDEX transactions_ballots ON transactions (json_extract(body, '$.payload.election'), json_extract(body, '$.payload.choices'))
        WHERE type = 'election.ballot';
    `,
  },
  {
    id: 4,
    name: 'transactions-hash-prefix',
    // The transactions table rebuilt without its hash as the primary key. A hash is random, so each one
    // went into a random leaf of that key's index: once the index had more leaves than a block has
    // transactions, a block of 1,000 dirtied ~1,000 index pages of 4 KiB, 64-character keys ~55 to a page
    // (docs/BENCHMARKS.md, "(c) block apply"). Now the rows are in arrival order (rowid) and the index holds
    // only the hash's first 12 hex digits (48 bits), ~4 times as many to a page; a lookup by hash reads the
    // index by its prefix and compares the whole hash in the row (LedgerStore's hasTx, txByHash).
    // The hash is no longer a unique key of the table. That a transaction is in the chain at most once is a
    // rule of the ledger, checked for every transaction of a block before it is stored (stateTransition.ts
    // checkTransaction: the replay check against this table), as it was before this migration.
    sql: `
      CREATE TABLE transactions_rebuilt (
        hash        TEXT NOT NULL,
        height      INTEGER NOT NULL REFERENCES blocks (height),
        tx_index    INTEGER NOT NULL,
        body        TEXT NOT NULL,
        signature   TEXT NOT NULL,
        type        TEXT GENERATED ALWAYS AS (json_extract(body, '$.type')) VIRTUAL,
        signer      TEXT GENERATED ALWAYS AS (json_extract(body, '$.signer')) VIRTUAL,
        hash_prefix TEXT GENERATED ALWAYS AS (substr(hash, 1, 12)) VIRTUAL,
        UNIQUE (height, tx_index)
      ) STRICT;
      INSERT INTO transactions_rebuilt (hash, height, tx_index, body, signature)
        SELECT hash, height, tx_index, body, signature FROM transactions ORDER BY height, tx_index;
      DROP TABLE transactions;
      ALTER TABLE transactions_rebuilt RENAME TO transactions;
      CREATE INDEX transactions_by_hash_prefix ON transactions (hash_prefix);
      CREATE INDEX transactions_ballots ON transactions (json_extract(body, '$.payload.election'), json_extract(body, '$.payload.choices'))
        WHERE type = 'election.ballot';
    `,
  },
  {
    id: 5,
    name: 'mempool-by-seq',
    // The mempool table rebuilt without the unique index on its hash. As with the transactions of
    // migration 4, a random 64-character key went into a random leaf of that index: a group commit of a few
    // hundred submissions dirtied a few hundred index pages, and a final block's removal as many again, all
    // written to the WAL on the main thread. Now a row is found by its seq (the rowid, in arrival order):
    // the repository keeps each waiting hash's seq in memory (MempoolRepository), so inserts append to the
    // last leaf and a block removes the oldest rows. That a transaction waits once is the mempool's rule,
    // checked against that map before a row is written.
    sql: `
      CREATE TABLE mempool_rebuilt (
        seq            INTEGER PRIMARY KEY,
        hash           TEXT NOT NULL,
        tx             TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL
      ) STRICT;
      INSERT INTO mempool_rebuilt (seq, hash, tx, received_at_ms) SELECT seq, hash, tx, received_at_ms FROM mempool ORDER BY seq;
      DROP TABLE mempool;
      ALTER TABLE mempool_rebuilt RENAME TO mempool;
    `,
  },
];
