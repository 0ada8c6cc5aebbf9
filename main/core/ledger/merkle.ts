/**
 * Merkle tree hash of a list of transaction hashes, as RFC 6962 §2.1 defines it:
 *   MTH({})      = SHA-256()
 *   MTH({d0})    = SHA-256(0x00 || d0)
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n
 * where each leaf d is the 32 raw bytes of a transaction hash. The 0x00/0x01 prefixes keep a leaf from
 * ever being mistaken for an inner node (second-preimage resistance).
 */
import { createHash } from 'node:crypto';

function leafHash(hashHex: string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(Buffer.from(hashHex, 'hex')).digest();
}

function subtree(leaves: readonly string[], start: number, end: number): Buffer {
  const n = end - start;
  if (n === 1) return leafHash(leaves[start] as string);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(subtree(leaves, start, start + k))
    .update(subtree(leaves, start + k, end))
    .digest();
}

export function merkleRoot(txHashes: readonly string[]): string {
  if (txHashes.length === 0) return createHash('sha256').digest('hex');
  return subtree(txHashes, 0, txHashes.length).toString('hex');
}
