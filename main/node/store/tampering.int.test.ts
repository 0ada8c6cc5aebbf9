/**
 * One changed row is enough: each kind of tampering makes openStore refuse with STORE_TAMPERED, naming
 * the height (or the state key) and the check that failed.
 *
 * The chain: 5 blocks of 2 signed notes; block 2 also carries a validator-set change that adds a fifth
 * validator, so blocks 3–5 are certified by 4 of 5 validators (the check must replay that change).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/tempDir';
import { CivichainError } from '../../core/errors';
import { VALIDATOR_SET_KEY } from '../../core/rules/validatorSet';
import { openStore, type StoreOptions } from './database';
import { addValidatorTransaction, commitTestBlocks, createTestNetwork } from './testChain';

const network = createTestNetwork();
let temp: ReturnType<typeof makeTempDir>;
let path: string;

function options(extra: Partial<StoreOptions> = {}): StoreOptions {
  return { path, genesis: network.genesis, genesisHash: network.genesisHash, ...extra };
}

/** Runs `sql` on the closed store as an outsider would (the sqlite3 shell enforces no foreign keys). */
function tamper(sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  const changed = db.prepare(sql).run(...params).changes;
  db.close();
  if (changed === 0) throw new RangeError(`The tampering statement changed nothing: ${sql}`);
}

function read<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(path, { readonly: true });
  const value = db.prepare(sql).pluck().get(...params) as T;
  db.close();
  return value;
}

/** Flips the last hex digit of a hex string. */
function flip(hex: string): string {
  return hex.slice(0, -1) + (hex.endsWith('0') ? '1' : '0');
}

function refusal(extra: Partial<StoreOptions> = {}): CivichainError {
  try {
    openStore(options(extra)).close();
  } catch (error) {
    if (error instanceof CivichainError) return error;
    throw error;
  }
  throw new RangeError('openStore accepted the tampered store.');
}

function expectTampered(expected: { height: number | null; check: string; key?: string }, extra: Partial<StoreOptions> = {}): CivichainError {
  const error = refusal(extra);
  expect(error.code).toBe('STORE_TAMPERED');
  expect(error.details).toMatchObject(expected);
  if (expected.height !== null) expect(error.message).toContain(`${expected.height}`);
  expect(error.message).toContain('civichain repair --data');
  return error;
}

beforeEach(() => {
  temp = makeTempDir();
  path = join(temp.path, 'chain.sqlite');
  const store = openStore(options());
  commitTestBlocks(store, network, 5, { extra: (h) => (h === 2 ? [addValidatorTransaction(network, network.spare, 'add-v5')] : []) });
  store.close();
});

afterEach(() => temp.remove());

describe('the start-up check', () => {
  it('passes an untouched store, verifying every signature when asked', () => {
    const checked: number[] = [];
    const store = openStore(options({ verifySignatures: 'all' }), { onChecked: (r) => checked.push(r.blocks, r.transactions, r.stateKeys) });
    expect(store.head().height).toBe(5);
    expect(checked).toEqual([5, 11, 1]);
    store.close();
  });

  it('a changed header names its block', () => {
    const header = read<string>('SELECT header FROM blocks WHERE height = 3');
    tamper('UPDATE blocks SET header = ? WHERE height = 3', header.replace(/"timeMs":(\d+)/, (_m, t: string) => `"timeMs":${Number(t) + 1}`));
    expectTampered({ height: 3, check: 'block-hash' });
  });

  it('a changed block hash names its block', () => {
    tamper('UPDATE blocks SET hash = ? WHERE height = 4', 'ab'.repeat(32));
    expectTampered({ height: 4, check: 'block-hash' });
  });

  it('a header and hash changed together fail the certificate', () => {
    const header = read<string>('SELECT header FROM blocks WHERE height = 3');
    const changed = header.replace(/"timeMs":(\d+)/, (_m, t: string) => `"timeMs":${Number(t) + 1}`);
    tamper('UPDATE blocks SET header = ?, hash = ? WHERE height = 3', changed, createHash('sha256').update(changed).digest('hex'));
    expectTampered({ height: 3, check: 'certificate' });
  });

  it('a changed transaction body names its block', () => {
    const body = read<string>('SELECT body FROM transactions WHERE height = 4 AND tx_index = 1');
    tamper('UPDATE transactions SET body = ? WHERE height = 4 AND tx_index = 1', body.replace('note 1', 'note 9'));
    expectTampered({ height: 4, check: 'tx-hash' });
  });

  it('a changed transaction signature fails the digest (and its verification, when every signature is checked)', () => {
    const signature = read<string>('SELECT signature FROM transactions WHERE height = 2 AND tx_index = 0');
    tamper('UPDATE transactions SET signature = ? WHERE height = 2 AND tx_index = 0', flip(signature));
    expectTampered({ height: 2, check: 'digest' });
    expectTampered({ height: 2, check: 'tx-signature' }, { verifySignatures: 'all' });
  });

  it('a deleted transaction names its block', () => {
    tamper('DELETE FROM transactions WHERE height = 5 AND tx_index = 1');
    expectTampered({ height: 5, check: 'tx-count' });
  });

  it('a transaction moved to another block names the block it left', () => {
    tamper('UPDATE transactions SET height = 1, tx_index = 2 WHERE height = 4 AND tx_index = 1');
    expectTampered({ height: 1, check: 'tx-count' });
  });

  it('a changed certificate signature names its block', () => {
    const certificate = read<string>('SELECT certificate FROM blocks WHERE height = 3');
    const parsed = JSON.parse(certificate) as { approvals: { signature: string }[] };
    parsed.approvals[1]!.signature = flip(parsed.approvals[1]!.signature);
    tamper('UPDATE blocks SET certificate = ? WHERE height = 3', JSON.stringify(parsed));
    const error = expectTampered({ height: 3, check: 'certificate' });
    expect(error.details.reason).toBe('APPROVAL_BAD_SIGNATURE');
  });

  it('a certificate cut below the quorum of the validator set in force names its block', () => {
    // From block 3 the set has 5 validators and a quorum of 4: the 3 approvals that sufficed before do not.
    const certificate = read<string>('SELECT certificate FROM blocks WHERE height = 3');
    const parsed = JSON.parse(certificate) as { approvals: unknown[] };
    parsed.approvals.pop();
    tamper('UPDATE blocks SET certificate = ? WHERE height = 3', JSON.stringify(parsed));
    const error = expectTampered({ height: 3, check: 'certificate' });
    expect(error.details.reason).toBe('CERT_BELOW_QUORUM');
  });

  it('a changed proposer signature names its block', () => {
    const signature = read<string>('SELECT signature FROM blocks WHERE height = 2');
    tamper('UPDATE blocks SET signature = ? WHERE height = 2', flip(signature));
    expectTampered({ height: 2, check: 'proposer-signature' });
  });

  it('the columns that repeat header and body fields are generated from them: they cannot be changed apart', () => {
    expect(() => tamper('UPDATE blocks SET tx_count = 7 WHERE height = 2')).toThrow(/generated column/);
    expect(() => tamper("UPDATE transactions SET signer = 'x' WHERE height = 2")).toThrow(/generated column/);
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT tx_count, time_ms, proposer, round FROM blocks WHERE height = 2').get();
    const tx = db.prepare('SELECT type, signer FROM transactions WHERE height = 2 AND tx_index = 2').get();
    db.close();
    expect(row).toEqual({ tx_count: 3, time_ms: expect.any(Number), proposer: expect.stringMatching(/^[0-9a-f]{64}$/), round: 0 });
    expect(tx).toEqual({ type: 'validator-set', signer: network.authority.publicKey });
  });

  it('a changed state value names its key and the block that wrote it', () => {
    const value = read<string>('SELECT value FROM state WHERE key = ?', VALIDATOR_SET_KEY);
    tamper('UPDATE state SET value = ? WHERE key = ?', value.replace('"quorum":4', '"quorum":1'), VALIDATOR_SET_KEY);
    const error = expectTampered({ height: 2, check: 'state', key: VALIDATOR_SET_KEY });
    expect(error.message).toContain(VALIDATOR_SET_KEY);
  });

  it('a deleted state row names its key', () => {
    tamper('DELETE FROM state WHERE key = ?', VALIDATOR_SET_KEY);
    expectTampered({ height: 2, check: 'state', key: VALIDATOR_SET_KEY });
  });

  it('a state row that no block wrote names its key', () => {
    tamper("INSERT INTO state (key, value) VALUES ('election/fake', '1')");
    expectTampered({ height: null, check: 'state', key: 'election/fake' });
  });

  it('a changed state-change row names its block', () => {
    tamper("UPDATE state_changes SET value = '{}' WHERE height = 2");
    expectTampered({ height: 2, check: 'digest' });
  });

  it('a deleted block in the middle names the missing height', () => {
    tamper('DELETE FROM blocks WHERE height = 3');
    expectTampered({ height: 3, check: 'missing-block' });
  });

  it('a deleted newest block names its height', () => {
    tamper('DELETE FROM blocks WHERE height = 5');
    expectTampered({ height: 5, check: 'orphan-rows' });
  });

  it('a deleted newest block together with its rows is still noticed through the recorded head', () => {
    tamper('DELETE FROM transactions WHERE height = 5');
    tamper('DELETE FROM blocks WHERE height = 5');
    expectTampered({ height: 5, check: 'head' });
  });

  it('a damaged file is refused as STORE_CORRUPT', () => {
    writeFileSync(path, Buffer.alloc(8192, 7));
    expect(refusal().code).toBe('STORE_CORRUPT');
  });
});
