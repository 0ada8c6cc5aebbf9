/**
 * The Merkle tree of RFC 6962 §2.1 and its audit paths (PATH(m, D[n]), §2.1.1), checked against
 * RFC 9162 §2.1.3.2 verification. Proofs are compared with a naive, memo-free PATH written from the RFC
 * text below, so the memo in MerkleTree cannot hide a wrong path.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MerkleTree, leafHash, merkleRoot, verifyMerkleProof } from './merkle';

const sha256 = (...parts: Buffer[]): Buffer => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
const leaves = (n: number, label = 'leaf'): string[] => Array.from({ length: n }, (_, i) => sha256(Buffer.from(`${label}-${i}`)).toString('hex'));

/** MTH(D[n]) of RFC 6962 §2.1, straight from the text. */
function referenceRoot(d: readonly string[]): Buffer {
  if (d.length === 1) return sha256(Buffer.from([0]), Buffer.from(d[0] as string, 'hex'));
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return sha256(Buffer.from([1]), referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1, straight from the text. */
function referencePath(m: number, d: readonly string[]): string[] {
  if (d.length === 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceRoot(d.slice(k)).toString('hex')]
    : [...referencePath(m - k, d.slice(k)), referenceRoot(d.slice(0, k)).toString('hex')];
}

/** A hash with one bit changed. */
const flip = (hex: string, nibble = 0): string => hex.slice(0, nibble) + (Number.parseInt(hex[nibble] as string, 16) ^ 1).toString(16) + hex.slice(nibble + 1);

describe('RFC 6962 known answers', () => {
  // The leaf inputs, roots and audit paths of Google's certificate-transparency Merkle tree tests
  // (merkle_tree_test.cc; precomputed_path_test_vectors in its Python port), reused by most RFC 6962/9162
  // implementations: leaves of 0 to 16 bytes, not only 32-byte hashes.
  const inputs = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];

  it('the empty tree is SHA-256 of nothing', () => {
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(new MerkleTree([]).root).toBe(merkleRoot([]));
  });

  it('roots of 1 to 8 leaves', () => {
    roots.forEach((root, i) => {
      expect(merkleRoot(inputs.slice(0, i + 1))).toBe(root);
      expect(new MerkleTree(inputs.slice(0, i + 1)).root).toBe(root);
    });
  });

  it('audit paths: leaf 0 and leaf 5 of 8 leaves, leaf 1 of 5 leaves', () => {
    const vectors: [number, number, string[]][] = [
      [
        0,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
      ],
      [
        5,
        8,
        [
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
      ],
      [
        1,
        5,
        [
          '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
      ],
    ];
    for (const [index, size, path] of vectors) {
      const tree = new MerkleTree(inputs.slice(0, size));
      expect(tree.proof(index)).toEqual(path);
      expect(verifyMerkleProof(tree.root, size, index, inputs[index] as string, path)).toBe(true);
    }
  });

  it('a leaf that is not 32 bytes of hex is hashed as leafHash hashes it, whatever its length', () => {
    const odd = ['', 'ab', 'zz'.repeat(32), `${'ab'.repeat(31)}zz`, 'ab'.repeat(40)];
    for (const leaf of odd) expect(merkleRoot([leaf])).toBe(leafHash(leaf).toString('hex'));
    const mixed = [...leaves(3), ...odd];
    expect(merkleRoot(mixed)).toBe(new MerkleTree(mixed).root);
  });

  it('a leaf is hashed with the 0x00 prefix, so it can never pass for an inner node', () => {
    const d = leaves(2);
    expect(leafHash(d[0] as string).toString('hex')).toBe(sha256(Buffer.from([0]), Buffer.from(d[0] as string, 'hex')).toString('hex'));
    // The inner node of two leaves, offered as a leaf of a one-leaf tree, does not reproduce the root.
    const inner = merkleRoot(d);
    expect(merkleRoot([inner])).not.toBe(inner);
  });
});

describe('audit paths of every leaf of trees of 1 to 70 leaves', { timeout: 30_000 }, () => {
  it('each path is RFC 6962 PATH(m, D[n]) and verifies; the root is merkleRoot() of the same leaves', () => {
    for (let n = 1; n <= 70; n++) {
      const d = leaves(n);
      const tree = new MerkleTree(d);
      expect(tree.size).toBe(n);
      expect(tree.root).toBe(merkleRoot(d));
      expect(tree.root).toBe(referenceRoot(d).toString('hex'));
      for (let m = 0; m < n; m++) {
        const path = tree.proof(m);
        expect(path).toEqual(referencePath(m, d));
        expect(verifyMerkleProof(tree.root, n, m, d[m] as string, path)).toBe(true);
      }
    }
  });

  it('a wrong index fails: the neighbours, the first and last, and the index with each bit flipped', () => {
    const accepted: string[] = [];
    for (let n = 1; n <= 70; n++) {
      const d = leaves(n);
      const tree = new MerkleTree(d);
      for (let m = 0; m < n; m++) {
        const path = tree.proof(m);
        const wrongs = new Set([m - 1, m + 1, 0, n - 1, n, n + 1, ...[1, 2, 4, 8, 16, 32, 64].map((bit) => m ^ bit)]);
        wrongs.delete(m);
        for (const wrong of wrongs) {
          if (verifyMerkleProof(tree.root, n, wrong, d[m] as string, path)) accepted.push(`n=${n} m=${m} as ${wrong}`);
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('a changed leaf, a changed path element, a truncated or an extended path fails', () => {
    const accepted: string[] = [];
    for (let n = 1; n <= 70; n++) {
      const d = leaves(n);
      const other = leaves(1, `other-${n}`)[0] as string;
      const tree = new MerkleTree(d);
      for (let m = 0; m < n; m++) {
        const path = tree.proof(m);
        const leaf = d[m] as string;
        const attempts: [string, string, string, readonly string[]][] = [
          ['changed leaf', tree.root, flip(leaf, 63), path],
          ['other leaf', tree.root, other, path],
          ['root of another tree', flip(tree.root), leaf, path],
          ['extended path', tree.root, leaf, [...path, other]],
          ['path extended by the root', tree.root, leaf, [...path, tree.root]],
        ];
        // Another leaf of the same tree, with this leaf's path, is not this leaf.
        if (n > 1) attempts.push(['neighbour leaf', tree.root, d[(m + 1) % n] as string, path]);
        path.forEach((_, i) => attempts.push([`element ${i} changed`, tree.root, leaf, path.map((p, j) => (j === i ? flip(p, 31) : p))]));
        if (path.length > 0) {
          attempts.push(['last element dropped', tree.root, leaf, path.slice(0, -1)], ['first element dropped', tree.root, leaf, path.slice(1)]);
        }
        // Order matters.
        if (path.length > 1) attempts.push(['two elements swapped', tree.root, leaf, [path[1] as string, path[0] as string, ...path.slice(2)]]);
        for (const [what, root, claimed, claimedPath] of attempts) {
          if (verifyMerkleProof(root, n, m, claimed, claimedPath)) accepted.push(`n=${n} m=${m}: ${what}`);
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('a wrong size fails unless the path has the same shape in a tree of that size', () => {
    let refused = 0;
    const wrong: string[] = [];
    for (let n = 1; n <= 70; n++) {
      const d = leaves(n);
      const tree = new MerkleTree(d);
      for (let m = 0; m < n; m++) {
        const path = tree.proof(m);
        for (const size of new Set([1, n - 2, n - 1, n + 1, n + 2, n >> 1, 2 * n, 2 ** Math.ceil(Math.log2(n)), 2 ** Math.floor(Math.log2(n))])) {
          if (size === n || size < 1) continue;
          const accepted = verifyMerkleProof(tree.root, size, m, d[m] as string, path);
          // A path only authenticates a leaf under a (root, size) pair, as in RFC 9162 where the size comes
          // with the signed tree head. The same hash steps can fit two sizes (leaf 0 of 3 leaves climbs
          // exactly as leaf 0 of 4), so the size must come from where the root comes from: the election
          // definition. A path is accepted for another size exactly when that size's own path for the index
          // has the same shape (the same length, the running hash on the same side at every level).
          if (accepted !== sameShape(m, n, size)) wrong.push(`n=${n} m=${m} size=${size} accepted=${accepted}`);
          if (!accepted) refused++;
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(refused).toBeGreaterThan(0);
  });

  it('leaf 0 of a tree of 3 verifies as leaf 0 of a tree of 4: the size is bound by the root, not by the path', () => {
    const d = leaves(3);
    const tree = new MerkleTree(d);
    expect(verifyMerkleProof(tree.root, 4, 0, d[0] as string, tree.proof(0))).toBe(true);
    expect(verifyMerkleProof(tree.root, 2, 0, d[0] as string, tree.proof(0))).toBe(false);
    expect(verifyMerkleProof(tree.root, 5, 0, d[0] as string, tree.proof(0))).toBe(false);
  });
});

/** Which side the running hash is on at each level of PATH(m, D[n]): 'L' when it is the left input. */
function sides(m: number, n: number): string {
  if (n === 1) return '';
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k ? `${sides(m, k)}L` : `${sides(m - k, n - k)}R`;
}

function sameShape(m: number, n: number, size: number): boolean {
  return m < size && sides(m, n) === sides(m, size);
}

describe('large trees', () => {
  for (const n of [1024, 1025, 4097, 100_000]) {
    it(`${n} leaves: paths of the first, last, middle and a power-of-two boundary leaf`, { timeout: 30_000 }, () => {
      const d = leaves(n);
      const tree = new MerkleTree(d);
      expect(tree.root).toBe(merkleRoot(d));
      for (const m of [0, 1, n - 1, n - 2, Math.floor(n / 2), 1023, 511]) {
        if (m >= n) continue;
        const path = tree.proof(m);
        expect(path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)));
        expect(verifyMerkleProof(tree.root, n, m, d[m] as string, path)).toBe(true);
        expect(verifyMerkleProof(tree.root, n, m, d[(m + 1) % n] as string, path)).toBe(false);
        expect(verifyMerkleProof(tree.root, n, (m + 1) % n, d[m] as string, path)).toBe(false);
      }
    });
  }

  it('1025 leaves: the memoised paths equal the reference paths', () => {
    const d = leaves(1025);
    const tree = new MerkleTree(d);
    for (const m of [0, 63, 64, 500, 1023, 1024]) expect(tree.proof(m)).toEqual(referencePath(m, d));
  });
});

describe('junk input', () => {
  const d = leaves(5);
  const tree = new MerkleTree(d);
  const path = tree.proof(2);

  it('proof() refuses an index outside the tree with a RangeError', () => {
    for (const m of [-1, 5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => tree.proof(m)).toThrow(RangeError);
    expect(() => new MerkleTree([]).proof(0)).toThrow(/outside a tree of 0/);
  });

  it('verifyMerkleProof refuses indices and sizes that are not whole numbers in range', () => {
    for (const m of [-1, 5, 2.5, Number.NaN]) expect(verifyMerkleProof(tree.root, 5, m, d[2] as string, path)).toBe(false);
    for (const size of [0, -5, 5.5, Number.NaN]) expect(verifyMerkleProof(tree.root, size, 2, d[2] as string, path)).toBe(false);
  });

  it('verifyMerkleProof refuses path elements that are not 32 bytes of lower-case hex', () => {
    for (const bad of [path[0]!.toUpperCase(), path[0]!.slice(2), `${path[0]}00`, `zz${path[0]!.slice(2)}`, '']) {
      expect(verifyMerkleProof(tree.root, 5, 2, d[2] as string, [bad, ...path.slice(1)])).toBe(false);
    }
  });

  it('a one-leaf tree takes an empty path, and nothing else', () => {
    const one = new MerkleTree(leaves(1));
    expect(one.proof(0)).toEqual([]);
    expect(verifyMerkleProof(one.root, 1, 0, leaves(1)[0] as string, [])).toBe(true);
    expect(verifyMerkleProof(one.root, 1, 0, leaves(1)[0] as string, [one.root])).toBe(false);
  });
});
