/**
 * Merkle tree hash of a list of transaction hashes, as RFC 6962 §2.1 defines it:
 *   MTH({})      = SHA-256()
 *   MTH({d0})    = SHA-256(0x00 || d0)
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n
 * where each leaf d is the 32 raw bytes of a transaction hash. The 0x00/0x01 prefixes keep a leaf from
 * ever being mistaken for an inner node (second-preimage resistance).
 */
import { createHash } from 'node:crypto';
import { sha256Hex } from '../encoding/hash';

export function leafHash(hashHex: string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(Buffer.from(hashHex, 'hex')).digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/** The largest power of two strictly less than n (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtree(leaves: readonly string[], start: number, end: number, memo?: Map<string, Buffer>): Buffer {
  const n = end - start;
  if (n === 1) return leafHash(leaves[start] as string);
  // Subtrees of a fixed list are fixed: a memo makes every later audit path O(log n).
  // (start, size) names a subtree; a string key stays exact for any roll size.
  const id = `${start}/${n}`;
  const known = memo?.get(id);
  if (known) return known;
  const k = split(n);
  const hash = nodeHash(subtree(leaves, start, start + k, memo), subtree(leaves, start + k, end, memo));
  if (memo && n >= 64) memo.set(id, hash);
  return hash;
}

/**
 * MTH of the leaves. Made for a block's transaction hashes (hashed by the mempool, the proposer, every
 * validator and the start-up check): 32-byte leaves go through one reused input buffer with one-shot
 * hex digests; any other leaf (the RFC's test vectors) is hashed as leafHash does.
 */
export function merkleRoot(txHashes: readonly string[]): string {
  if (txHashes.length === 0) return sha256Hex('');
  const input = Buffer.alloc(65);
  input[0] = 0;
  const leaves = txHashes.map((hex) => (hex.length === 64 && input.write(hex, 1, 'hex') === 32 ? sha256Hex(input.subarray(0, 33)) : leafHash(hex).toString('hex')));
  input[0] = 1;
  const inner = (start: number, end: number): string => {
    const n = end - start;
    if (n === 1) return leaves[start] as string;
    const k = split(n);
    const left = inner(start, start + k);
    const right = inner(start + k, end);
    input.write(left, 1, 'hex');
    input.write(right, 33, 'hex');
    return sha256Hex(input);
  };
  return inner(0, leaves.length);
}

/**
 * A fixed list of leaves with its root and audit paths (RFC 6962 §2.1.1 PATH(m, D[n])): the voter roll.
 * Inner nodes of 64 leaves or more are remembered, so one path costs O(log n) after the first.
 */
export class MerkleTree {
  private readonly memo = new Map<string, Buffer>();
  readonly root: string;
  constructor(private readonly leaves: readonly string[]) {
    this.root = leaves.length === 0 ? createHash('sha256').digest('hex') : subtree(leaves, 0, leaves.length, this.memo).toString('hex');
  }

  get size(): number {
    return this.leaves.length;
  }

  /** The audit path of leaf `index`, bottom-up, as hex hashes. */
  proof(index: number): string[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.leaves.length) {
      throw new RangeError(`Leaf ${index} is outside a tree of ${this.leaves.length}.`);
    }
    const path: string[] = [];
    const walk = (m: number, start: number, end: number): void => {
      const n = end - start;
      if (n === 1) return;
      const k = split(n);
      if (m < k) {
        walk(m, start, start + k);
        path.push(subtree(this.leaves, start + k, end, this.memo).toString('hex'));
      } else {
        walk(m - k, start + k, end);
        path.push(subtree(this.leaves, start, start + k, this.memo).toString('hex'));
      }
    };
    walk(index, 0, this.leaves.length);
    return path;
  }
}

/**
 * Checks an audit path (RFC 9162 §2.1.3.2): whether `leafHex` is leaf `index` of the tree of `size`
 * leaves whose root is `rootHex`.
 */
export function verifyMerkleProof(rootHex: string, size: number, index: number, leafHex: string, path: readonly string[]): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(leafHex);
  for (const p of path) {
    if (!/^[0-9a-f]{64}$/.test(p)) return false;
    const sibling = Buffer.from(p, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === rootHex;
}
