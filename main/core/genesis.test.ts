import { describe, expect, it } from 'vitest';
import { createGenesisFromJSON, defaultQuorum, GENESIS_FORMAT, genesisHash, quorumProblem } from './genesis';

const key = (n: number) => n.toString(16).padStart(64, '0');

function genesisJson(overrides: Record<string, unknown> = {}) {
  return {
    format: GENESIS_FORMAT,
    networkName: 'Test',
    chainId: 'test-1',
    genesisTimeMs: 0,
    demo: false,
    authorities: [{ name: 'A', publicKey: key(1) }],
    validators: [1, 2, 3, 4].map((n) => ({ name: `V${n}`, publicKey: key(10 + n) })),
    quorum: 3,
    proposers: [{ name: 'P', publicKey: key(20) }],
    powDifficultyBits: 0,
    roundTimeoutMs: 1000,
    ...overrides,
  };
}

describe('genesis', () => {
  it('default quorum is ⌊2n/3⌋+1', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(defaultQuorum)).toEqual([1, 2, 3, 3, 4, 5, 5]);
  });

  it('refuses a quorum at or below n/2, above n, or below 2 with several validators', () => {
    expect(quorumProblem(2, 4)).toMatch(/not more than half/);
    expect(quorumProblem(5, 4)).toMatch(/exceeds/);
    expect(quorumProblem(1, 1)).toBeNull();
    expect(quorumProblem(3, 4)).toBeNull();
    expect(() => createGenesisFromJSON(genesisJson({ quorum: 2 }))).toThrowError(
      expect.objectContaining({ code: 'INVALID_GENESIS', details: { field: 'quorum' } }),
    );
  });

  it('INVALID_GENESIS names the field for junk input', () => {
    expect(() => createGenesisFromJSON(genesisJson({ chainId: 'Bad Id' }))).toThrowError(/chainId/);
    expect(() => createGenesisFromJSON(genesisJson({ validators: [{ name: 'x', publicKey: 'zz' }] }))).toThrowError(
      /validators\.0\.publicKey/,
    );
    expect(() => createGenesisFromJSON(genesisJson({ extra: 1 }))).toThrowError(expect.objectContaining({ code: 'INVALID_GENESIS' }));
    expect(() => createGenesisFromJSON('nope')).toThrowError(expect.objectContaining({ code: 'INVALID_GENESIS' }));
  });

  it('refuses the same key listed twice', () => {
    const v = { name: 'V', publicKey: key(5) };
    expect(() => createGenesisFromJSON(genesisJson({ validators: [v, v, v], quorum: 2 }))).toThrowError(/same key twice/);
  });

  it('returns a frozen genesis whose hash does not depend on member order in the file', () => {
    const genesis = createGenesisFromJSON(genesisJson());
    expect(Object.isFrozen(genesis)).toBe(true);
    expect(Object.isFrozen(genesis.validators[0])).toBe(true);
    const reordered = Object.fromEntries(Object.entries(genesisJson()).reverse());
    expect(genesisHash(createGenesisFromJSON(reordered))).toBe(genesisHash(genesis));
  });
});
