/**
 * The election rules (DESIGN.md §5) through the real state transition: applyTransactions for blocks and
 * checkTransaction for the mempool's check. Times are block times; keys and credentials are fixed
 * fixtures (ledger/testFixtures.ts, elections/testElection.ts).
 */
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import type { CanonicalValue } from '../encoding/canonicalJson';
import { testGenesis, testKey, type TestKey } from '../ledger/testFixtures';
import { transactionHash, type Transaction } from '../ledger/transaction';
import { rollLeaf, rollTree } from '../elections/roll';
import {
  HOUR_MS,
  OTHER_CREDENTIAL_KEY,
  TestCredentialIssuer,
  TestLedger,
  ballotTx,
  credentialTx,
  publicCredentialKey,
  testElectionDefinition,
  testRoll,
  testTx,
} from '../elections/testElection';
import {
  ELECTION_INDEX_KEY,
  electionBallotKey,
  electionLeafKey,
  electionPhase,
  listElectionIds,
  readElection,
  readElectionStatus,
  type ElectionDefinition,
  type ElectionStatus,
} from './elections';

const { genesis, authority, validators } = testGenesis();
const chainId = genesis.chainId;
const T0 = genesis.genesisTimeMs;
const OPEN = T0 + HOUR_MS;
const CLOSE = T0 + 10 * HOUR_MS;
const DURING = OPEN + 60_000;

const official = testKey('official-1');
const official2 = testKey('official-2');
const outsider = testKey('outsider');
const issuer = new TestCredentialIssuer();

const ID = 'city-2026';
const roll = testRoll(8);
const tree = rollTree(ID, roll);
const definition = testElectionDefinition({ genesis, id: ID, roll: tree, officials: [official, official2] });

const ballotKey = (n: number): TestKey => testKey(`ballot-${n}`);

function createTx(def: ElectionDefinition | Record<string, unknown> = definition, signer: TestKey = authority, nonce?: string): Transaction {
  return testTx(chainId, signer, 'election.create', def as Record<string, CanonicalValue>, nonce);
}

const credential = (index: number, signer: TestKey = official, nonce?: string): Transaction => credentialTx(chainId, signer, ID, roll, tree, index, nonce);
const ballot = (n: number, choices: readonly string[], extra: Partial<Parameters<typeof ballotTx>[0]> = {}): Transaction =>
  ballotTx({ chainId, electionId: ID, ballotKey: ballotKey(n), choices, issuer, ...extra });
const close = (signer: TestKey = official, electionId = ID): Transaction => testTx(chainId, signer, 'election.close', { election: electionId });
function result(tally: Record<string, number>, ballots: number, credentials: number, signer: TestKey = official, electionId = ID): Transaction {
  return testTx(chainId, signer, 'election.result', { election: electionId, tally, ballots, credentials });
}

/** The CivichainError `fn` throws; fails the test when it throws nothing. */
function refusal(fn: () => unknown): CivichainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CivichainError) return error;
    throw error;
  }
  return expect.unreachable('the transaction was accepted');
}

/** Asserts that a block of `txs` at `timeMs` is refused with `code` (and a message matching `message`), and that the state did not change. */
function expectRefused(ledger: TestLedger, txs: readonly Transaction[], timeMs: number, code: string, message?: RegExp): CivichainError {
  const before = new Map(ledger.state);
  const error = refusal(() => ledger.apply(txs, timeMs));
  expect(error.code).toBe(code);
  if (message) expect(error.message).toMatch(message);
  expect(ledger.state).toEqual(before);
  // The mempool's check of the last transaction alone agrees, when it is the only one.
  if (txs.length === 1) expect(refusal(() => ledger.check(txs[0] as Transaction, timeMs)).code).toBe(code);
  return error;
}

/** A ledger with the election created one second after genesis, before it opens. */
function withElection(): TestLedger {
  const ledger = new TestLedger(genesis);
  ledger.apply([createTx()], T0 + 1000);
  return ledger;
}

const status = (ledger: TestLedger, id = ID): ElectionStatus => readElectionStatus(ledger.reader, id);

describe('election.create', () => {
  it('an authority creates an election: stored as given, indexed, with an empty status', () => {
    const ledger = withElection();
    expect(readElection(ledger.reader, ID)).toEqual(definition);
    expect(listElectionIds(ledger.reader)).toEqual([ID]);
    expect(ledger.json(ELECTION_INDEX_KEY)).toEqual([ID]);
    expect(status(ledger)).toEqual({ credentials: 0, ballots: 0, tally: {}, closedAtMs: null, resultTx: null });
  });

  it('TX_UNAUTHORIZED: only an authority, not an official, validator or anyone else', () => {
    for (const signer of [official, validators[0] as TestKey, outsider]) {
      expectRefused(new TestLedger(genesis), [createTx(definition, signer)], T0 + 1000, 'TX_UNAUTHORIZED', /Only an authority may create an election/);
    }
  });

  it('TX_ELECTION_EXISTS: a second election with the same id, in a later block or the same block', () => {
    const ledger = withElection();
    const again = createTx({ ...definition, title: 'Another title' });
    expectRefused(ledger, [again], T0 + 2000, 'TX_ELECTION_EXISTS', /"city-2026" already exists/);
    const fresh = new TestLedger(genesis);
    expectRefused(fresh, [createTx(), again], T0 + 1000, 'TX_ELECTION_EXISTS', /^Transaction 1 /);
  });

  it('TX_INVALID_PAYLOAD: closing before or when it opens', () => {
    for (const closesAtMs of [definition.opensAtMs - 1, definition.opensAtMs]) {
      const error = expectRefused(new TestLedger(genesis), [createTx({ ...definition, closesAtMs })], T0 + 1000, 'TX_INVALID_PAYLOAD', /must close after it opens/);
      expect(error.details['field']).toBe('payload.closesAtMs');
    }
  });

  it('TX_INVALID_PAYLOAD: two candidates with the same id', () => {
    const candidates = [...definition.candidates, { id: 'dem', name: 'Democrats again' }];
    const error = expectRefused(new TestLedger(genesis), [createTx({ ...definition, candidates })], T0 + 1000, 'TX_INVALID_PAYLOAD', /Two candidates share an id/);
    expect(error.details['field']).toBe('payload.candidates');
  });

  it('TX_INVALID_PAYLOAD: choosing more candidates than there are', () => {
    expectRefused(new TestLedger(genesis), [createTx({ ...definition, choose: 4 })], T0 + 1000, 'TX_INVALID_PAYLOAD', /cannot choose 4 of 3 candidates/);
    // Choosing all of them is allowed.
    new TestLedger(genesis).apply([createTx({ ...definition, choose: 3 })], T0 + 1000);
  });

  it('TX_INVALID_PAYLOAD: an official listed twice', () => {
    expectRefused(new TestLedger(genesis), [createTx({ ...definition, officials: [official.publicKey, official.publicKey] })], T0 + 1000, 'TX_INVALID_PAYLOAD', /official is listed twice/);
  });

  it('TX_INVALID_PAYLOAD: a credential key shorter than 2048 bits or with its top bit clear', () => {
    const n = Buffer.from(definition.credentialKey.n, 'base64url');
    const short = { ...definition.credentialKey, n: n.subarray(1).toString('base64url') };
    expectRefused(new TestLedger(genesis), [createTx({ ...definition, credentialKey: short })], T0 + 1000, 'TX_INVALID_PAYLOAD', /credentialKey\.n/);
    const padded = { ...definition.credentialKey, n: Buffer.concat([Buffer.from([0]), n.subarray(1)]).toString('base64url') };
    expectRefused(new TestLedger(genesis), [createTx({ ...definition, credentialKey: padded })], T0 + 1000, 'TX_INVALID_PAYLOAD', /at least 2048 bits/);
  });

  it('TX_INVALID_PAYLOAD: junk payloads name the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...definition, id: 'X' }, 'payload.id'],
      [{ ...definition, id: 'City-2026' }, 'payload.id'],
      [{ ...definition, candidates: definition.candidates.slice(0, 1) }, 'payload.candidates'],
      [{ ...definition, candidates: [{ id: 'Dem', name: 'D' }, ...definition.candidates] }, 'payload.candidates.0.id'],
      [{ ...definition, choose: 0 }, 'payload.choose'],
      [{ ...definition, opensAtMs: -1 }, 'payload.opensAtMs'],
      [{ ...definition, roll: { ...definition.roll, size: 0 } }, 'payload.roll.size'],
      [{ ...definition, roll: { ...definition.roll, root: definition.roll.root.toUpperCase() } }, 'payload.roll.root'],
      [{ ...definition, officials: [] }, 'payload.officials'],
      [{ ...definition, credentialKey: { ...definition.credentialKey, suite: 'RSABSSA-SHA384-PSS-Randomized' } }, 'payload.credentialKey.suite'],
      [{ ...definition, extra: true }, 'payload'],
    ];
    for (const [payload, field] of cases) {
      const error = expectRefused(new TestLedger(genesis), [createTx(payload)], T0 + 1000, 'TX_INVALID_PAYLOAD');
      expect(error.details['field'], JSON.stringify(payload).slice(0, 80)).toBe(field);
    }
  });
});

describe('election.credential (check-in)', () => {
  it('an official checks a voter in: the leaf records the transaction and the count goes up', () => {
    const ledger = withElection();
    const tx = credential(3);
    ledger.apply([tx], DURING);
    const leaf = rollLeaf(ID, (roll[3] as { voterId: string }).voterId, (roll[3] as { cardCode: string }).cardCode);
    expect(ledger.json(electionLeafKey(ID, leaf))).toBe(transactionHash(tx));
    expect(status(ledger).credentials).toBe(1);
    ledger.apply([credential(0, official2), credential(7)], DURING);
    expect(status(ledger).credentials).toBe(3);
  });

  it('TX_UNAUTHORIZED: only an official listed in the election, not an authority or an official of another election', () => {
    const ledger = withElection();
    for (const signer of [authority, outsider, validators[0] as TestKey]) {
      expectRefused(ledger, [credential(0, signer)], DURING, 'TX_UNAUTHORIZED', /Only an official of election "city-2026" may check voters in/);
    }
  });

  it('TX_ELECTION_NOT_OPEN before the opening time, by block time; open at the opening millisecond', () => {
    const ledger = withElection();
    expectRefused(ledger, [credential(0)], OPEN - 1, 'TX_ELECTION_NOT_OPEN', /opens at 2026-01-01T01:00:00Z; checking in is not possible before then/);
    ledger.apply([credential(0)], OPEN);
  });

  it('TX_ELECTION_CLOSED at and after the closing time, and after an election.close', () => {
    const ledger = withElection();
    ledger.apply([credential(0)], CLOSE - 1);
    expectRefused(ledger, [credential(1)], CLOSE, 'TX_ELECTION_CLOSED', /is closed; checking in is no longer possible/);
    const early = withElection();
    early.apply([close()], DURING);
    expectRefused(early, [credential(1)], DURING + 1, 'TX_ELECTION_CLOSED');
  });

  it('TX_ELECTION_ALREADY_ISSUED: the same roll leaf twice, by any official, in a later block', () => {
    const ledger = withElection();
    const first = credential(2);
    ledger.apply([first], DURING);
    for (const again of [credential(2, official, 'again'), credential(2, official2)]) {
      const error = expectRefused(ledger, [again], DURING + 1000, 'TX_ELECTION_ALREADY_ISSUED', /already been checked in/);
      expect(error.details['credentialTx']).toBe(transactionHash(first));
    }
    expect(status(ledger).credentials).toBe(1);
  });

  it('TX_ELECTION_ALREADY_ISSUED: two credentials for the same leaf in the same block (two polling stations)', () => {
    const ledger = withElection();
    const error = expectRefused(ledger, [credential(5, official), credential(5, official2)], DURING, 'TX_ELECTION_ALREADY_ISSUED');
    expect(error.details['index']).toBe(1);
    expect(status(ledger).credentials).toBe(0);
  });

  it('TX_DUPLICATE: the same signed credential transaction replayed', () => {
    const ledger = withElection();
    const tx = credential(1);
    ledger.apply([tx], DURING);
    expectRefused(ledger, [tx], DURING + 1, 'TX_DUPLICATE');
  });

  it('TX_ELECTION_NOT_ON_ROLL: a leaf not on the roll, a wrong index, a proof of another leaf, a leaf of another election', () => {
    const ledger = withElection();
    const good = { election: ID, leaf: rollLeaf(ID, 'VOID001', (roll[0] as { cardCode: string }).cardCode), index: 0, proof: tree.proof(0) };
    const bad: Record<string, CanonicalValue>[] = [
      { ...good, leaf: rollLeaf(ID, 'VOID999', (roll[0] as { cardCode: string }).cardCode) },
      { ...good, leaf: rollLeaf(ID, 'VOID001', (roll[1] as { cardCode: string }).cardCode) },
      { ...good, index: 1 },
      { ...good, index: 8 },
      { ...good, proof: tree.proof(1) },
      { ...good, proof: tree.proof(0).slice(1) },
      { ...good, proof: [...tree.proof(0), tree.root] },
      { ...good, leaf: rollLeaf('town-2026', 'VOID001', (roll[0] as { cardCode: string }).cardCode) },
      // The root itself, or an inner node, is not a leaf.
      { ...good, leaf: tree.root, proof: [] },
    ];
    for (const payload of bad) {
      expectRefused(ledger, [testTx(chainId, official, 'election.credential', payload)], DURING, 'TX_ELECTION_NOT_ON_ROLL', /not on the roll of this election/);
    }
    ledger.apply([testTx(chainId, official, 'election.credential', good)], DURING);
  });

  it('TX_ELECTION_UNKNOWN and TX_INVALID_PAYLOAD', () => {
    const ledger = withElection();
    const payload = { election: 'nowhere-2026', leaf: tree.root, index: 0, proof: [] };
    expectRefused(ledger, [testTx(chainId, official, 'election.credential', payload)], DURING, 'TX_ELECTION_UNKNOWN', /no election "nowhere-2026"/);
    expectRefused(ledger, [testTx(chainId, official, 'election.credential', { ...payload, election: ID, index: -1 })], DURING, 'TX_INVALID_PAYLOAD');
    expectRefused(ledger, [testTx(chainId, official, 'election.credential', { ...payload, election: ID, voterId: 'VOID001' })], DURING, 'TX_INVALID_PAYLOAD');
  });
});

/** A ledger with the election open and `credentials` voters checked in. */
function withCredentials(credentials: number): TestLedger {
  const ledger = withElection();
  ledger.apply(Array.from({ length: credentials }, (_, i) => credential(i)), DURING);
  return ledger;
}

describe('election.ballot', () => {
  it('a ballot with a credential counts: tally, ballot count, and the ballot key recorded', () => {
    const ledger = withCredentials(3);
    const tx = ballot(1, ['rep']);
    ledger.apply([tx], DURING + 1000);
    expect(status(ledger)).toEqual({ credentials: 3, ballots: 1, tally: { rep: 1 }, closedAtMs: null, resultTx: null });
    expect(ledger.json(electionBallotKey(ID, ballotKey(1).publicKey))).toBe(transactionHash(tx));
    ledger.apply([ballot(2, ['rep']), ballot(3, ['dem'])], DURING + 2000);
    expect(status(ledger).tally).toEqual({ rep: 2, dem: 1 });
    expect(status(ledger).ballots).toBe(3);
  });

  it('TX_ELECTION_NOT_OPEN before opening, by block time', () => {
    // No credential can exist yet; the time check comes first and says why.
    expectRefused(withElection(), [ballot(1, ['dem'])], OPEN - 1, 'TX_ELECTION_NOT_OPEN', /opens at .*; voting is not possible before then/);
  });

  it('TX_ELECTION_CLOSED at the closing time, after it, and after an election.close', () => {
    const ledger = withCredentials(2);
    ledger.apply([ballot(1, ['dem'])], CLOSE - 1);
    expectRefused(ledger, [ballot(2, ['dem'])], CLOSE, 'TX_ELECTION_CLOSED', /is closed; voting is no longer possible/);
    expectRefused(ledger, [ballot(2, ['dem'])], CLOSE + HOUR_MS, 'TX_ELECTION_CLOSED');
    const closed = withCredentials(2);
    closed.apply([close()], DURING + 1000);
    expectRefused(closed, [ballot(2, ['dem'])], DURING + 2000, 'TX_ELECTION_CLOSED');
    // A close and a ballot in the same block: the ballot after the close is refused.
    const same = withCredentials(2);
    expectRefused(same, [close(), ballot(2, ['dem'])], DURING + 1000, 'TX_ELECTION_CLOSED');
    same.apply([ballot(2, ['dem']), close()], DURING + 1000);
  });

  it('TX_BALLOT_UNKNOWN_CANDIDATE', () => {
    const error = expectRefused(withCredentials(1), [ballot(1, ['green'])], DURING, 'TX_BALLOT_UNKNOWN_CANDIDATE', /"green" is not a candidate in election "city-2026"/);
    expect(error.details['choice']).toBe('green');
  });

  it('TX_BALLOT_TOO_MANY_CHOICES', () => {
    expectRefused(withCredentials(1), [ballot(1, ['dem', 'rep'])], DURING, 'TX_BALLOT_TOO_MANY_CHOICES', /chooses 2 candidates; election "city-2026" allows 1/);
  });

  it('TX_BALLOT_INVALID_CHOICE: the same candidate twice (in a choose-2 election)', () => {
    const ledger = new TestLedger(genesis);
    ledger.apply([createTx({ ...definition, choose: 2 })], T0 + 1000);
    ledger.apply([credential(0)], DURING);
    expectRefused(ledger, [ballot(1, ['dem', 'dem'])], DURING, 'TX_BALLOT_INVALID_CHOICE', /names the same candidate twice/);
  });

  it('TX_INVALID_PAYLOAD: no choice, or a credential that is not base64url of a signature', () => {
    const ledger = withCredentials(1);
    expectRefused(ledger, [ballot(1, [])], DURING, 'TX_INVALID_PAYLOAD');
    const credentialText = issuer.issue(chainId, ID, ballotKey(1).publicKey);
    for (const bad of [credentialText.slice(0, 200), `${credentialText}+`, 'A'.repeat(701)]) {
      const error = expectRefused(ledger, [testTx(chainId, ballotKey(1), 'election.ballot', { election: ID, choices: ['dem'], credential: bad })], DURING, 'TX_INVALID_PAYLOAD');
      expect(error.details['field']).toBe('payload.credential');
    }
  });

  it('TX_BALLOT_CREDENTIAL_USED: a second ballot from the same ballot key, in a later block or the same block', () => {
    const ledger = withCredentials(3);
    ledger.apply([ballot(1, ['dem'])], DURING);
    // Same key, another choice (another transaction hash), with a fresh valid credential.
    expectRefused(ledger, [ballot(1, ['rep'])], DURING + 1000, 'TX_BALLOT_CREDENTIAL_USED', /each credential votes once/);
    expectRefused(ledger, [ballot(1, ['dem'], { nonce: 'again' })], DURING + 1000, 'TX_BALLOT_CREDENTIAL_USED');
    expectRefused(ledger, [ballot(2, ['soc']), ballot(2, ['rep'])], DURING + 1000, 'TX_BALLOT_CREDENTIAL_USED');
    expect(status(ledger).ballots).toBe(1);
  });

  it('TX_BALLOT_BAD_CREDENTIAL: a credential for another election, another chain, another ballot key, from another key, or forged', () => {
    const ledger = withCredentials(2);
    const forged = Buffer.alloc(256, 7).toString('base64url');
    const attempts: Transaction[] = [
      ballot(1, ['dem'], { credentialFor: { electionId: 'town-2026' } }),
      ballot(1, ['dem'], { credentialFor: { chainId: 'civichain-other' } }),
      ballot(1, ['dem'], { credentialFor: { ballotPublicKey: ballotKey(2).publicKey } }),
      ballot(1, ['dem'], { issuer: new TestCredentialIssuer(OTHER_CREDENTIAL_KEY) }),
      testTx(chainId, ballotKey(1), 'election.ballot', { election: ID, choices: ['dem'], credential: forged }),
      // A valid credential of 256 bytes with one bit changed, and one cut to 255 bytes.
      testTx(chainId, ballotKey(1), 'election.ballot', { election: ID, choices: ['dem'], credential: flipBit(issuer.issue(chainId, ID, ballotKey(1).publicKey)) }),
      testTx(chainId, ballotKey(1), 'election.ballot', { election: ID, choices: ['dem'], credential: Buffer.from(issuer.issue(chainId, ID, ballotKey(1).publicKey), 'base64url').subarray(1).toString('base64url') }),
    ];
    for (const tx of attempts) {
      expectRefused(ledger, [tx], DURING, 'TX_BALLOT_BAD_CREDENTIAL', /credential was not issued for election "city-2026"/);
    }
    ledger.apply([ballot(1, ['dem'])], DURING);
  });

  it('TX_BALLOT_NO_CREDENTIAL_LEFT: ballots never exceed the credentials issued', () => {
    const ledger = withCredentials(2);
    expectRefused(withElection(), [ballot(1, ['dem'])], DURING, 'TX_BALLOT_NO_CREDENTIAL_LEFT');
    ledger.apply([ballot(1, ['dem']), ballot(2, ['rep'])], DURING + 1000);
    expectRefused(ledger, [ballot(3, ['soc'])], DURING + 2000, 'TX_BALLOT_NO_CREDENTIAL_LEFT', /Every credential issued in election "city-2026" has already voted/);
    // One more check-in makes room for exactly one more ballot.
    ledger.apply([credential(5)], DURING + 3000);
    expectRefused(ledger, [ballot(3, ['soc']), ballot(4, ['soc'])], DURING + 4000, 'TX_BALLOT_NO_CREDENTIAL_LEFT');
    ledger.apply([ballot(3, ['soc'])], DURING + 4000);
    expect(status(ledger)).toMatchObject({ credentials: 3, ballots: 3 });
  });

  it('the ballot names no voter: its state holds the ballot key and the tally, nothing of the roll', () => {
    const ledger = withCredentials(1);
    const before = new Set(ledger.state.keys());
    ledger.apply([ballot(1, ['soc'])], DURING);
    const written = [...ledger.state.keys()].filter((k) => !before.has(k) || k === `election/${ID}/status`);
    expect(written.sort()).toEqual([electionBallotKey(ID, ballotKey(1).publicKey), `election/${ID}/status`].sort());
    for (const entry of roll) expect(JSON.stringify([...ledger.state.entries()].filter(([k]) => written.includes(k)))).not.toContain(entry.voterId);
  });
});

function flipBit(base64url: string): string {
  const bytes = Buffer.from(base64url, 'base64url');
  bytes[100] = (bytes[100] as number) ^ 1;
  return bytes.toString('base64url');
}

describe('election.close', () => {
  it('an official (or an authority) closes an open election: closedAtMs is the block time', () => {
    const ledger = withElection();
    ledger.apply([close()], DURING);
    expect(status(ledger).closedAtMs).toBe(DURING);
    expect(electionPhase(definition, status(ledger), DURING)).toBe('closed');
    const byAuthority = withElection();
    byAuthority.apply([close(authority)], DURING);
    expect(status(byAuthority).closedAtMs).toBe(DURING);
  });

  it('TX_UNAUTHORIZED for anyone else', () => {
    expectRefused(withElection(), [close(outsider)], DURING, 'TX_UNAUTHORIZED', /Only an official of election "city-2026" may close it/);
  });

  it('TX_ELECTION_NOT_OPEN before it opens; TX_ELECTION_CLOSED when already closed', () => {
    expectRefused(withElection(), [close()], OPEN - 1, 'TX_ELECTION_NOT_OPEN', /cannot be closed before 2026-01-01T01:00:00Z/);
    const ledger = withElection();
    ledger.apply([close()], DURING);
    expectRefused(ledger, [close(official2)], DURING + 1, 'TX_ELECTION_CLOSED', /already closed/);
  });

  it('TX_ELECTION_UNKNOWN', () => {
    expectRefused(withElection(), [close(official, 'nowhere-2026')], DURING, 'TX_ELECTION_UNKNOWN');
  });
});

describe('election.result', () => {
  /** Three credentials, two ballots (dem, soc), closed. */
  function counted(): TestLedger {
    const ledger = withCredentials(3);
    ledger.apply([ballot(1, ['dem']), ballot(2, ['soc'])], DURING + 1000);
    ledger.apply([close()], DURING + 2000);
    return ledger;
  }
  const RIGHT = { dem: 1, rep: 0, soc: 1 };

  it('TX_ELECTION_NOT_CLOSED while the election is open', () => {
    const ledger = withCredentials(3);
    ledger.apply([ballot(1, ['dem']), ballot(2, ['soc'])], DURING + 1000);
    expectRefused(ledger, [result(RIGHT, 2, 3)], DURING + 2000, 'TX_ELECTION_NOT_CLOSED', /still open; close it before publishing/);
    expectRefused(withElection(), [result({}, 0, 0)], T0 + 2000, 'TX_ELECTION_NOT_CLOSED');
  });

  it('a result equal to the count is accepted, after an election.close or after the closing time', () => {
    const ledger = counted();
    const tx = result(RIGHT, 2, 3);
    ledger.apply([tx], DURING + 3000);
    expect(status(ledger).resultTx).toBe(transactionHash(tx));
    // Candidates without votes may be left out.
    const byTime = withCredentials(3);
    byTime.apply([ballot(1, ['dem']), ballot(2, ['soc'])], DURING + 1000);
    byTime.apply([result({ dem: 1, soc: 1 }, 2, 3, authority)], CLOSE);
  });

  it('TX_ELECTION_RESULT_MISMATCH names each difference', () => {
    const cases: [Transaction, RegExp][] = [
      [result({ dem: 2, rep: 0, soc: 0 }, 2, 3), /differs from this node's count: Democratic Party 1 here, 2 published; Socialist party 1 here, 0 published\.$/],
      [result({ dem: 1 }, 2, 3), /Socialist party 1 here, 0 published/],
      [result({ ...RIGHT, green: 0 }, 2, 3), /"green" is not a candidate/],
      [result(RIGHT, 3, 3), /ballots 2 here, 3 published/],
      [result(RIGHT, 2, 8), /credentials 3 here, 8 published/],
    ];
    for (const [tx, message] of cases) {
      const error = expectRefused(counted(), [tx], DURING + 3000, 'TX_ELECTION_RESULT_MISMATCH', message);
      expect((error.details['differences'] as string[]).length).toBeGreaterThan(0);
    }
  });

  it('TX_ELECTION_RESULT_EXISTS: a second publication, even of the same count', () => {
    const ledger = counted();
    ledger.apply([result(RIGHT, 2, 3)], DURING + 3000);
    expectRefused(ledger, [result(RIGHT, 2, 3, official2)], DURING + 4000, 'TX_ELECTION_RESULT_EXISTS', /already published/);
    expectRefused(counted(), [result(RIGHT, 2, 3), result(RIGHT, 2, 3, official2)], DURING + 3000, 'TX_ELECTION_RESULT_EXISTS');
  });

  it('TX_UNAUTHORIZED for anyone but an official or an authority', () => {
    expectRefused(counted(), [result(RIGHT, 2, 3, outsider)], DURING + 3000, 'TX_UNAUTHORIZED', /may publish its result/);
  });

  it('TX_INVALID_PAYLOAD: negative counts', () => {
    expectRefused(counted(), [result({ ...RIGHT, dem: -1 }, 2, 3)], DURING + 3000, 'TX_INVALID_PAYLOAD');
    expectRefused(counted(), [result(RIGHT, -2, 3)], DURING + 3000, 'TX_INVALID_PAYLOAD');
  });
});

describe('choose-k-of-n', () => {
  it('a choose-2 ballot counts once for each candidate it names; one or two choices are both valid', () => {
    const ledger = new TestLedger(genesis);
    ledger.apply([createTx({ ...definition, choose: 2 })], T0 + 1000);
    ledger.apply([credential(0), credential(1), credential(2)], DURING);
    ledger.apply([ballot(1, ['dem', 'soc']), ballot(2, ['soc', 'rep']), ballot(3, ['rep'])], DURING + 1000);
    expect(status(ledger)).toMatchObject({ ballots: 3, tally: { dem: 1, rep: 2, soc: 2 } });
    expectRefused(ledger, [ballot(4, ['dem', 'rep', 'soc'])], DURING + 2000, 'TX_BALLOT_TOO_MANY_CHOICES', /chooses 3 candidates; election "city-2026" allows 2/);
    ledger.apply([close()], DURING + 2000);
    expectRefused(ledger, [result({ dem: 1, rep: 2, soc: 2 }, 5, 3)], DURING + 3000, 'TX_ELECTION_RESULT_MISMATCH', /ballots 3 here, 5 published/);
    ledger.apply([result({ dem: 1, rep: 2, soc: 2 }, 3, 3)], DURING + 3000);
  });
});

describe('several elections at once', () => {
  const TOWN = 'town-2026';
  const townRoll = testRoll(4);
  const townTree = rollTree(TOWN, townRoll);
  const town = { ...testElectionDefinition({ genesis, id: TOWN, roll: townTree, officials: [official2] }), closesAtMs: CLOSE + HOUR_MS };

  function both(): TestLedger {
    const ledger = new TestLedger(genesis);
    ledger.apply([createTx(), createTx(town)], T0 + 1000);
    return ledger;
  }

  it('check-ins, ballots and closing in one election do not touch the other', () => {
    const ledger = both();
    expect(listElectionIds(ledger.reader)).toEqual([ID, TOWN]);
    ledger.apply([credential(0), credentialTx(chainId, official2, TOWN, townRoll, townTree, 0), credential(1)], DURING);
    ledger.apply(
      [
        ballot(1, ['dem']),
        ballotTx({ chainId, electionId: TOWN, ballotKey: ballotKey(11), choices: ['rep'], issuer }),
        ballot(2, ['dem']),
      ],
      DURING + 1000,
    );
    expect(status(ledger)).toMatchObject({ credentials: 2, ballots: 2, tally: { dem: 2 } });
    expect(status(ledger, TOWN)).toMatchObject({ credentials: 1, ballots: 1, tally: { rep: 1 } });
    // The town's one credential is used: the city's spare credential does not make room there.
    expectRefused(ledger, [ballotTx({ chainId, electionId: TOWN, ballotKey: ballotKey(12), choices: ['rep'], issuer })], DURING + 2000, 'TX_BALLOT_NO_CREDENTIAL_LEFT');
    // Officials are per election.
    expectRefused(ledger, [credentialTx(chainId, official, TOWN, townRoll, townTree, 1)], DURING + 2000, 'TX_UNAUTHORIZED');
    // Closing the city leaves the town open.
    ledger.apply([close()], DURING + 2000);
    ledger.apply([credentialTx(chainId, official2, TOWN, townRoll, townTree, 1)], DURING + 3000);
    ledger.apply([ballotTx({ chainId, electionId: TOWN, ballotKey: ballotKey(12), choices: ['soc'], issuer })], DURING + 3000);
    // After the city's closing time, the town (closing an hour later) is still open.
    ledger.apply([credentialTx(chainId, official2, TOWN, townRoll, townTree, 2)], CLOSE);
    expect(status(ledger, TOWN)).toMatchObject({ credentials: 3, ballots: 2, tally: { rep: 1, soc: 1 } });
    ledger.apply([result({ dem: 2 }, 2, 2)], CLOSE);
    expectRefused(ledger, [result({ rep: 1, soc: 1 }, 2, 3, official2, TOWN)], CLOSE, 'TX_ELECTION_NOT_CLOSED');
  });

  it("a credential of one election does not vote in another with the same credential key", () => {
    const ledger = both();
    ledger.apply([credential(0), credentialTx(chainId, official2, TOWN, townRoll, townTree, 0)], DURING);
    const crossed = ballotTx({ chainId, electionId: TOWN, ballotKey: ballotKey(1), choices: ['dem'], issuer, credentialFor: { electionId: ID } });
    expectRefused(ledger, [crossed], DURING, 'TX_BALLOT_BAD_CREDENTIAL', /not issued for election "town-2026"/);
  });

  it('the same ballot key may vote once in each election', () => {
    const ledger = both();
    ledger.apply([credential(0), credentialTx(chainId, official2, TOWN, townRoll, townTree, 0)], DURING);
    ledger.apply([ballot(1, ['dem']), ballotTx({ chainId, electionId: TOWN, ballotKey: ballotKey(1), choices: ['soc'], issuer })], DURING + 1000);
    expect(status(ledger).ballots).toBe(1);
    expect(status(ledger, TOWN).ballots).toBe(1);
  });

  it('leaves are kept per election: the same roll leaf can be used once in each', () => {
    // Two elections committing to the same roll tree (the rule does not recompute leaves).
    const ledger = new TestLedger(genesis);
    const twin = { ...definition, id: 'twin-2026' };
    ledger.apply([createTx(), createTx(twin)], T0 + 1000);
    const leaf = { leaf: rollLeaf(ID, 'VOID001', (roll[0] as { cardCode: string }).cardCode), index: 0, proof: tree.proof(0) };
    ledger.apply([testTx(chainId, official, 'election.credential', { election: ID, ...leaf }), testTx(chainId, official, 'election.credential', { election: 'twin-2026', ...leaf })], DURING);
    expect(status(ledger).credentials).toBe(1);
    expect(status(ledger, 'twin-2026').credentials).toBe(1);
  });
});

describe('candidate ids that are also names of Object.prototype members', () => {
  it('a candidate called "constructor" is counted like any other', () => {
    const candidates = [
      { id: 'constructor', name: 'Constructors Guild' },
      { id: 'dem', name: 'Democratic Party' },
    ];
    const ledger = new TestLedger(genesis);
    ledger.apply([createTx({ ...definition, candidates })], T0 + 1000);
    ledger.apply([credential(0), credential(1)], DURING);
    ledger.apply([ballot(1, ['constructor']), ballot(2, ['dem'])], DURING + 1000);
    expect(status(ledger).tally).toEqual({ constructor: 1, dem: 1 });
    ledger.apply([close()], DURING + 2000);
    ledger.apply([result({ constructor: 1, dem: 1 }, 2, 2)], DURING + 3000);
  });

  it('a result leaving out a candidate called "constructor" with no votes is accepted, and one giving it votes is not', () => {
    const candidates = [
      { id: 'constructor', name: 'Constructors Guild' },
      { id: 'dem', name: 'Democratic Party' },
    ];
    const ledger = new TestLedger(genesis);
    ledger.apply([createTx({ ...definition, candidates })], T0 + 1000);
    ledger.apply([credential(0)], DURING);
    ledger.apply([ballot(1, ['dem'])], DURING + 1000);
    ledger.apply([close()], DURING + 2000);
    expectRefused(ledger, [result({ constructor: 1, dem: 1 }, 1, 1)], DURING + 3000, 'TX_ELECTION_RESULT_MISMATCH', /Constructors Guild 0 here, 1 published/);
    ledger.apply([result({ dem: 1 }, 1, 1)], DURING + 3000);
    expect(status(ledger).resultTx).not.toBeNull();
  });

  it('a result naming "constructor" with 0 votes matches a count where it got none', () => {
    const candidates = [
      { id: 'constructor', name: 'Constructors Guild' },
      { id: 'dem', name: 'Democratic Party' },
    ];
    const ledger = new TestLedger(genesis);
    ledger.apply([createTx({ ...definition, candidates })], T0 + 1000);
    ledger.apply([close()], DURING);
    ledger.apply([result({ constructor: 0, dem: 0 }, 0, 0)], DURING + 1000);
  });
});

describe('the state transition around the rules', () => {
  it('one refused transaction refuses the block: the error names its index and hash, and nothing is written', () => {
    const ledger = withCredentials(1);
    const bad = ballot(2, ['green']);
    const error = expectRefused(ledger, [ballot(1, ['dem']), bad], DURING, 'TX_BALLOT_UNKNOWN_CANDIDATE', new RegExp(`^Transaction 1 \\(${transactionHash(bad).slice(0, 12)}…\\): `));
    expect(error.details).toMatchObject({ index: 1, hash: transactionHash(bad) });
    expect(status(ledger).ballots).toBe(0);
  });

  it('checkTransaction (the mempool) accepts what a block would, and refuses an unknown type', () => {
    const ledger = withCredentials(1);
    expect(ledger.check(ballot(1, ['dem']), DURING)).toMatchObject({ election: ID, choices: ['dem'] });
    expect(refusal(() => ledger.check(testTx(chainId, official, 'election.delete', { election: ID }), DURING)).code).toBe('TX_UNKNOWN_TYPE');
  });

  it('refusals are serialisable with their code, message and details (they cross IPC and the API)', () => {
    const error = refusal(() => withCredentials(1).apply([ballot(1, ['green'])], DURING));
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'TX_BALLOT_UNKNOWN_CANDIDATE', message: error.message, details: error.details });
  });

  it('the fixtures are what they claim: the two credential keys differ and are 2048 bits', () => {
    for (const key of [publicCredentialKey(OTHER_CREDENTIAL_KEY), definition.credentialKey]) expect(Buffer.from(key.n, 'base64url').length).toBe(256);
    expect(OTHER_CREDENTIAL_KEY.n).not.toBe(definition.credentialKey.n);
  });
});
