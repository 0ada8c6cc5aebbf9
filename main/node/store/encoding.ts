/**
 * How the ledger store encodes what it keeps, and the running digest. The store owns this encoding
 * (STYLE.md "Storage and I/O"): nothing outside main/node/store reads these rows.
 *
 * Every JSON column holds RFC 8785 canonical JSON, so that a row's hash can be recomputed from its text:
 *   blocks.header        canonical header                 SHA-256 = the block hash
 *   transactions.body    canonical unsigned transaction   SHA-256 = the transaction hash
 *   blocks.certificate   canonical commit certificate
 */
import { canonicalize } from '../../core/encoding/canonicalJson';
import type { BlockHeader } from '../../core/ledger/block';
import { rememberedCanonicalBody, type Transaction, type TransactionBody } from '../../core/ledger/transaction';
import type { CommitCertificate } from '../../core/ledger/votes';
import { sha256Hex } from '../../core/encoding/hash';

/** The canonical header text (only the header's own fields, whatever else the object carries). */
export function encodeHeader(header: BlockHeader): string {
  return canonicalize({
    chainId: header.chainId,
    height: header.height,
    previousHash: header.previousHash,
    timeMs: header.timeMs,
    txRoot: header.txRoot,
    txCount: header.txCount,
    proposer: header.proposer,
    round: header.round,
    difficulty: header.difficulty,
    nonce: header.nonce,
  });
}

export function decodeHeader(text: string): BlockHeader {
  return JSON.parse(text) as BlockHeader;
}

/** The canonical unsigned body: its SHA-256 is the transaction hash (core/ledger/transaction.ts). */
export function encodeTransactionBody(tx: TransactionBody): string {
  // A transaction made here remembers the text it was hashed from (it is frozen: the text cannot go stale).
  return rememberedCanonicalBody(tx) ?? canonicalize({ type: tx.type, chainId: tx.chainId, signer: tx.signer, nonce: tx.nonce, payload: tx.payload });
}

export function decodeTransaction(body: string, signature: string): Transaction {
  const parsed = JSON.parse(body) as TransactionBody;
  return { type: parsed.type, chainId: parsed.chainId, signer: parsed.signer, nonce: parsed.nonce, payload: parsed.payload, signature };
}

/** The canonical signed transaction (the mempool keeps whole transactions). */
export function encodeSignedTransaction(tx: Transaction): string {
  const body = rememberedCanonicalBody(tx);
  if (body !== undefined) {
    // The canonical body ends with "signer":"<hex>","type":"<type>"} (hex and a type need no escapes), and
    // "signature" sorts just before "signer": the signed form is the body with that one member inserted.
    const at = body.length - (`"signer":"","type":""}`.length + tx.signer.length + tx.type.length);
    if (body.startsWith(`"signer":"${tx.signer}"`, at)) return `${body.slice(0, at)}"signature":"${tx.signature}",${body.slice(at)}`;
  }
  return canonicalize({ type: tx.type, chainId: tx.chainId, signer: tx.signer, nonce: tx.nonce, payload: tx.payload, signature: tx.signature });
}

export function encodeCertificate(certificate: CommitCertificate): string {
  return canonicalize({
    height: certificate.height,
    round: certificate.round,
    blockHash: certificate.blockHash,
    approvals: certificate.approvals.map((a) => ({ validator: a.validator, signature: a.signature })),
  });
}

export function decodeCertificate(text: string): CommitCertificate {
  return JSON.parse(text) as CommitCertificate;
}

/** A block's state writes as [key, value] pairs sorted by key (UTF-16 code units, as RFC 8785 sorts names). */
export type SortedWrites = readonly (readonly [string, string | null])[];

export function sortWrites(writes: Iterable<readonly [string, string | null]>): SortedWrites {
  return [...writes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface DigestInput {
  readonly height: number;
  /** The digest of the block before (for block 1: the genesis hash). */
  readonly previous: string;
  readonly blockHash: string;
  /** The proposer's signature, the stored certificate text and the transactions' signatures, in order. */
  readonly proposerSignature: string;
  readonly certificateText: string;
  readonly txSignatures: readonly string[];
  readonly writes: SortedWrites;
}

/**
 * The running digest, kept per block so that a changed row is detectable without verifying every
 * signature at each start:
 *   digest_0 = the genesis hash
 *   digest_h = SHA-256(RFC 8785 of [h, digest_{h-1}, blockHash, proposerSignature, certificateText,
 *                                   [txSignature…], [[key, value-or-null]… sorted by key]])
 * It covers the state changes (so the state can be audited against it) and everything the block hash
 * does not: the proposer's, the validators' and the transactions' signatures. It is a checksum against
 * changed rows, not a signature: certificates are what make a block final.
 */
export function runningDigest(input: DigestInput): string {
  // An array of strings, safe integers and nulls: JSON.stringify writes exactly its RFC 8785 form.
  return sha256Hex(
    JSON.stringify([
      input.height,
      input.previous,
      input.blockHash,
      input.proposerSignature,
      input.certificateText,
      input.txSignatures,
      input.writes,
    ]),
  );
}
