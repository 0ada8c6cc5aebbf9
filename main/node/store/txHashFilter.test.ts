import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TxHashFilter } from './txHashFilter';

const hash = (i: number) => createHash('sha256').update(`tx ${i}`).digest('hex');

function chainOf(hashes: string[]) {
  let reads = 0;
  return {
    hashes,
    reads: () => reads,
    source: {
      count: () => hashes.length,
      all: () => {
        reads++;
        return hashes.values();
      },
    },
  };
}

describe('TxHashFilter', () => {
  it('contains every hash on the chain at start and every hash added, and rules out nearly all others', () => {
    const chain = chainOf(Array.from({ length: 1_000 }, (_, i) => hash(i)));
    const filter = new TxHashFilter(chain.source);
    const added = Array.from({ length: 1_000 }, (_, i) => hash(1_000 + i));
    filter.add(added);
    for (let i = 0; i < 2_000; i++) expect(filter.mayContain(hash(i))).toBe(true);
    let maybes = 0;
    for (let i = 10_000; i < 30_000; i++) if (filter.mayContain(hash(i))) maybes++;
    expect(maybes).toBeLessThan(200); // well under 1 % of 20,000 absent hashes
  });

  it('grows past its first capacity by reading the chain again, losing nothing', () => {
    const chain = chainOf([]);
    const filter = new TxHashFilter(chain.source);
    expect(chain.reads()).toBe(1);
    const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 5_000 }, (_, i) => hash(b * 5_000 + i)));
    for (const batch of batches) {
      filter.add(batch);
      chain.hashes.push(...batch); // the store writes the block after noting its hashes
    }
    expect(chain.reads()).toBeGreaterThan(1);
    for (let i = 0; i < 100_000; i++) expect(filter.mayContain(hash(i))).toBe(true);
    let maybes = 0;
    for (let i = 200_000; i < 210_000; i++) if (filter.mayContain(hash(i))) maybes++;
    expect(maybes).toBeLessThan(150);
  });

  it('answers "maybe" for anything that is not a lower-case SHA-256 hex hash, so the store decides', () => {
    const filter = new TxHashFilter(chainOf([]).source);
    expect(filter.mayContain(hash(1))).toBe(false);
    expect(filter.mayContain('not a hash')).toBe(true);
    expect(filter.mayContain(hash(1).toUpperCase())).toBe(true);
    // A bad digit past the probes' digits, a hash one digit short or long, a character beyond ASCII.
    expect(filter.mayContain(`${hash(1).slice(0, 63)}g`)).toBe(true);
    expect(filter.mayContain(hash(1).slice(0, 63))).toBe(true);
    expect(filter.mayContain(`${hash(1)}0`)).toBe(true);
    expect(filter.mayContain(`${hash(1).slice(0, 10)}é${hash(1).slice(11)}`)).toBe(true);
  });
});
