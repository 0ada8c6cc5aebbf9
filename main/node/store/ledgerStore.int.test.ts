import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { signRejection, type PreparedCertificate } from '../../core/ledger/consensusMessages';
import { transactionHash } from '../../core/ledger/transaction';
import { signVote } from '../../core/ledger/votes';
import { VALIDATOR_SET_KEY } from '../../core/rules/validatorSet';
import { MemoryConsensusStore } from '../consensus/memoryStore';
import type { ConsensusStore, Evidence } from '../consensus/types';
import { MAX_QUERY_LIMIT, type LedgerStore } from './ledgerStore';
import {
  addValidatorTransaction,
  buildTestBlock,
  commitTestBlocks,
  createTestNetwork,
  noteTransaction,
  TEST_BLOCK_INTERVAL_MS,
  TEST_GENESIS_TIME_MS,
  type TestNetwork,
} from './testChain';
import { TEST_STORE_NOW_MS, useTempStore } from './testStore';

const network = createTestNetwork();
const stores = useTempStore(network);
const open = (net: TestNetwork = network): LedgerStore => stores.open(net);
const reopen = (): LedgerStore => stores.reopen();

describe('LedgerStore', () => {
  it('starts at height 0 with the genesis as its head', () => {
    const s = open();
    expect(s.head()).toEqual({ height: 0, hash: network.genesisHash, timeMs: TEST_GENESIS_TIME_MS, finalHeight: 0 });
    expect(s.blocks()).toEqual([]);
    expect(s.committed(1)).toBeNull();
    expect(s.state().get(VALIDATOR_SET_KEY)).toBeNull();
  });

  it('commits blocks and reads them back: by range, by height, by hash, transactions by hash', () => {
    const s = open();
    const committed = commitTestBlocks(s, network, 5, { txsPerBlock: 3 });
    const last = committed[4]!;
    expect(s.head()).toEqual({ height: 5, hash: last.hash, timeMs: TEST_GENESIS_TIME_MS + 5 * TEST_BLOCK_INTERVAL_MS, finalHeight: 5 });

    const third = committed[2]!;
    expect(s.blockByHeight(3)).toEqual({ hash: third.hash, block: third.block, certificate: third.certificate });
    expect(s.blockByHash(third.hash)).toEqual({ hash: third.hash, block: third.block, certificate: third.certificate });
    expect(s.committed(3)).toEqual({ block: third.block, certificate: third.certificate });
    expect(s.blockByHeight(6)).toBeNull();
    expect(s.blockByHash('0'.repeat(64))).toBeNull();

    const range = s.blocks({ from: 2, to: 4 });
    expect(range.map((b) => b.header.height)).toEqual([2, 3, 4]);
    expect(range[1]).toEqual({ hash: third.hash, header: third.block.header, signature: third.block.signature, certificate: third.certificate });

    const tx = third.block.transactions[1]!;
    const hash = third.changes.txHashes[1]!;
    expect(s.transaction(hash)).toEqual({ hash, tx, height: 3, index: 1, blockHash: third.hash });
    expect(s.transaction('f'.repeat(64))).toBeNull();
    expect(s.state().hasTransaction(hash)).toBe(true);
    expect(s.state().hasTransaction('f'.repeat(64))).toBe(false);
  });

  it('pages blocks newest first and never returns more than the limit', () => {
    const s = open();
    commitTestBlocks(s, network, 6, { txsPerBlock: 0 });
    expect(s.blocks({ newestFirst: true, limit: 2 }).map((b) => b.header.height)).toEqual([6, 5]);
    expect(s.blocks({ to: 4, newestFirst: true, limit: 3 }).map((b) => b.header.height)).toEqual([4, 3, 2]);
    expect(s.blocks({ from: 5 }).map((b) => b.header.height)).toEqual([5, 6]);
    expect(s.blocks({ from: 7 })).toEqual([]);
    expect(s.blocks({ from: 0, to: 100, limit: MAX_QUERY_LIMIT })).toHaveLength(6);
  });

  it.each([
    ['a limit above 1000', { limit: MAX_QUERY_LIMIT + 1 }],
    ['a limit of 0', { limit: 0 }],
    ['a negative height', { from: -1 }],
    ['a fractional height', { to: 1.5 }],
  ])('STORE_BAD_QUERY for %s', (_name, query) => {
    const s = open();
    expect(() => s.blocks(query)).toThrow(expect.objectContaining({ code: 'STORE_BAD_QUERY' }));
  });

  it('keeps blocks, transactions, state and the head across a close and reopen', () => {
    const s = open();
    const committed = commitTestBlocks(s, network, 3, { extra: (h) => (h === 2 ? [addValidatorTransaction(network, network.spare, 'add-v5')] : []) });
    const validatorSet = s.state().get(VALIDATOR_SET_KEY);
    expect(validatorSet).toContain(network.spare.publicKey);
    const head = s.head();

    const again = reopen();
    expect(again.head()).toEqual(head);
    expect(again.state().get(VALIDATOR_SET_KEY)).toBe(validatorSet);
    expect(again.blockByHeight(2)?.block).toEqual(committed[1]!.block);
    expect(again.state().hasTransaction(committed[2]!.changes.txHashes[0]!)).toBe(true);
    // The chain goes on from where it was: the next block is certified by the changed set.
    commitTestBlocks(again, network, 1);
    expect(again.head().height).toBe(4);
    expect(again.committed(4)?.certificate.approvals.map((a) => a.validator)).toContain(network.spare.publicKey);
  });

  it('refuses to sign a second block at one height and round, also after a reopen', () => {
    const s = open();
    const [v1] = network.validators;
    expect(s.recordOwnVote(v1!.publicKey, 1, 0, 'prepare', 'a'.repeat(64))).toBe(true);
    expect(s.recordOwnVote(v1!.publicKey, 1, 0, 'prepare', 'a'.repeat(64))).toBe(true);
    expect(s.recordOwnVote(v1!.publicKey, 1, 0, 'prepare', 'b'.repeat(64))).toBe(false);

    const again = reopen();
    expect(again.recordOwnVote(v1!.publicKey, 1, 0, 'prepare', 'b'.repeat(64))).toBe(false);
    expect(again.recordOwnVote(v1!.publicKey, 1, 0, 'prepare', 'a'.repeat(64))).toBe(true);
    // Another kind, round or validator is another record.
    expect(again.recordOwnVote(v1!.publicKey, 1, 0, 'approval', 'b'.repeat(64))).toBe(true);
    expect(again.recordOwnVote(v1!.publicKey, 1, 1, 'prepare', 'b'.repeat(64))).toBe(true);
    expect(again.recordOwnVote(network.validators[1]!.publicKey, 1, 0, 'prepare', 'b'.repeat(64))).toBe(true);
    expect(again.lastOwnRound(1)).toBe(1);
    expect(again.lastOwnRound(2)).toBeNull();
  });

  it('records the votes of several validators at once, each with the same protection, durable after a reopen', () => {
    const s = open();
    const [v1, v2, v3] = network.validators;
    expect(s.recordOwnVote(v2!.publicKey, 2, 0, 'prepare', 'b'.repeat(64))).toBe(true);
    // v2 already signed another block there: its vote is refused, the others are recorded.
    expect(s.recordOwnVotes([v1!.publicKey, v2!.publicKey, v3!.publicKey], 2, 0, 'prepare', 'a'.repeat(64))).toEqual([true, false, true]);
    const again = reopen();
    expect(again.recordOwnVote(v1!.publicKey, 2, 0, 'prepare', 'b'.repeat(64))).toBe(false);
    expect(again.recordOwnVote(v3!.publicKey, 2, 0, 'prepare', 'b'.repeat(64))).toBe(false);
    expect(again.recordOwnVote(v2!.publicKey, 2, 0, 'prepare', 'b'.repeat(64))).toBe(true);
  });

  it('keeps prepared certificates per round until their height commits', () => {
    const s = open();
    // One transaction made here (frozen, its hash remembered) and a plain copy with text that JSON must escape.
    const copy = { ...noteTransaction(network, 'a "quoted" \\ text', 'p2') };
    const built = buildTestBlock(s, network, [noteTransaction(network, 'prepared', 'p1'), copy]);
    const prepared = (round: number): PreparedCertificate => ({
      round,
      blockHash: built.hash,
      block: built.block,
      prepares: network.validators.slice(0, 3).map((v) => {
        const vote = signVote('prepare', { chainId: network.genesis.chainId, height: 1, round, blockHash: built.hash }, v.publicKey, v.privateKey);
        return { validator: vote.validator, signature: vote.signature };
      }),
    });
    s.savePrepared(1, prepared(0));
    s.savePrepared(1, prepared(1));
    s.savePrepared(1, prepared(1));
    const reopened = reopen();
    expect(reopened.loadPrepared(1)).toEqual([prepared(0), prepared(1)]);
    expect(reopened.loadPrepared(2)).toEqual([]);
    reopened.commitBlock(built.block, built.hash, built.certificate, built.changes);
    expect(reopened.loadPrepared(1)).toEqual([]);
  });

  it('records evidence once per validator, height, round and kind', () => {
    const s = open();
    const v = network.validators[2]!;
    const vote = (blockHash: string) => signVote('approval', { chainId: network.genesis.chainId, height: 4, round: 2, blockHash }, v.publicKey, v.privateKey);
    const evidence: Evidence = { validator: v.publicKey, height: 4, round: 2, kind: 'approval', first: vote('a'.repeat(64)), second: vote('b'.repeat(64)) };
    expect(s.recordEvidence(evidence)).toBe(true);
    expect(s.recordEvidence({ ...evidence, second: vote('c'.repeat(64)) })).toBe(false);
    expect(s.recordEvidence({ ...evidence, kind: 'prepare' })).toBe(true);
    expect(reopen().evidence()).toEqual([
      { ...evidence, kind: 'prepare', recordedAtMs: TEST_STORE_NOW_MS },
      { ...evidence, recordedAtMs: TEST_STORE_NOW_MS },
    ]);
  });

  it('records rejections with their reasons, by block and most recent first', () => {
    const s = open();
    const reject = (validatorIndex: number, blockHash: string, reason: string) => {
      const v = network.validators[validatorIndex]!;
      return signRejection({ chainId: network.genesis.chainId, height: 1, round: 0, blockHash, reason }, v.publicKey, v.privateKey);
    };
    const first = reject(0, 'a'.repeat(64), 'The proposer is not known to us.');
    const second = reject(1, 'a'.repeat(64), 'Too early.');
    const other = reject(0, 'b'.repeat(64), 'Wrong election.');
    for (const rejection of [first, second, other, first]) s.recordRejection(rejection);
    const again = reopen();
    expect(again.rejectionsFor('a'.repeat(64))).toEqual([
      { ...first, recordedAtMs: TEST_STORE_NOW_MS },
      { ...second, recordedAtMs: TEST_STORE_NOW_MS },
    ]);
    expect(again.recentRejections(2)).toEqual([
      { ...other, recordedAtMs: TEST_STORE_NOW_MS },
      { ...second, recordedAtMs: TEST_STORE_NOW_MS },
    ]);
    expect(again.rejectionsFor('c'.repeat(64))).toEqual([]);
  });

  it('writes a block all or nothing: a failure inside the transaction leaves no trace', () => {
    const s = open();
    commitTestBlocks(s, network, 2);
    const before = s.head();
    const next = buildTestBlock(s, network, [noteTransaction(network, 'doomed', 'doomed')]);
    // A state value SQLite cannot bind makes the write throw after the block and its transactions went in.
    const poisoned = { ...next.changes, writes: new Map<string, string | null>([['a/ok', '"ok"'], ['z/bad', {} as unknown as string]]) };
    expect(() => s.commitBlock(next.block, next.hash, next.certificate, poisoned)).toThrow();
    expect(s.head()).toEqual(before);
    expect(s.blockByHeight(3)).toBeNull();
    expect(s.transaction(next.changes.txHashes[0]!)).toBeNull();
    expect(s.state().get('a/ok')).toBeNull();

    // The store still passes its start-up checks, and the same block can be committed properly.
    const again = reopen();
    again.commitBlock(next.block, next.hash, next.certificate, next.changes);
    expect(reopen().head().height).toBe(3);
  });

  it.each([
    ['a block that does not extend the head', 'height'],
    ['a hash that is not the header hash', 'hash'],
    ['a certificate for another block', 'certificate'],
    ['state changes computed for other transactions', 'changes'],
  ])('STORE_BAD_COMMIT for %s', (_name, what) => {
    const s = open();
    const b = buildTestBlock(s, network, [noteTransaction(network, 'one', 'n1')]);
    // Committing block 1 first makes the same block 1 no longer extend the head.
    if (what === 'height') s.commitBlock(b.block, b.hash, b.certificate, b.changes);
    const head = s.head();
    const hash = what === 'hash' ? 'e'.repeat(64) : b.hash;
    const certificate = what === 'certificate' ? { ...b.certificate, blockHash: 'e'.repeat(64) } : b.certificate;
    const changes = what === 'changes' ? { ...b.changes, txHashes: ['e'.repeat(64)] } : b.changes;
    expect(() => s.commitBlock(b.block, hash, certificate, changes)).toThrow(expect.objectContaining({ code: 'STORE_BAD_COMMIT' }));
    expect(s.head()).toEqual(head);
  });

  it('finds a transaction by its whole hash, not by the 12 digits its index holds, and by prefixes of any length', () => {
    const s = open();
    const committed = commitTestBlocks(s, network, 3, { txsPerBlock: 4 });
    const hash = committed[1]!.changes.txHashes[2]!;
    // A row whose hash shares its first 12 digits with a stored transaction's (SHA-256 will not make one),
    // written beside the open store by a second connection (the start-up check would refuse the extra row).
    const twin = `${hash.slice(0, 12)}${hash[12] === '0' ? '1' : '0'}${hash.slice(13)}`;
    const db = new Database(stores.path);
    db.prepare('INSERT INTO transactions (hash, height, tx_index, body, signature) VALUES (?, 1, 99, ?, ?)').run(twin, '{}', '00');
    const sharing = db.prepare<[string], number>('SELECT COUNT(*) FROM transactions WHERE hash_prefix = substr(?, 1, 12)').pluck().get(hash);
    db.close();
    expect(sharing).toBe(2);
    const twinFirst = twin < hash;
    expect(s.transaction(hash)).toMatchObject({ hash, height: 2, index: 2 });
    expect(s.state().hasTransaction(hash)).toBe(true);
    const absent = `${hash.slice(0, 12)}${hash[12] === 'f' ? 'e' : 'f'}${hash.slice(13)}`;
    expect(s.transaction(absent)).toBeNull();
    expect(s.state().hasTransaction(absent)).toBe(false);
    for (const length of [1, 6, 11, 12, 13, 40, 64]) {
      const found = s.transactionsWithPrefix(hash.slice(0, length), 50);
      expect(found).toContain(hash);
      expect(found.every((h) => h.startsWith(hash.slice(0, length)))).toBe(true);
      expect(found).toEqual([...found].sort());
    }
    expect(s.transactionsWithPrefix(hash.slice(0, 12), 50)).toEqual(twinFirst ? [twin, hash] : [hash, twin]);
    expect(s.transactionsWithPrefix(hash, 50)).toEqual([hash]);
    expect(s.transactionsWithPrefix(hash.slice(0, 12), 1)).toEqual([twinFirst ? twin : hash]);
  });

  it('migrates a store whose transactions were keyed by their hash (schema 3): every row kept, found by hash', () => {
    const s = open();
    const committed = commitTestBlocks(s, network, 4, { txsPerBlock: 3 });
    stores.close();
    // The table as migrations 2 and 3 made it, with the same rows, and migration 4 not yet applied.
    const db = new Database(stores.path);
    db.exec(`
      CREATE TABLE old_transactions (
        hash TEXT PRIMARY KEY NOT NULL, height INTEGER NOT NULL REFERENCES blocks (height), tx_index INTEGER NOT NULL,
        body TEXT NOT NULL, signature TEXT NOT NULL,
        type TEXT GENERATED ALWAYS AS (json_extract(body, '$.type')) VIRTUAL,
        signer TEXT GENERATED ALWAYS AS (json_extract(body, '$.signer')) VIRTUAL,
        UNIQUE (height, tx_index)
      ) STRICT;
      INSERT INTO old_transactions (hash, height, tx_index, body, signature) SELECT hash, height, tx_index, body, signature FROM transactions;
      DROP TABLE transactions;
      ALTER TABLE old_transactions RENAME TO transactions;
      CREATE INDEX transactions_ballots ON transactions (json_extract(body, '$.payload.election'), json_extract(body, '$.payload.choices'))
        WHERE type = 'election.ballot';
      DELETE FROM schema_migrations WHERE id = 4;
    `);
    db.close();

    const migrated = open();
    for (const { changes, block } of committed) {
      changes.txHashes.forEach((hash, index) => {
        expect(migrated.transaction(hash)).toMatchObject({ hash, tx: block.transactions[index], height: block.header.height, index });
        expect(migrated.state().hasTransaction(hash)).toBe(true);
      });
    }
    commitTestBlocks(migrated, network, 1, { txsPerBlock: 2 });
    expect(migrated.head().height).toBe(5);
    stores.close();
    const check = new Database(stores.path, { readonly: true });
    const indexes = check.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'transactions' ORDER BY name").pluck().all();
    const applied = check.prepare<[], number>('SELECT id FROM schema_migrations ORDER BY id').pluck().all();
    check.close();
    expect(indexes).toEqual(['sqlite_autoindex_transactions_1', 'transactions_ballots', 'transactions_by_hash_prefix']);
    expect(applied).toEqual([1, 2, 3, 4, 5]);
    expect(() => reopen()).not.toThrow();
  });

  it('refuses a store written for another network (STORE_GENESIS_MISMATCH)', () => {
    const s = open();
    commitTestBlocks(s, network, 1);
    stores.close();
    const other = createTestNetwork('Another network');
    expect(() => open(other)).toThrow(expect.objectContaining({ code: 'STORE_GENESIS_MISMATCH' }));
  });

  it('refuses a store written by a newer Civichain (STORE_TOO_NEW)', () => {
    open();
    stores.close();
    const db = new Database(stores.path);
    db.prepare("INSERT INTO schema_migrations (id, name) VALUES (99, 'future')").run();
    db.close();
    expect(() => open()).toThrow(expect.objectContaining({ code: 'STORE_TOO_NEW' }));
  });

  it('refuses a file that is not a database (STORE_CORRUPT)', () => {
    writeFileSync(stores.path, 'this is not an SQLite database, it only has its name'.repeat(100));
    expect(() => open()).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  });

  it('behaves as MemoryConsensusStore for the same calls', () => {
    const memory = new MemoryConsensusStore(network.genesis, network.genesisHash);
    const sqlite = open();
    const observe = (s: ConsensusStore) => {
      const out: unknown[] = [];
      const [v1, v2] = network.validators;
      commitTestBlocks(s, network, 2, { extra: (h) => (h === 1 ? [addValidatorTransaction(network, network.spare, 'v5')] : []) });
      const { height, hash, timeMs } = s.head();
      out.push({ height, hash, timeMs }, s.state().get(VALIDATOR_SET_KEY), s.committed(2), s.committed(3));
      out.push(s.recordOwnVote(v1!.publicKey, 3, 0, 'prepare', 'a'.repeat(64)));
      out.push(s.recordOwnVote(v1!.publicKey, 3, 0, 'prepare', 'b'.repeat(64)));
      out.push(s.recordOwnVote(v2!.publicKey, 3, 2, 'approval', 'b'.repeat(64)));
      out.push(s.lastOwnRound(3), s.lastOwnRound(4));
      const vote = (h: string) => signVote('prepare', { chainId: network.genesis.chainId, height: 3, round: 0, blockHash: h }, v1!.publicKey, v1!.privateKey);
      const evidence: Evidence = { validator: v1!.publicKey, height: 3, round: 0, kind: 'prepare', first: vote('a'.repeat(64)), second: vote('b'.repeat(64)) };
      out.push(s.recordEvidence(evidence), s.recordEvidence(evidence));
      return out;
    };
    expect(observe(sqlite)).toEqual(observe(memory));
  });
});

describe('MempoolRepository', () => {
  it('keeps transactions in arrival order, idempotently, across a reopen', () => {
    const s = open();
    const txs = ['c', 'a', 'b'].map((text, i) => noteTransaction(network, text, `m${i}`));
    const entries = txs.map((tx, i) => ({ hash: `${i}`.repeat(64), tx, receivedAtMs: 1000 - i }));
    for (const entry of entries) expect(s.mempool.add(entry)).toBe(true);
    expect(s.mempool.add(entries[0]!)).toBe(false);
    expect(s.mempool.count()).toBe(3);
    expect(s.mempool.has(entries[1]!.hash)).toBe(true);

    const again = reopen();
    expect(again.mempool.all()).toEqual(entries);
    expect(again.mempool.remove([entries[0]!.hash, entries[2]!.hash, 'f'.repeat(64)])).toBe(2);
    expect(again.mempool.remove([])).toBe(0);
    // A transaction removed and added again arrives last.
    expect(again.mempool.add(entries[0]!)).toBe(true);
    expect(again.mempool.all().map((e) => e.hash)).toEqual([entries[1]!.hash, entries[0]!.hash]);
    expect(again.mempool.count()).toBe(2);
  });
});

describe('LedgerStore.commitBlock and the mempool table', () => {
  /** The next block of `s` holding `inBlock` notes, and those notes with one more kept as waiting in its mempool. */
  function blockOverWaiting(s: LedgerStore, label: string, inBlock = 1) {
    const next = buildTestBlock(s, network, Array.from({ length: inBlock }, (_, i) => noteTransaction(network, `in the block ${i}`, `${label}${i}`)));
    const outside = noteTransaction(network, 'still waiting', `${label}-out`);
    const waiting = [...next.block.transactions, outside].map((tx, i) => ({ hash: transactionHash(tx), tx, receivedAtMs: 1000 + i }));
    expect(s.mempool.addMany(waiting)).toBe(inBlock + 1);
    return { next, outside, waiting };
  }

  it('deletes the waiting rows of the transactions a block includes, in the block’s own commit, and leaves the others', () => {
    const s = open();
    const { next, outside } = blockOverWaiting(s, 'w', 2);
    s.commitBlock(next.block, next.hash, next.certificate, next.changes);
    expect(s.mempool.all().map((e) => e.hash)).toEqual([transactionHash(outside)]);
    // Durable with the block: a reopened store has the block and not its transactions as waiting.
    const again = reopen();
    expect(again.head().height).toBe(1);
    expect(again.mempool.all().map((e) => e.hash)).toEqual([transactionHash(outside)]);
  });

  it('a block whose commit fails removes no waiting row, on disk or in the repository; the same block commits after', () => {
    const s = open();
    const { next, outside, waiting } = blockOverWaiting(s, 'f');
    // The disk refuses the last write of the block's transaction, after its mempool rows were deleted in it.
    const side = new Database(stores.path);
    side.exec("CREATE TRIGGER refuse_head BEFORE INSERT ON meta WHEN NEW.key = 'head' BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
    expect(() => s.commitBlock(next.block, next.hash, next.certificate, next.changes)).toThrow(/disk says no/);
    expect(s.head().height).toBe(0);
    expect(waiting.map((w) => s.mempool.has(w.hash))).toEqual([true, true]);
    expect(s.mempool.count()).toBe(2);
    expect(s.mempool.all().map((e) => e.hash)).toEqual(waiting.map((w) => w.hash));
    // Nor does a second add write the kept transaction twice.
    expect(s.mempool.addMany(waiting)).toBe(0);
    side.exec('DROP TRIGGER refuse_head');
    side.close();
    s.commitBlock(next.block, next.hash, next.certificate, next.changes);
    expect(s.mempool.has(waiting[0]!.hash)).toBe(false);
    expect(reopen().mempool.all().map((e) => e.hash)).toEqual([transactionHash(outside)]);
  });

  it('migrates a mempool table keyed by hash (schema 4): the waiting rows kept in order, removed by a block; a copied row dropped', () => {
    const s = open();
    const { next, outside, waiting } = blockOverWaiting(s, 'm');
    stores.close();
    // The table as migration 2 made it, with the same rows, and migration 5 not yet applied.
    const db = new Database(stores.path);
    db.exec(`
      CREATE TABLE old_mempool (seq INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tx TEXT NOT NULL, received_at_ms INTEGER NOT NULL) STRICT;
      INSERT INTO old_mempool SELECT seq, hash, tx, received_at_ms FROM mempool;
      DROP TABLE mempool;
      ALTER TABLE old_mempool RENAME TO mempool;
      DELETE FROM schema_migrations WHERE id = 5;
    `);
    db.close();

    const migrated = open();
    expect(migrated.mempool.all().map((e) => [e.hash, e.receivedAtMs])).toEqual(waiting.map((w) => [w.hash, w.receivedAtMs]));
    stores.close();
    const check = new Database(stores.path);
    expect(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'mempool'").all()).toEqual([]);
    // No unique index forbids a second row of a waiting hash now: one written behind the node's back is a copy.
    check.exec(`INSERT INTO mempool (hash, tx, received_at_ms) SELECT hash, tx, received_at_ms FROM mempool WHERE hash = '${waiting[1]!.hash}'`);
    check.close();
    const again = open();
    expect(again.mempool.count()).toBe(2);
    expect(again.mempool.all().map((e) => e.hash)).toEqual(waiting.map((w) => w.hash));
    again.commitBlock(next.block, next.hash, next.certificate, next.changes);
    expect(again.mempool.all().map((e) => e.hash)).toEqual([transactionHash(outside)]);
    stores.close();
    const rows = new Database(stores.path, { readonly: true });
    expect(rows.prepare('SELECT hash FROM mempool').pluck().all()).toEqual([transactionHash(outside)]);
    rows.close();
  });
});
