/**
 * ChainAuditor, the engine of `civichain verify`: a small valid chain with one election is recounted; then
 * each way of tampering with it (an altered ballot, a removed block, an extra ballot), with and without the
 * help of a proposer or a quorum of validators, is refused with a code and a message naming the block.
 */
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import { genesisHash } from '../genesis';
import { blockHash, signBlock, type Block } from '../ledger/block';
import { testBlock, testCertificate, testGenesis, testKey, testNote, type TestKey } from '../ledger/testFixtures';
import { signTransaction, transactionHash, type Transaction } from '../ledger/transaction';
import { ChainAuditor, type AuditBlock, type AuditReport } from './audit';
import { rollTree } from './roll';
import { HOUR_MS, TestCredentialIssuer, ballotTx, credentialTx, testElectionDefinition, testRoll, testTx } from './testElection';

const { genesis, validators, proposer, authority } = testGenesis();
const chainId = genesis.chainId;
const T0 = genesis.genesisTimeMs;
const DURING = T0 + HOUR_MS + 60_000;

const official = testKey('official-1');
const issuer = new TestCredentialIssuer();
const ID = 'city-2026';
const roll = testRoll(8);
const tree = rollTree(ID, roll);
const definition = testElectionDefinition({ genesis, id: ID, roll: tree, officials: [official] });

const ballot = (n: number, choices: string[]): Transaction => ballotTx({ chainId, electionId: ID, ballotKey: testKey(`ballot-${n}`), choices, issuer });
const credential = (index: number): Transaction => credentialTx(chainId, official, ID, roll, tree, index);

interface PlannedBlock {
  readonly txs: readonly Transaction[];
  readonly timeMs: number;
}

/** The election from creation to published result, one step per block. */
const PLAN: readonly PlannedBlock[] = [
  { txs: [testTx(chainId, authority, 'election.create', definition)], timeMs: T0 + 1000 },
  { txs: [credential(0), credential(1), credential(2)], timeMs: DURING },
  { txs: [ballot(1, ['dem']), ballot(2, ['soc']), ballot(3, ['dem'])], timeMs: DURING + 1000 },
  { txs: [testNote(chainId, testKey('alice'), 'n1')], timeMs: DURING + 2000 },
  { txs: [testTx(chainId, official, 'election.close', { election: ID })], timeMs: DURING + 3000 },
  { txs: [testTx(chainId, official, 'election.result', { election: ID, tally: { dem: 2, rep: 0, soc: 1 }, ballots: 3, credentials: 3 })], timeMs: DURING + 4000 },
];

/** Proposes and certifies the planned blocks in order, as an honest network (or a colluding quorum) would. */
function buildChain(plan: readonly PlannedBlock[], signers: readonly TestKey[] = validators.slice(0, genesis.quorum)): AuditBlock[] {
  let previousHash = genesisHash(genesis);
  return plan.map(({ txs, timeMs }, i) => {
    const block = testBlock({ chainId, height: i + 1, previousHash, timeMs, proposer, transactions: txs });
    previousHash = blockHash(block.header);
    return { block, certificate: testCertificate(chainId, i + 1, 0, previousHash, signers) };
  });
}

const CHAIN = buildChain(PLAN);

function audit(chain: readonly AuditBlock[]): AuditReport {
  const auditor = new ChainAuditor(genesis);
  for (const entry of chain) auditor.add(entry);
  return auditor.report();
}

/** The CivichainError the audit of `chain` stops with. */
function failure(chain: readonly AuditBlock[]): CivichainError {
  try {
    audit(chain);
  } catch (error) {
    if (error instanceof CivichainError) return error;
    throw error;
  }
  return expect.unreachable('the audit passed');
}

function expectFailure(chain: readonly AuditBlock[], code: string, height: number, message?: RegExp): CivichainError {
  const error = failure(chain);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(new RegExp(`^Block ${height}: `));
  expect(error.details['height']).toBe(height);
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** The chain with block `height` replaced. */
const replaced = (chain: readonly AuditBlock[], height: number, entry: AuditBlock): AuditBlock[] => chain.map((e, i) => (i === height - 1 ? entry : e));

/** The planned chain with block `height`'s transactions changed, proposed and certified again by a colluding quorum. */
function rewritten(height: number, txs: (txs: readonly Transaction[]) => readonly Transaction[]): AuditBlock[] {
  return buildChain(PLAN.map((b, i) => (i === height - 1 ? { ...b, txs: txs(b.txs) } : b)));
}

/** A ballot with its choices changed and its signature left as it was. */
function altered(tx: Transaction, choices: string[]): Transaction {
  return { ...tx, payload: { ...tx.payload, choices } };
}

describe('a valid chain', () => {
  it('is recounted: the report gives the height, the transactions, and each election with its votes', () => {
    expect(audit(CHAIN)).toEqual({
      height: 6,
      blocks: 6,
      transactions: 10,
      ballots: 3,
      elections: [
        {
          id: ID,
          title: definition.title,
          candidates: [
            { id: 'dem', name: 'Democratic Party', votes: 2 },
            { id: 'rep', name: 'Republican Party', votes: 0 },
            { id: 'soc', name: 'Socialist party', votes: 1 },
          ],
          ballots: 3,
          credentials: 3,
          rollSize: 8,
          published: true,
        },
      ],
      programmes: [],
    });
  });

  it('a prefix is a valid chain too: before the result the election is not published, before the ballots it has none', () => {
    expect(audit(CHAIN.slice(0, 5)).elections[0]).toMatchObject({ published: false, ballots: 3 });
    expect(audit(CHAIN.slice(0, 2)).elections[0]).toMatchObject({ ballots: 0, credentials: 3, candidates: [{ votes: 0 }, { votes: 0 }, { votes: 0 }] });
    expect(audit([])).toEqual({ height: 0, blocks: 0, transactions: 0, ballots: 0, elections: [], programmes: [] });
  });

  it('as an election record: blocks without election transactions given by their hashes only', () => {
    const note = CHAIN[3] as AuditBlock;
    const record = replaced(CHAIN, 4, { block: { ...note.block, transactions: [] }, certificate: note.certificate, txHashes: note.block.transactions.map(transactionHash) });
    expect(audit(record)).toEqual(audit(CHAIN));
  });

  it('with signatures checked elsewhere (worker threads), the same report', () => {
    const auditor = new ChainAuditor(genesis);
    for (const entry of CHAIN) auditor.add(entry, { signaturesChecked: true });
    expect(auditor.report()).toEqual(audit(CHAIN));
  });
});

describe('an altered ballot', () => {
  it('in the block as certified: BLOCK_WRONG_TX_ROOT at that block', () => {
    const entry = CHAIN[2] as AuditBlock;
    const txs = entry.block.transactions.map((tx, i) => (i === 1 ? altered(tx, ['rep']) : tx));
    expectFailure(replaced(CHAIN, 3, { ...entry, block: { ...entry.block, transactions: txs } }), 'BLOCK_WRONG_TX_ROOT', 3, /Merkle root does not match its transactions/);
  });

  it('re-signed by its voter and re-proposed, under the old certificate: CERT_WRONG_BLOCK', () => {
    const entry = CHAIN[2] as AuditBlock;
    const voter = testKey('ballot-2');
    const txs = entry.block.transactions.map((tx, i) => (i === 1 ? signTransaction(altered(tx, ['rep']), voter.privateKey) : tx));
    const block = testBlock({ chainId, height: 3, previousHash: entry.block.header.previousHash, timeMs: entry.block.header.timeMs, proposer, transactions: txs });
    expectFailure(replaced(CHAIN, 3, { block, certificate: entry.certificate }), 'CERT_WRONG_BLOCK', 3, /certificate for height 3 is for another block/);
  });

  it('with the whole chain re-proposed and re-certified by a colluding quorum: TX_BAD_SIGNATURE, the voter did not sign it', () => {
    const chain = rewritten(3, (txs) => txs.map((tx, i) => (i === 1 ? altered(tx, ['rep']) : tx)));
    expectFailure(chain, 'TX_BAD_SIGNATURE', 3, /transaction 1: The transaction signature does not verify/);
  });

  it('the next block no longer links to a re-proposed block: BLOCK_WRONG_PREVIOUS at the next block', () => {
    const rebuilt = rewritten(3, (txs) => txs.slice(0, 2));
    // Only block 3 is taken from the rewritten chain; block 4 still names the original block 3.
    expectFailure(replaced(CHAIN, 3, rebuilt[2] as AuditBlock), 'BLOCK_WRONG_PREVIOUS', 4, /is not the hash of block 3/);
  });
});

describe('a removed block', () => {
  it('a gap in the heights: AUDIT_MISSING_BLOCK naming the missing block', () => {
    expectFailure([...CHAIN.slice(0, 2), ...CHAIN.slice(3)], 'AUDIT_MISSING_BLOCK', 3, /expected block 3, found block 4: a block is missing or out of order/);
    expectFailure(CHAIN.slice(1), 'AUDIT_MISSING_BLOCK', 1, /expected block 1, found block 2/);
  });

  it('blocks out of order', () => {
    expectFailure([CHAIN[0], CHAIN[2], CHAIN[1]] as AuditBlock[], 'AUDIT_MISSING_BLOCK', 2, /found block 3/);
  });

  it('a ballot removed from its block and the chain rebuilt by a colluding quorum: the published result no longer matches', () => {
    const chain = rewritten(3, (txs) => txs.slice(1));
    expectFailure(chain, 'TX_ELECTION_RESULT_MISMATCH', 6, /Democratic Party 1 here, 2 published; ballots 2 here, 3 published/);
  });

  it('the ballots block dropped and the later blocks renumbered by a colluding quorum: the result does not match', () => {
    const chain = buildChain([...PLAN.slice(0, 2), ...PLAN.slice(3)]);
    expectFailure(chain, 'TX_ELECTION_RESULT_MISMATCH', 5, /ballots 0 here, 3 published/);
  });

  it('the ballots of a block hidden behind their hashes, as if it held no election transactions: the result does not match', () => {
    const entry = CHAIN[2] as AuditBlock;
    const record = replaced(CHAIN, 3, { block: { ...entry.block, transactions: [] }, certificate: entry.certificate, txHashes: entry.block.transactions.map(transactionHash) });
    expectFailure(record, 'TX_ELECTION_RESULT_MISMATCH', 6, /ballots 0 here, 3 published/);
  });
});

describe('an extra ballot', () => {
  const extra = (): Transaction => ballot(4, ['rep']);

  it('added to a certified block: BLOCK_WRONG_TX_COUNT at that block', () => {
    const entry = CHAIN[2] as AuditBlock;
    expectFailure(replaced(CHAIN, 3, { ...entry, block: { ...entry.block, transactions: [...entry.block.transactions, extra()] } }), 'BLOCK_WRONG_TX_COUNT', 3);
  });

  it('swapped in for another ballot of a certified block: BLOCK_WRONG_TX_ROOT', () => {
    const entry = CHAIN[2] as AuditBlock;
    const txs = [...entry.block.transactions.slice(0, 2), extra()];
    expectFailure(replaced(CHAIN, 3, { ...entry, block: { ...entry.block, transactions: txs } }), 'BLOCK_WRONG_TX_ROOT', 3);
  });

  it('in a whole block inserted into the chain: the heights no longer follow', () => {
    const inserted = testBlock({ chainId, height: 3, previousHash: blockHash((CHAIN[1] as AuditBlock).block.header), timeMs: DURING + 500, proposer, transactions: [extra()] });
    const hash = blockHash(inserted.header);
    const entry = { block: inserted, certificate: testCertificate(chainId, 3, 0, hash, validators.slice(0, genesis.quorum)) };
    expectFailure([...CHAIN.slice(0, 2), entry, ...CHAIN.slice(2)], 'AUDIT_MISSING_BLOCK', 4, /expected block 4, found block 3/);
  });

  it('in a block re-proposed and re-certified by a colluding quorum: beyond the credentials issued', () => {
    expectFailure(rewritten(3, (txs) => [...txs, extra()]), 'TX_BALLOT_NO_CREDENTIAL_LEFT', 3, /Transaction 3 \([0-9a-f]{12}…\): Every credential issued/);
  });

  it('a ballot cast twice, re-certified by a colluding quorum: TX_DUPLICATE', () => {
    expectFailure(rewritten(3, (txs) => [...txs, txs[0] as Transaction]), 'TX_DUPLICATE', 3);
  });

  it('with its own forged credential, re-certified by a colluding quorum: TX_BALLOT_BAD_CREDENTIAL', () => {
    const forged = testTx(chainId, testKey('ballot-9'), 'election.ballot', { election: ID, choices: ['rep'], credential: Buffer.alloc(256, 9).toString('base64url') });
    // With a fourth credential issued, so that the forged credential is what fails.
    expectFailure(rewritten(3, (txs) => [credential(3), ...txs, forged]), 'TX_BALLOT_BAD_CREDENTIAL', 3);
  });

  it('hidden in an election record: transactions given beside the hashes of other transactions are refused', () => {
    // Block 4 holds one note; the record gives its hash (so the Merkle root checks) and, beside it, a
    // check-in and a ballot the block never held.
    const entry = CHAIN[3] as AuditBlock;
    const smuggled: AuditBlock = {
      block: { ...entry.block, transactions: [credential(3), extra()] },
      certificate: entry.certificate,
      txHashes: entry.block.transactions.map(transactionHash),
    };
    expectFailure([...CHAIN.slice(0, 3), smuggled], 'AUDIT_TX_MISMATCH', 4, /transactions given do not match/);
  });
});

describe('blocks and certificates', () => {
  it('a certificate below the quorum, or signed by non-validators: CERT_BELOW_QUORUM, APPROVAL_NOT_VALIDATOR', () => {
    const entry = CHAIN[1] as AuditBlock;
    const hash = blockHash(entry.block.header);
    const short = { ...entry, certificate: testCertificate(chainId, 2, 0, hash, validators.slice(0, genesis.quorum - 1)) };
    expectFailure(replaced(CHAIN, 2, short), 'CERT_BELOW_QUORUM', 2, /has 2 votes; the quorum is 3/);
    const outsiders = { ...entry, certificate: testCertificate(chainId, 2, 0, hash, [testKey('mallory'), ...validators.slice(0, genesis.quorum)]) };
    expectFailure(replaced(CHAIN, 2, outsiders), 'APPROVAL_NOT_VALIDATOR', 2);
  });

  it('a block signed by a key that may not propose: BLOCK_NOT_PROPOSER', () => {
    const entry = CHAIN[0] as AuditBlock;
    const mallory = testKey('mallory');
    const header = { ...entry.block.header, proposer: mallory.publicKey };
    const block: Block = signBlock(header, entry.block.transactions, mallory.privateKey);
    const certificate = testCertificate(chainId, 1, 0, blockHash(header), validators.slice(0, genesis.quorum));
    expectFailure(replaced(CHAIN, 1, { block, certificate }), 'BLOCK_NOT_PROPOSER', 1);
  });

  it('a late ballot back-dated into the voting window, after the close: BLOCK_TIME_BACKWARDS', () => {
    // Block 6 would carry a ballot stamped before the close of block 5, so that the rules see an open election.
    const late = buildChain([...PLAN.slice(0, 5), { txs: [ballot(4, ['rep'])], timeMs: DURING + 2500 }]);
    expectFailure(late, 'BLOCK_TIME_BACKWARDS', 6, /older than its parent/);
  });

  it('a chain of another genesis: BLOCK_WRONG_PREVIOUS at block 1', () => {
    const other = new ChainAuditor({ ...genesis, networkName: 'Another network' });
    const error = (() => {
      try {
        other.add(CHAIN[0] as AuditBlock);
      } catch (e) {
        return e as CivichainError;
      }
      return expect.unreachable('accepted');
    })();
    expect(error.code).toBe('BLOCK_WRONG_PREVIOUS');
    expect(error.message).toMatch(/^Block 1: /);
  });

  it('a refused block leaves the auditor where it was: the report still covers the blocks before it', () => {
    const auditor = new ChainAuditor(genesis);
    auditor.add(CHAIN[0] as AuditBlock);
    auditor.add(CHAIN[1] as AuditBlock);
    expect(() => auditor.add(CHAIN[3] as AuditBlock)).toThrow(/^Block 3: /);
    expect(auditor.report()).toMatchObject({ height: 2, transactions: 4, ballots: 0 });
    auditor.add(CHAIN[2] as AuditBlock);
    expect(auditor.report()).toMatchObject({ height: 3, ballots: 3 });
  });
});
