/**
 * The start-up check of the stored chain (DESIGN.md §7: the node refuses to run on a tampered store).
 * It walks every block once, in height order, streaming three cursors side by side (blocks, their
 * transactions, their state changes) so that memory stays flat however long the chain is, and checks:
 *
 *   - heights are contiguous from 1 and the stored hash is the hash of the stored header;
 *   - the header belongs to this chain, at this height, and links to the block before (block 1 to the genesis);
 *   - each transaction's hash is the hash of its stored body, and the Merkle root and count of the block's
 *     transactions (by index) are the header's;
 *   - the certificate is for this block and height, from distinct validators of the set in force at this
 *     height (replayed from the change history), reaching its quorum; the signatures of the certificate and
 *     the proposer are verified for the newest RECENT_SIGNATURE_BLOCKS blocks, or for all with
 *     `verifySignatures: 'all'` (which also verifies every transaction signature);
 *   - the running digest recomputed from the history equals the stored one (encoding.ts runningDigest);
 *   - the recorded head is the last block, and nothing is stored for heights without a block;
 * and finally that the current state table equals the state rebuilt from the change history.
 * The first failure throws STORE_TAMPERED naming the height (or the state key), what is wrong and what to do.
 *
 * Why verifying only the newest certificates is enough for the blocks' content: every header, transaction
 * hash and body of every block is checked against the hash chain, and the newest certificates sign the head
 * of that chain, so no block or transaction can be changed without breaking a link or a verified signature.
 * What no hash covers (the signatures themselves, and the state changes, which derive from the
 * transactions) is covered by the running digest against changed rows; a deliberate rewrite of those that
 * also recomputes every digest is found only by `verifySignatures: 'all'` and by replaying the transactions.
 * Verifying every signature costs ~7,000 signatures/s on one core: minutes on a long chain, hence not default.
 */
import { basename, dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { CivichainError, isCivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import { DOMAINS, verifyWithDomain, type PublicKeyCache } from '../../core/crypto/ed25519';
import type { BlockHeader } from '../../core/ledger/block';
import { checkCommitCertificate, type CommitCertificate } from '../../core/ledger/votes';
import { currentValidatorSet } from '../../core/rules/validatorSet';
import type { StateReader } from '../../core/rules/types';
import { runningDigest } from './encoding';
import { sha256Hex } from '../../core/encoding/hash';
import { merkleRoot } from '../../core/ledger/merkle';
import { HEAD_META_KEY } from './ledgerStore';

/** How many of the newest blocks have their signatures re-verified at every start. */
export const RECENT_SIGNATURE_BLOCKS = 256;

/**
 * State keys the check replays to know the validator set in force at each height. The validator-set rule
 * reads only `consensus/validators`; a rule reading anything else fails loudly here rather than silently.
 */
const REPLAYED_PREFIX = 'consensus/';

export type SignatureCheck = 'recent' | 'all';

export interface ChainCheckOptions {
  readonly path: string;
  readonly genesis: Genesis;
  readonly genesisHash: string;
  readonly keys: PublicKeyCache;
  readonly verifySignatures: SignatureCheck;
}

export interface ChainCheckResult {
  readonly blocks: number;
  readonly transactions: number;
  readonly stateKeys: number;
  /** Blocks whose certificate and proposer signatures were verified. */
  readonly signaturesVerifiedFrom: number;
}

type BlockRow = [height: number, hash: string, header: string, signature: string, certificate: string, digest: string];
/** signer: only when transaction signatures are verified. */
type TxRow = [height: number, index: number, hash: string, body: string, signature: string, signer: string | null];
type ChangeRow = [height: number, key: string, value: string | null];

function tamperedError(path: string, height: number | null, check: string, what: string, extra: Record<string, unknown> = {}): CivichainError {
  const dir = dirname(path);
  return new CivichainError(
    'STORE_TAMPERED',
    `The ledger store ${path} has been changed outside Civichain: ${what}. The node will not run on it. ` +
      `Stop the node, move ${basename(path)} aside and rebuild it from peers with ` +
      `\`civichain repair --data ${dir} --from-peer URL\`, or restore it from a backup.`,
    { height, check, path, ...extra },
  );
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function isHeader(value: unknown): value is BlockHeader {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  return (
    typeof h.chainId === 'string' &&
    typeof h.height === 'number' &&
    typeof h.previousHash === 'string' &&
    typeof h.timeMs === 'number' &&
    typeof h.txRoot === 'string' &&
    typeof h.txCount === 'number' &&
    typeof h.proposer === 'string' &&
    typeof h.round === 'number'
  );
}

function isCertificate(value: unknown): value is CommitCertificate {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.height === 'number' &&
    typeof c.round === 'number' &&
    typeof c.blockHash === 'string' &&
    Array.isArray(c.approvals) &&
    c.approvals.every(
      (a: unknown) =>
        typeof a === 'object' &&
        a !== null &&
        typeof (a as Record<string, unknown>).validator === 'string' &&
        typeof (a as Record<string, unknown>).signature === 'string',
    )
  );
}

export function checkStoredChain(db: Database.Database, options: ChainCheckOptions): ChainCheckResult {
  const { genesis, genesisHash, keys, path } = options;
  const tampered = (height: number | null, check: string, what: string, extra: Record<string, unknown> = {}): never => {
    throw tamperedError(path, height, check, what, extra);
  };

  const lastHeight = db.prepare<[], number | null>('SELECT MAX(height) FROM blocks').pluck().get() ?? 0;
  const verifyFrom = options.verifySignatures === 'all' ? 1 : Math.max(1, lastHeight - RECENT_SIGNATURE_BLOCKS + 1);
  const verifyTransactions = options.verifySignatures === 'all';

  // Three cursors, each in height order, read side by side (better-sqlite3 allows several open read cursors).
  const blocks = db.prepare<[], BlockRow>('SELECT height, hash, header, signature, certificate, digest FROM blocks ORDER BY height').raw().iterate();
  const txs = db
    .prepare<[], TxRow>(
      `SELECT height, tx_index, hash, body, signature, ${verifyTransactions ? 'signer' : 'NULL'} FROM transactions ORDER BY height, tx_index`,
    )
    .raw()
    .iterate();
  const changes = db.prepare<[], ChangeRow>('SELECT height, key, value FROM state_changes ORDER BY height, key').raw().iterate();

  // The keys of the replayed state that decide the validator set, and the set they give.
  const replayed = new Map<string, string>();
  const replayReader: StateReader = {
    get(key) {
      if (!key.startsWith(REPLAYED_PREFIX)) {
        throw new CivichainError('STORE_INTERNAL', `The start-up check does not replay state key "${key}".`, { key });
      }
      return replayed.get(key) ?? null;
    },
    hasTransaction() {
      throw new CivichainError('STORE_INTERNAL', 'The start-up check does not replay transactions.');
    },
  };
  let validatorSet: { keys: ReadonlySet<string>; quorum: number } | null = null;
  const setInForce = () => {
    if (!validatorSet) {
      const set = currentValidatorSet(replayReader, genesis);
      validatorSet = { keys: new Set(set.validators.map((v) => v.publicKey)), quorum: set.quorum };
    }
    return validatorSet;
  };

  let transactionCount = 0;
  let expected = 1;
  let previousHash = genesisHash;
  let previousDigest = genesisHash;
  let tx = txs.next();
  let change = changes.next();
  try {
    for (const [height, hash, headerText, signature, certificateText, digest] of blocks) {
      const at = `block ${height}`;
      if (height !== expected) tampered(expected, 'missing-block', `block ${expected} is missing (the next stored block is ${height})`);

      // The header and its hash: the hash is what the certificate and the next block commit to.
      // The header text is canonical JSON: its SHA-256 is the block hash. (A re-encoded header would hash to
      // a value no certificate signs and no next block links to.)
      if (sha256Hex(headerText) !== hash) tampered(height, 'block-hash', `${at}'s stored hash is not the hash of its stored header`);
      const header = parseJson<unknown>(headerText);
      if (!isHeader(header)) return tampered(height, 'header', `${at}'s header is not a block header`);
      if (header.height !== height) tampered(height, 'header', `${at}'s header says height ${header.height}`);
      if (header.chainId !== genesis.chainId) tampered(height, 'header', `${at} is for chain "${header.chainId}"`);
      if (header.previousHash !== previousHash) {
        tampered(height, 'previous-hash', `${at} does not link to ${height === 1 ? 'the genesis' : `block ${height - 1}`}`);
      }

      // Its transactions, by index: each hash from its body; together the header's Merkle root.
      const hashes: string[] = [];
      const txSignatures: string[] = [];
      while (!tx.done && tx.value[0] <= height) {
        const [txHeight, index, txHash, body, txSignature, signer] = tx.value;
        if (txHeight < height) tampered(txHeight, 'orphan-rows', `transaction ${txHash.slice(0, 12)}… belongs to block ${txHeight}, which is not stored`);
        if (index !== hashes.length) tampered(height, 'tx-index', `${at}'s transaction ${hashes.length} is missing`);
        if (sha256Hex(body) !== txHash) {
          tampered(height, 'tx-hash', `${at}'s transaction ${index} (${txHash.slice(0, 12)}…) is not the transaction its hash names`);
        }
        if (signer !== null && !verifyWithDomain(DOMAINS.tx, Buffer.from(txHash, 'hex'), txSignature, signer, keys)) {
          tampered(height, 'tx-signature', `the signature of ${at}'s transaction ${index} does not verify`);
        }
        hashes.push(txHash);
        txSignatures.push(txSignature);
        transactionCount++;
        tx = txs.next();
      }
      if (hashes.length !== header.txCount) {
        tampered(height, 'tx-count', `${at} should hold ${header.txCount} transactions; ${hashes.length} are stored`);
      }
      if (merkleRoot(hashes) !== header.txRoot) tampered(height, 'tx-root', `${at}'s transactions do not match its Merkle root`);

      // The certificate: this block, by the validator set in force at this height.
      const certificate = parseJson<unknown>(certificateText);
      if (!isCertificate(certificate)) return tampered(height, 'certificate', `${at}'s certificate is not a certificate`);
      if (certificate.height !== height || certificate.blockHash !== hash) tampered(height, 'certificate', `${at}'s certificate is for another block`);
      const set = setInForce();
      if (height >= verifyFrom) {
        try {
          checkCommitCertificate(certificate, genesis.chainId, hash, set.keys, set.quorum, keys);
        } catch (error) {
          if (!isCivichainError(error)) throw error;
          tampered(height, 'certificate', `${at}'s certificate does not hold (${error.message})`, { reason: error.code });
        }
        if (!verifyWithDomain(DOMAINS.block, Buffer.from(hash, 'hex'), signature, header.proposer, keys)) {
          tampered(height, 'proposer-signature', `the proposer's signature on ${at} does not verify`);
        }
      } else {
        const signers = new Set(certificate.approvals.map((a) => a.validator));
        if (signers.size !== certificate.approvals.length || ![...signers].every((v) => set.keys.has(v)) || signers.size < set.quorum) {
          tampered(height, 'certificate', `${at}'s certificate is not a quorum of distinct validators`);
        }
      }

      // Its state changes, then the running digest over them and the signatures.
      const writes: [string, string | null][] = [];
      while (!change.done && change.value[0] <= height) {
        const [changeHeight, key, value] = change.value;
        if (changeHeight < height) tampered(changeHeight, 'orphan-rows', `a state change is recorded for block ${changeHeight}, which is not stored`);
        writes.push([key, value]);
        if (key.startsWith(REPLAYED_PREFIX)) {
          // Takes effect from the next height: this block was approved by the set before it.
          if (value === null) replayed.delete(key);
          else replayed.set(key, value);
          validatorSet = null;
        }
        change = changes.next();
      }
      writes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const recomputed = runningDigest({
        height,
        previous: previousDigest,
        blockHash: hash,
        proposerSignature: signature,
        certificateText,
        txSignatures,
        writes,
      });
      if (recomputed !== digest) {
        tampered(height, 'digest', `${at}'s state changes or signatures are not the ones recorded when it was committed`);
      }

      previousHash = hash;
      previousDigest = digest;
      expected++;
    }
    if (!tx.done) tampered(tx.value[0], 'orphan-rows', `transactions are stored for block ${tx.value[0]}, which is not stored`);
    if (!change.done) tampered(change.value[0], 'orphan-rows', `state changes are stored for block ${change.value[0]}, which is not stored`);
  } finally {
    // Close whichever cursors are still open, so the connection can write again.
    blocks.return?.();
    txs.return?.();
    changes.return?.();
  }

  // The recorded head: a removed newest block leaves no gap, but the head still names it.
  const last = expected - 1;
  const headText = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get(HEAD_META_KEY);
  const head = headText === undefined ? null : parseJson<{ height?: unknown; hash?: unknown; digest?: unknown }>(headText);
  if (last === 0 && headText !== undefined) {
    tampered(typeof head?.height === 'number' ? head.height : null, 'head', `the store records a chain head, but holds no block`);
  }
  if (last > 0) {
    if (!head || typeof head.height !== 'number') return tampered(last, 'head', 'the record of the chain head is missing');
    if (head.height > last) tampered(last + 1, 'head', `block ${last + 1} is missing (the recorded head is block ${head.height})`);
    if (head.height !== last || head.hash !== previousHash || head.digest !== previousDigest) {
      tampered(last, 'head', `block ${last} is not the recorded head`);
    }
  }

  const stateKeys = checkState(db, tampered);
  return { blocks: last, transactions: transactionCount, stateKeys, signaturesVerifiedFrom: last === 0 ? 0 : verifyFrom };
}

/**
 * The current state equals the change history replayed: the last write of every key is its value (or
 * its absence, for a delete), and the state holds no key that no block wrote. Streams, one key at a time.
 */
function checkState(
  db: Database.Database,
  tampered: (height: number | null, check: string, what: string, extra?: Record<string, unknown>) => never,
): number {
  const get = db.prepare<[string], string>('SELECT value FROM state WHERE key = ?').pluck();
  // SQLite takes the bare columns of a max() aggregate from the row holding the maximum: the last write.
  const lastWrites = db
    .prepare<[], [key: string, value: string | null, height: number]>(
      'SELECT key, value, MAX(height) FROM state_changes GROUP BY key',
    )
    .raw();
  let live = 0;
  for (const [key, value, height] of lastWrites.iterate()) {
    const current = get.get(key);
    const name = JSON.stringify(key);
    if (value === null) {
      if (current !== undefined) tampered(height, 'state', `state key ${name} was deleted by block ${height} but is present`, { key });
      continue;
    }
    live++;
    if (current === undefined) tampered(height, 'state', `state key ${name}, last written by block ${height}, is missing`, { key });
    if (current !== value) tampered(height, 'state', `the value of state key ${name} is not the one block ${height} wrote`, { key });
  }
  const stored = db.prepare<[], number>('SELECT COUNT(*) FROM state').pluck().get() ?? 0;
  if (stored !== live) {
    const extra = db
      .prepare<[], string>('SELECT key FROM state WHERE key NOT IN (SELECT key FROM state_changes) LIMIT 1')
      .pluck()
      .get();
    tampered(null, 'state', `state key ${JSON.stringify(extra ?? '?')} was never written by any block`, { key: extra ?? null });
  }
  return live;
}
