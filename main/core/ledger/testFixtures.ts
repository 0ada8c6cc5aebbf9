/**
 * Deterministic keys and a small signed chain for core tests and the protocol's test vectors.
 * Keys come from fixed seeds (SHA-256 of a label), so every value below is reproducible.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { GENESIS_FORMAT, createGenesisFromJSON, genesisHash, type Genesis } from '../genesis';
import { signBlock, type Block, type BlockHeader } from './block';
import { merkleRoot } from './merkle';
import { signTransaction, transactionHash, type Transaction } from './transaction';
import { createCertificate, signVote, type CommitCertificate } from './votes';

export interface TestKey {
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function seedFor(label: string): Buffer {
  return createHash('sha256').update(label).digest();
}

export function keyFromSeed(seed: Uint8Array): TestKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
  return { publicKey, privateKey };
}

export const testKey = (label: string): TestKey => keyFromSeed(seedFor(label));

export function testGenesis(options: { validators?: number; difficulty?: number } = {}): { genesis: Genesis; hash: string; validators: TestKey[]; proposer: TestKey; authority: TestKey } {
  const validators = Array.from({ length: options.validators ?? 4 }, (_, i) => testKey(`validator-${i}`));
  const proposer = testKey('proposer');
  const authority = testKey('authority');
  const genesis = createGenesisFromJSON({
    format: GENESIS_FORMAT,
    networkName: 'Test network',
    chainId: 'civichain-test',
    genesisTimeMs: 1_767_225_600_000,
    demo: false,
    authorities: [{ name: 'Authority', publicKey: authority.publicKey }],
    validators: validators.map((v, i) => ({ name: `Validator ${i}`, publicKey: v.publicKey })),
    quorum: Math.floor((2 * validators.length) / 3) + 1,
    proposers: [{ name: 'Proposer', publicKey: proposer.publicKey }],
    powDifficultyBits: options.difficulty ?? 0,
    roundTimeoutMs: 1000,
  });
  return { genesis, hash: genesisHash(genesis), validators, proposer, authority };
}

export function testNote(chainId: string, signer: TestKey, nonce: string, text = 'hello'): Transaction {
  return signTransaction({ type: 'note', chainId, signer: signer.publicKey, nonce, payload: { text } }, signer.privateKey);
}

export function testBlock(options: {
  chainId: string;
  height: number;
  previousHash: string;
  timeMs: number;
  proposer: TestKey;
  transactions: readonly Transaction[];
  difficulty?: number;
  round?: number;
}): Block {
  const header: BlockHeader = {
    chainId: options.chainId,
    height: options.height,
    previousHash: options.previousHash,
    timeMs: options.timeMs,
    txRoot: merkleRoot(options.transactions.map(transactionHash)),
    txCount: options.transactions.length,
    proposer: options.proposer.publicKey,
    round: options.round ?? 0,
    difficulty: options.difficulty ?? 0,
    nonce: 0,
  };
  return signBlock(header, options.transactions, options.proposer.privateKey);
}

export function testCertificate(chainId: string, height: number, round: number, blockHash: string, voters: readonly TestKey[]): CommitCertificate {
  return createCertificate(
    { chainId, height, round, blockHash },
    voters.map((v) => signVote('approval', { chainId, height, round, blockHash }, v.publicKey, v.privateKey)),
  );
}
