/**
 * Anonymity (issue 5, docs/ELECTIONS.md): nothing the ledger or the issuing node stores links a ballot to a
 * voter ID. Two voters check in and vote through a real demo node (the issuing node: it holds the roll and
 * the credential key); then every file of its data folder is searched, byte by byte, for the values of the
 * booth's exchange, and the ledger's check-in and ballot records are compared field by field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ElectionSummary } from '../../preload/contract';
import { obtainCredential } from '../support/booth';
import { startNodeProcess } from '../support/cli';
import { makeTempDir } from '../support/tempDir';
import { demoCardCode, DEMO_ELECTION_ID } from '../../main/node/workspace/demoElection';

const temp = makeTempDir();
const dataDir = join(temp.path, 'node');
interface Cast {
  voterId: string;
  ballotKey: string;
  credential: string;
  blindedMessage: string;
  blindSignature: string;
  inverse: Uint8Array;
  ballotHash: string;
}
const casts: Cast[] = [];
let nodeOutput = '';

beforeAll(async () => {
  const node = await startNodeProcess(['--data', dataDir, '--api-port', '0', '--p2p-port', '0', '--demo']);
  const { api } = node;
  try {
    const election = await vi.waitFor(
      async () => {
        const found = (await api.call<{ elections: ElectionSummary[] }>('election.list')).elections[0];
        if (!found) throw new TypeError('no election yet');
        return found;
      },
      { timeout: 20_000, interval: 50 },
    );
    for (const voterId of ['VOID010', 'VOID011']) {
      const { pass } = await api.call<{ pass: string }>('election.checkIn', { election: DEMO_ELECTION_ID, voterId, cardCode: demoCardCode(voterId) });
      const { session, credential, blindSignature } = await obtainCredential(api, 'civichain-demo-1', election, pass);
      const ballot = await session.sign(['republican'], credential);
      await api.call('tx.submit', { transaction: ballot.transaction });
      const inverse = (session as unknown as { blinding: { inv: Uint8Array } }).blinding.inv;
      casts.push({ voterId, ballotKey: session.publicKeyHex, credential, blindedMessage: session.blindedMessage, blindSignature, inverse, ballotHash: ballot.hash });
    }
    await vi.waitFor(
      async () => {
        if ((await api.call<ElectionSummary>('election.get', { election: DEMO_ELECTION_ID })).ballots !== 2) throw new TypeError('not final yet');
      },
      { timeout: 20_000, interval: 50 },
    );
  } finally {
    api.close();
    node.proc.child.kill('SIGTERM');
    await node.proc.exited;
    nodeOutput = node.proc.stdout() + node.proc.stderr();
  }
}, 90_000);

afterAll(() => temp.remove());

/** Every form a value could be stored in: text (as given, hex, base64, base64url) and raw bytes. */
function forms(value: string | Uint8Array): Buffer[] {
  const bytes = typeof value === 'string' ? (/^[0-9a-f]+$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64url')) : Buffer.from(value);
  return [bytes, Buffer.from(bytes.toString('hex')), Buffer.from(bytes.toString('base64')), Buffer.from(bytes.toString('base64url'))].filter((b) => b.length >= 16);
}

function dataFiles(): { name: string; bytes: Buffer }[] {
  const out: { name: string; bytes: Buffer }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else out.push({ name: path.slice(dataDir.length + 1), bytes: readFileSync(path) });
    }
  };
  walk(dataDir);
  return out;
}

function holders(value: string | Uint8Array): string[] {
  return dataFiles()
    .filter((file) => forms(value).some((form) => file.bytes.includes(form)))
    .map((file) => file.name);
}

describe('anonymity of ballots', () => {
  it('the node stores no blinded message, blind signature or blinding factor, anywhere in its data folder', () => {
    for (const cast of casts) {
      expect(holders(cast.blindedMessage)).toEqual([]);
      expect(holders(cast.blindSignature)).toEqual([]);
      expect(holders(cast.inverse)).toEqual([]);
    }
  });

  it('the ballot key and the credential are on the ledger only, never in the election office, and never in the logs', () => {
    for (const cast of casts) {
      for (const value of [cast.ballotKey, cast.credential, cast.ballotHash]) {
        const where = holders(value);
        expect(where.some((name) => name.startsWith('chain.sqlite'))).toBe(true);
        expect(where.filter((name) => !name.startsWith('chain.sqlite'))).toEqual([]);
        expect(nodeOutput).not.toContain(value);
      }
    }
  });

  it('the check-in records and the ballot records on the ledger share no value but the election and chain', () => {
    const db = new Database(join(dataDir, 'chain.sqlite'), { readonly: true });
    try {
      const rows = db.prepare<[], { type: string; body: string; signature: string }>("SELECT type, body, signature FROM transactions WHERE type IN ('election.credential', 'election.ballot')").all();
      const values = (type: string) => {
        const set = new Set<string>();
        const collect = (value: unknown) => {
          if (Array.isArray(value)) value.forEach(collect);
          else if (value && typeof value === 'object') Object.values(value).forEach(collect);
          else set.add(String(value));
        };
        for (const row of rows.filter((r) => r.type === type)) {
          collect({ ...(JSON.parse(row.body) as object), signature: row.signature });
        }
        return set;
      };
      const issued = values('election.credential');
      const cast = values('election.ballot');
      expect(issued.size).toBeGreaterThan(5);
      const shared = [...cast].filter((v) => issued.has(v));
      expect(shared.sort()).toEqual(['civichain-demo-1', DEMO_ELECTION_ID].sort());
      // Voter IDs appear in neither.
      for (const { voterId } of casts) expect([...issued, ...cast].some((v) => v.includes(voterId))).toBe(false);
    } finally {
      db.close();
    }
  });

  it("the election office's tables hold the roll and check-ins, but no column that could name a ballot", () => {
    const db = new Database(join(dataDir, 'election-office.sqlite'), { readonly: true });
    try {
      const columns = (table: string) => db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all().map((c) => c.name);
      expect(columns('booth_passes')).toEqual(['pass_hash', 'election', 'used']);
      expect(columns('checkins')).toEqual(['election', 'voter_id', 'credential_tx', 'state', 'at_ms']);
      const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables.sort()).toEqual(['booth_passes', 'checkins', 'election_keys', 'roll']);
    } finally {
      db.close();
    }
  });
});
