/**
 * The hashing the start-up check does a million times per start, made cheap: one-shot SHA-256
 * (`crypto.hash`, Node ≥ 20.12, with a fallback) and the RFC 6962 Merkle root over raw bytes. Each gives
 * exactly what its counterpart in main/core gives (sha256Hex, merkleRoot); hashing.test.ts holds them to it.
 */
import * as nodeCrypto from 'node:crypto';

/** `crypto.hash` arrived in Node 20.12; package.json allows 20.11. */
const hasOneShot = typeof nodeCrypto.hash === 'function';

/** SHA-256 of a string's UTF-8 bytes (or of bytes), lower-case hex: as core's sha256Hex. */
export function sha256HexFast(data: string | Buffer): string {
  return hasOneShot ? nodeCrypto.hash('sha256', data, 'hex') : nodeCrypto.createHash('sha256').update(data).digest('hex');
}

/**
 * RFC 6962 §2.1 Merkle tree hash of transaction hashes (hex), as core's merkleRoot computes it. Inner
 * values stay hex and are written into one reused input buffer: a hex digest is cheaper to get from
 * `crypto.hash` than a Buffer.
 */
export function merkleRootFast(txHashes: readonly string[]): string {
  if (txHashes.length === 0) return sha256HexFast('');
  const input = Buffer.alloc(65);
  const put = (hex: string, offset: number) => {
    if (input.write(hex, offset, 'hex') !== 32) throw new RangeError(`Not a 32-byte hash in hex: ${hex.slice(0, 70)}.`);
  };
  // MTH({d}) = SHA-256(0x00 || d), d the 32 raw bytes of a transaction hash.
  input[0] = 0;
  const leaves = txHashes.map((hex) => {
    put(hex, 1);
    return sha256HexFast(input.subarray(0, 33));
  });
  // MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n.
  const subtree = (start: number, end: number): string => {
    const n = end - start;
    if (n === 1) return leaves[start] as string;
    let k = 1;
    while (k * 2 < n) k *= 2;
    const left = subtree(start, start + k);
    const right = subtree(start + k, end);
    input[0] = 1;
    put(left, 1);
    put(right, 33);
    return sha256HexFast(input);
  };
  return subtree(0, txHashes.length);
}
