import { describe, expect, it } from 'vitest';
import { PublicKeyCache } from '../crypto/ed25519';
import { blockHash, checkBlockHeader, leadingZeroBits, searchProofOfWork, signBlock, transactionsRoot, type Block, type BlockContext } from './block';
import { merkleRoot } from './merkle';
import { transactionHash } from './transaction';
import { testBlock, testCertificate, testGenesis, testKey, testNote } from './testFixtures';
import { checkCommitCertificate, createCertificate, signVote } from './votes';

const { genesis, hash: genesisHashHex, validators, proposer } = testGenesis();
const keys = new PublicKeyCache();
const txs = [testNote(genesis.chainId, testKey('alice'), 'n1'), testNote(genesis.chainId, testKey('bob'), 'n2')];
const block = testBlock({ chainId: genesis.chainId, height: 1, previousHash: genesisHashHex, timeMs: genesis.genesisTimeMs + 1000, proposer, transactions: txs });
const context: BlockContext = {
  chainId: genesis.chainId,
  height: 1,
  previousHash: genesisHashHex,
  previousTimeMs: genesis.genesisTimeMs,
  difficulty: 0,
  proposers: new Set([proposer.publicKey]),
};
const validatorSet = new Set(validators.map((v) => v.publicKey));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('block checks: each failure has its own code', () => {
  it('accepts a valid block', () => {
    expect(checkBlockHeader(block, context, keys)).toBe(blockHash(block.header));
  });

  it('BLOCK_BAD_SIGNATURE', () => {
    const other = signBlock(block.header, block.transactions, testKey('mallory').privateKey);
    expect(code(() => checkBlockHeader({ ...block, signature: other.signature }, context, keys))).toBe('BLOCK_BAD_SIGNATURE');
  });

  it('BLOCK_WRONG_PREVIOUS', () => {
    const wrong = testBlock({ chainId: genesis.chainId, height: 1, previousHash: 'ab'.repeat(32), timeMs: block.header.timeMs, proposer, transactions: txs });
    expect(code(() => checkBlockHeader(wrong, context, keys))).toBe('BLOCK_WRONG_PREVIOUS');
  });

  it('BLOCK_WRONG_TX_ROOT', () => {
    const header = { ...block.header, txRoot: merkleRoot([]) };
    const signed = signBlock(header, block.transactions, proposer.privateKey);
    expect(code(() => checkBlockHeader(signed, context, keys))).toBe('BLOCK_WRONG_TX_ROOT');
    // Swapping the transactions under a valid header is caught the same way.
    const swapped: Block = { ...block, transactions: [txs[1]!, txs[0]!] };
    expect(code(() => checkBlockHeader(swapped, context, keys))).toBe('BLOCK_WRONG_TX_ROOT');
  });

  it('remembers the root of a frozen list of transactions made here, and still refuses a header that lies about it', () => {
    const frozen = Object.freeze([...txs]);
    expect(transactionsRoot(frozen)).toBe(merkleRoot(txs.map(transactionHash)));
    const honest = signBlock({ ...block.header, txRoot: transactionsRoot(frozen) }, frozen, proposer.privateKey);
    expect(honest.transactions).toBe(frozen); // kept as it is, so the check finds its root remembered
    expect(checkBlockHeader(honest, context, keys)).toBe(blockHash(honest.header));
    const lying = signBlock({ ...block.header, txRoot: merkleRoot([]) }, frozen, proposer.privateKey);
    expect(code(() => checkBlockHeader(lying, context, keys))).toBe('BLOCK_WRONG_TX_ROOT');
    // A list that is not frozen can change after it was rooted: never remembered, signBlock copies it.
    const open = [...txs];
    expect(transactionsRoot(open)).toBe(transactionsRoot(frozen));
    open.reverse();
    expect(transactionsRoot(open)).toBe(merkleRoot(open.map(transactionHash)));
    expect(transactionsRoot(open)).not.toBe(transactionsRoot(frozen));
    expect(signBlock(block.header, open, proposer.privateKey).transactions).not.toBe(open);
  });

  it('BLOCK_INSUFFICIENT_WORK', () => {
    const header = { ...block.header, difficulty: 12 };
    // Find a nonce that does NOT meet 12 bits (almost any), sign it, and claim difficulty 12.
    let nonce = 0;
    while (leadingZeroBits(blockHash({ ...header, nonce })) >= 12) nonce++;
    const signed = signBlock({ ...header, nonce }, block.transactions, proposer.privateKey);
    expect(code(() => checkBlockHeader(signed, { ...context, difficulty: 12 }, keys))).toBe('BLOCK_INSUFFICIENT_WORK');
    const solved = searchProofOfWork(header, 0, 1_000_000)!;
    expect(code(() => checkBlockHeader(signBlock(solved, block.transactions, proposer.privateKey), { ...context, difficulty: 12 }, keys))).toBeUndefined();
  });

  it('BLOCK_WRONG_DIFFICULTY, BLOCK_NOT_PROPOSER, BLOCK_WRONG_HEIGHT, BLOCK_WRONG_CHAIN, BLOCK_TIME_BACKWARDS', () => {
    expect(code(() => checkBlockHeader(block, { ...context, difficulty: 4 }, keys))).toBe('BLOCK_WRONG_DIFFICULTY');
    expect(code(() => checkBlockHeader(block, { ...context, proposers: new Set() }, keys))).toBe('BLOCK_NOT_PROPOSER');
    expect(code(() => checkBlockHeader(block, { ...context, height: 2 }, keys))).toBe('BLOCK_WRONG_HEIGHT');
    expect(code(() => checkBlockHeader(block, { ...context, chainId: 'other-chain' }, keys))).toBe('BLOCK_WRONG_CHAIN');
    expect(code(() => checkBlockHeader(block, { ...context, previousTimeMs: block.header.timeMs + 1 }, keys))).toBe('BLOCK_TIME_BACKWARDS');
  });
});

describe('commit certificate checks', () => {
  const hash = blockHash(block.header);
  const quorum = genesis.quorum;

  it('accepts a quorum of approvals', () => {
    expect(() => checkCommitCertificate(testCertificate(genesis.chainId, 1, 0, hash, validators.slice(0, quorum)), genesis.chainId, hash, validatorSet, quorum, keys)).not.toThrow();
  });

  it('CERT_BELOW_QUORUM', () => {
    const cert = testCertificate(genesis.chainId, 1, 0, hash, validators.slice(0, quorum - 1));
    expect(code(() => checkCommitCertificate(cert, genesis.chainId, hash, validatorSet, quorum, keys))).toBe('CERT_BELOW_QUORUM');
  });

  it('APPROVAL_NOT_VALIDATOR', () => {
    const cert = testCertificate(genesis.chainId, 1, 0, hash, [...validators.slice(0, quorum - 1), testKey('outsider')]);
    expect(code(() => checkCommitCertificate(cert, genesis.chainId, hash, validatorSet, quorum, keys))).toBe('APPROVAL_NOT_VALIDATOR');
  });

  it('CERT_DUPLICATE_VOTE: one validator counted twice does not make a quorum', () => {
    const v = validators[0]!;
    const vote = signVote('approval', { chainId: genesis.chainId, height: 1, round: 0, blockHash: hash }, v.publicKey, v.privateKey);
    const cert = createCertificate({ chainId: genesis.chainId, height: 1, round: 0, blockHash: hash }, [vote, vote, ...validators.slice(1, quorum - 1).map((x) => signVote('approval', { chainId: genesis.chainId, height: 1, round: 0, blockHash: hash }, x.publicKey, x.privateKey))]);
    expect(code(() => checkCommitCertificate(cert, genesis.chainId, hash, validatorSet, quorum, keys))).toBe('CERT_DUPLICATE_VOTE');
  });

  it('APPROVAL_BAD_SIGNATURE: a prepare is not an approval, and a vote for another round does not count', () => {
    const subject = { chainId: genesis.chainId, height: 1, round: 0, blockHash: hash };
    const prepares = validators.slice(0, quorum).map((v) => signVote('prepare', subject, v.publicKey, v.privateKey));
    const cert = createCertificate(subject, prepares);
    expect(code(() => checkCommitCertificate(cert, genesis.chainId, hash, validatorSet, quorum, keys))).toBe('APPROVAL_BAD_SIGNATURE');
    const otherRound = testCertificate(genesis.chainId, 1, 1, hash, validators.slice(0, quorum));
    expect(code(() => checkCommitCertificate({ ...otherRound, round: 0 }, genesis.chainId, hash, validatorSet, quorum, keys))).toBe('APPROVAL_BAD_SIGNATURE');
  });

  it('CERT_WRONG_BLOCK', () => {
    const cert = testCertificate(genesis.chainId, 1, 0, hash, validators.slice(0, quorum));
    expect(code(() => checkCommitCertificate(cert, genesis.chainId, 'cd'.repeat(32), validatorSet, quorum, keys))).toBe('CERT_WRONG_BLOCK');
  });
});

describe('merkle root (RFC 6962 §2.1)', () => {
  it('matches hand-computed trees', async () => {
    const { createHash } = await import('node:crypto');
    const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const leaves = ['aa', 'bb', 'cc'].map((c) => c.repeat(32));
    const leaf = (x: string) => h(Buffer.from([0]), Buffer.from(x, 'hex'));
    const node = (a: Buffer, b: Buffer) => h(Buffer.from([1]), a, b);
    expect(merkleRoot([])).toBe(createHash('sha256').digest('hex'));
    expect(merkleRoot(leaves.slice(0, 1))).toBe(leaf(leaves[0]!).toString('hex'));
    expect(merkleRoot(leaves)).toBe(node(node(leaf(leaves[0]!), leaf(leaves[1]!)), leaf(leaves[2]!)).toString('hex'));
  });
});
