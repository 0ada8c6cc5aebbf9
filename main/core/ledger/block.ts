/**
 * Blocks (docs/PROTOCOL.md "Blocks"). The header names the chain, height, previous block hash, time,
 * Merkle root and count of the transactions, proposer, the round it was first proposed in, the
 * proof-of-work difficulty and nonce. The block hash is SHA-256 of the canonical header; proof-of-work
 * means that hash has `difficulty` leading zero bits; the proposer signs the hash under "civichain/v1/block".
 */
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CivichainError } from '../errors';
import { canonicalBytes } from '../encoding/canonicalJson';
import { sha256Hex } from '../encoding/hash';
import { DOMAINS, HEX_32, HEX_64, signWithDomain, verifyWithDomain, type PublicKeyCache } from '../crypto/ed25519';
import { merkleRoot } from './merkle';
import { rememberedTransactionHash, transactionHash, transactionSchema, type Transaction } from './transaction';

export const MAX_BLOCK_TXS = 10_000;

export interface BlockHeader {
  readonly chainId: string;
  readonly height: number;
  readonly previousHash: string;
  readonly timeMs: number;
  readonly txRoot: string;
  readonly txCount: number;
  /** Ed25519 public key of the proposer, hex. */
  readonly proposer: string;
  readonly round: number;
  readonly difficulty: number;
  readonly nonce: number;
}

export interface Block {
  readonly header: BlockHeader;
  readonly signature: string;
  readonly transactions: readonly Transaction[];
}

const nat = z.number().int().nonnegative().refine(Number.isSafeInteger);

export const blockHeaderSchema = z
  .object({
    chainId: z.string().min(1).max(64),
    height: nat,
    previousHash: z.string().regex(HEX_32),
    timeMs: nat,
    txRoot: z.string().regex(HEX_32),
    txCount: nat,
    proposer: z.string().regex(HEX_32),
    round: nat,
    difficulty: z.number().int().min(0).max(256),
    nonce: nat,
  })
  .strict();

export const blockSchema = z
  .object({
    header: blockHeaderSchema,
    signature: z.string().regex(HEX_64),
    transactions: z.array(transactionSchema).max(MAX_BLOCK_TXS),
  })
  .strict();

export function blockHash(header: BlockHeader): string {
  return sha256Hex(canonicalBytes(header));
}

/** Leading zero bits of a hex hash. */
export function leadingZeroBits(hashHex: string): number {
  let bits = 0;
  for (const char of hashHex) {
    const nibble = Number.parseInt(char, 16);
    if (nibble === 0) {
      bits += 4;
      continue;
    }
    return bits + Math.clz32(nibble) - 28;
  }
  return bits;
}

export function meetsDifficulty(hashHex: string, difficulty: number): boolean {
  return leadingZeroBits(hashHex) >= difficulty;
}

/**
 * Searches nonces from `startNonce` for at most `maxAttempts`; returns the header that meets its
 * difficulty, or null. Pure and bounded, so a worker can run it in slices and report progress.
 */
export function searchProofOfWork(header: BlockHeader, startNonce: number, maxAttempts: number): BlockHeader | null {
  for (let nonce = startNonce; nonce < startNonce + maxAttempts; nonce++) {
    const candidate = { ...header, nonce };
    if (meetsDifficulty(blockHash(candidate), header.difficulty)) return candidate;
  }
  return null;
}

/** Roots of frozen lists of transactions made here (see transactionsRoot). */
const knownRoots = new WeakMap<readonly Transaction[], string>();

/**
 * The Merkle root of a block's transactions (merkle.ts). A frozen list of transactions made here (each
 * frozen to its last value, its hash remembered) cannot change, so its root is remembered: a proposal this
 * node builds is rooted once, not again when its validators check it.
 */
export function transactionsRoot(transactions: readonly Transaction[]): string {
  const known = knownRoots.get(transactions);
  if (known !== undefined) return known;
  const root = merkleRoot(transactions.map(transactionHash));
  if (Object.isFrozen(transactions) && transactions.every((tx) => rememberedTransactionHash(tx) !== undefined)) knownRoots.set(transactions, root);
  return root;
}

/** Signs a block; a frozen list of transactions is kept as it is (with its remembered root), others copied. */
export function signBlock(header: BlockHeader, transactions: readonly Transaction[], privateKey: KeyObject): Block {
  const signature = signWithDomain(DOMAINS.block, Buffer.from(blockHash(header), 'hex'), privateKey);
  const list = Object.isFrozen(transactions) ? transactions : Object.freeze([...transactions]);
  return Object.freeze({ header: Object.freeze({ ...header }), signature, transactions: list });
}

/** Parses an untrusted block; BLOCK_MALFORMED names the field. */
export function createBlockFromJSON(json: unknown): Block {
  const parsed = blockSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(block)';
    throw new CivichainError('BLOCK_MALFORMED', `The block is malformed: ${field}: ${issue?.message ?? 'invalid'}.`, { field });
  }
  return parsed.data;
}

export interface BlockContext {
  readonly chainId: string;
  readonly height: number;
  readonly previousHash: string;
  readonly previousTimeMs: number;
  readonly difficulty: number;
  /** Public keys allowed to propose at this height. */
  readonly proposers: ReadonlySet<string>;
}

/**
 * Checks a block's own consistency against its parent: everything except its transactions' validity
 * against state (the state transition does that). Each failure has its own code. Returns the block hash.
 */
export function checkBlockHeader(block: Block, context: BlockContext, keys: PublicKeyCache, txHashes?: readonly string[]): string {
  const { header } = block;
  const fail = (code: string, message: string, details: Record<string, unknown> = {}): never => {
    throw new CivichainError(code, message, { height: header.height, ...details });
  };
  if (header.chainId !== context.chainId) fail('BLOCK_WRONG_CHAIN', `The block is for chain "${header.chainId}", not "${context.chainId}".`);
  if (header.height !== context.height) fail('BLOCK_WRONG_HEIGHT', `Expected a block at height ${context.height}, got ${header.height}.`);
  // The hash link: a block builds on exactly the block before it.
  if (header.previousHash !== context.previousHash) {
    fail('BLOCK_WRONG_PREVIOUS', `The block's previous hash ${header.previousHash.slice(0, 12)}… is not the hash of block ${context.height - 1}.`, {
      expected: context.previousHash,
      got: header.previousHash,
    });
  }
  // Time moves forward, so that election open/close rules are monotonic.
  if (header.timeMs < context.previousTimeMs) fail('BLOCK_TIME_BACKWARDS', 'The block is older than its parent.');
  if (!context.proposers.has(header.proposer)) fail('BLOCK_NOT_PROPOSER', 'The block was signed by a key that may not propose.', { proposer: header.proposer });
  if (header.difficulty !== context.difficulty) {
    fail('BLOCK_WRONG_DIFFICULTY', `The block claims difficulty ${header.difficulty}; the network requires ${context.difficulty}.`);
  }
  // An election record carries only the hashes of blocks without election transactions (txHashes).
  if (header.txCount !== (txHashes ?? block.transactions).length) fail('BLOCK_WRONG_TX_COUNT', 'The header counts a different number of transactions.');
  if ((txHashes ? merkleRoot(txHashes) : transactionsRoot(block.transactions)) !== header.txRoot) fail('BLOCK_WRONG_TX_ROOT', "The block's Merkle root does not match its transactions.");
  const hash = blockHash(header);
  if (!meetsDifficulty(hash, header.difficulty)) {
    fail('BLOCK_INSUFFICIENT_WORK', `The block hash has ${leadingZeroBits(hash)} leading zero bits; ${header.difficulty} are required.`);
  }
  if (!verifyWithDomain(DOMAINS.block, Buffer.from(hash, 'hex'), block.signature, header.proposer, keys)) {
    fail('BLOCK_BAD_SIGNATURE', "The proposer's signature on the block does not verify.");
  }
  return hash;
}
