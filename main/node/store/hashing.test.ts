import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../core/encoding/hash';
import { merkleRoot } from '../../core/ledger/merkle';
import { merkleRootFast, sha256HexFast } from './hashing';

const hashes = Array.from({ length: 70 }, (_, i) => createHash('sha256').update(`tx ${i}`).digest('hex'));

describe('the start-up check hashes as main/core does', () => {
  it.each([0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 70])('merkleRootFast equals merkleRoot for %i transactions', (n) => {
    expect(merkleRootFast(hashes.slice(0, n))).toBe(merkleRoot(hashes.slice(0, n)));
  });

  it('merkleRootFast is the RFC 6962 empty-tree hash for no transactions', () => {
    // RFC 6962 §2.1: MTH({}) = SHA-256() = e3b0c442…b855 (FIPS 180-4 SHA-256 of the empty string).
    expect(merkleRootFast([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(['', 'abc', 'héllo ✓ 😀', '{"a":1}'])('sha256HexFast equals sha256Hex for %j', (text) => {
    expect(sha256HexFast(text)).toBe(sha256Hex(text));
  });
});

describe('merkleRootFast on bad input', () => {
  it('throws RangeError for a hash that is not 32 bytes of hex', () => {
    expect(() => merkleRootFast(['zz'.repeat(32)])).toThrow(RangeError);
    expect(() => merkleRootFast([hashes[0]!, 'ab'])).toThrow(RangeError);
  });
});
