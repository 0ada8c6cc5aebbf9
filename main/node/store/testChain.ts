/**
 * A small real chain for tests and measurements: a genesis with four validators on deterministic keys,
 * and blocks of signed transactions that carry valid proposer signatures and commit certificates, built
 * on whatever a ConsensusStore holds and committed through it (as the consensus engine would).
 * Test support only: the keys are public knowledge.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { createGenesisFromJSON, defaultQuorum, genesisHash as hashOfGenesis, GENESIS_FORMAT, type Genesis } from '../../core/genesis';
import { blockHash, signBlock, type Block } from '../../core/ledger/block';
import { proposerFor } from '../../core/ledger/consensusMessages';
import { merkleRoot } from '../../core/ledger/merkle';
import { signTransaction, transactionHash, type Transaction } from '../../core/ledger/transaction';
import { createCertificate, signVote, type CommitCertificate } from '../../core/ledger/votes';
import { createDefaultRegistry, type RuleRegistry } from '../../core/rules/index';
import { currentValidatorSet } from '../../core/rules/validatorSet';
import { applyTransactions, type StateChanges } from '../../core/stateTransition';
import type { ConsensusStore } from '../consensus/types';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../keystore/keystore';

export const TEST_CHAIN_ID = 'civichain-test';
export const TEST_GENESIS_TIME_MS = 1_700_000_000_000;
/** Time between two test blocks. */
export const TEST_BLOCK_INTERVAL_MS = 1_000;

export interface TestKey {
  readonly name: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

export interface TestNetwork {
  readonly genesis: Genesis;
  readonly genesisHash: string;
  readonly authority: TestKey;
  /** The four validators of the genesis, who also propose. */
  readonly validators: readonly TestKey[];
  /** A fifth key: not a validator until a `validator-set` transaction adds it. */
  readonly spare: TestKey;
  /** A key that signs notes. */
  readonly user: TestKey;
  readonly registry: RuleRegistry;
  /** Every key above by its public key. */
  readonly keys: ReadonlyMap<string, TestKey>;
}

export interface CommittedTestBlock {
  readonly block: Block;
  readonly hash: string;
  readonly certificate: CommitCertificate;
  readonly changes: StateChanges;
}

function testKey(name: string, networkName: string): TestKey {
  const privateKey = ed25519PrivateKeyFromSeed(createHash('sha256').update(`civichain-test/${networkName}/${name}`).digest());
  return { name, publicKey: ed25519PublicKeyHex(privateKey), privateKey };
}

/** A network on deterministic keys; another `networkName` gives other keys and another genesis. */
export function createTestNetwork(networkName = 'Store tests'): TestNetwork {
  const authority = testKey('authority', networkName);
  const validators = ['V1', 'V2', 'V3', 'V4'].map((name) => testKey(name, networkName));
  const spare = testKey('V5', networkName);
  const user = testKey('user', networkName);
  const member = (k: TestKey) => ({ name: k.name, publicKey: k.publicKey });
  const genesis = createGenesisFromJSON({
    format: GENESIS_FORMAT,
    networkName,
    chainId: TEST_CHAIN_ID,
    genesisTimeMs: TEST_GENESIS_TIME_MS,
    demo: false,
    authorities: [member(authority)],
    validators: validators.map(member),
    quorum: defaultQuorum(validators.length),
    proposers: validators.map(member),
    powDifficultyBits: 0,
    roundTimeoutMs: 1_000,
  });
  const keys = new Map([authority, ...validators, spare, user].map((k) => [k.publicKey, k]));
  return { genesis, genesisHash: hashOfGenesis(genesis), authority, validators, spare, user, registry: createDefaultRegistry(), keys };
}

export function noteTransaction(network: TestNetwork, text: string, nonce: string, signer: TestKey = network.user): Transaction {
  return signTransaction({ type: 'note', chainId: network.genesis.chainId, signer: signer.publicKey, nonce, payload: { text } }, signer.privateKey);
}

/** The authority adds `member` to the validator set (in force from the next height). */
export function addValidatorTransaction(network: TestNetwork, member: TestKey, nonce: string): Transaction {
  return signTransaction(
    {
      type: 'validator-set',
      chainId: network.genesis.chainId,
      signer: network.authority.publicKey,
      nonce,
      payload: { add: [{ name: member.name, publicKey: member.publicKey }] },
    },
    network.authority.privateKey,
  );
}

/**
 * The next block on top of `store`'s head with `transactions`: applied to the store's state, signed by
 * the proposer of (height, round) at difficulty 0, and certified by the newest quorum of the validator set
 * in force. Not committed.
 */
export function buildTestBlock(store: ConsensusStore, network: TestNetwork, transactions: readonly Transaction[], round = 0): CommittedTestBlock {
  const { genesis } = network;
  const parent = store.head();
  const height = parent.height + 1;
  const timeMs = parent.timeMs + TEST_BLOCK_INTERVAL_MS;
  const changes = applyTransactions(transactions, { genesis, height, blockTimeMs: timeMs, state: store.state() }, network.registry);
  const proposer = keyOf(network, proposerFor(genesis.proposers.map((p) => p.publicKey), height, round));
  const header = {
    chainId: genesis.chainId,
    height,
    previousHash: parent.hash,
    timeMs,
    txRoot: merkleRoot(transactions.map(transactionHash)),
    txCount: transactions.length,
    proposer: proposer.publicKey,
    round,
    difficulty: 0,
    nonce: 0,
  };
  const block = signBlock(header, transactions, proposer.privateKey);
  const hash = blockHash(header);
  const set = currentValidatorSet(store.state(), genesis);
  const subject = { chainId: genesis.chainId, height, round, blockHash: hash };
  const approvals = set.validators
    .slice(-set.quorum)
    .map((v) => signVote('approval', subject, v.publicKey, keyOf(network, v.publicKey).privateKey));
  const certificate = createCertificate(subject, approvals);
  return { block, hash, certificate, changes };
}

/**
 * Commits `count` blocks of `txsPerBlock` signed notes each (default 2); `extra(height)` may add
 * transactions to a block (after the notes). Returns what was committed.
 */
export function commitTestBlocks(
  store: ConsensusStore,
  network: TestNetwork,
  count: number,
  options: { readonly txsPerBlock?: number; readonly extra?: (height: number) => readonly Transaction[] } = {},
): CommittedTestBlock[] {
  const committed: CommittedTestBlock[] = [];
  for (let i = 0; i < count; i++) {
    const height = store.head().height + 1;
    const notes = Array.from({ length: options.txsPerBlock ?? 2 }, (_, n) => noteTransaction(network, `note ${n} of block ${height}`, `b${height}-${n}`));
    const next = buildTestBlock(store, network, [...notes, ...(options.extra?.(height) ?? [])]);
    store.commitBlock(next.block, next.hash, next.certificate, next.changes);
    committed.push(next);
  }
  return committed;
}

function keyOf(network: TestNetwork, publicKey: string): TestKey {
  const key = network.keys.get(publicKey);
  if (!key) throw new RangeError(`The test network holds no private key for ${publicKey.slice(0, 12)}….`);
  return key;
}
