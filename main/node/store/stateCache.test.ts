import { describe, expect, it } from 'vitest';
import { StateCache } from './stateCache';

function table(initial: Record<string, string>) {
  const rows = new Map(Object.entries(initial));
  const reads: string[] = [];
  return { rows, reads, read: (key: string) => (reads.push(key), rows.get(key) ?? null) };
}

describe('StateCache', () => {
  it('reads a key from the table once, absent keys included', () => {
    const t = table({ a: '1' });
    const cache = new StateCache(t.read);
    expect([cache.get('a'), cache.get('a'), cache.get('b'), cache.get('b')]).toEqual(['1', '1', null, null]);
    expect(t.reads).toEqual(['a', 'b']);
  });

  it('answers with committed values, deletions included, without reading', () => {
    const t = table({ a: '1', b: '2' });
    const cache = new StateCache(t.read);
    cache.get('a');
    cache.get('b');
    cache.committed([
      ['a', '10'],
      ['b', null],
      ['c', '3'],
    ]);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['10', null, '3']);
    expect(t.reads).toEqual(['a', 'b']);
  });

  it('holds at most its capacity, dropping the oldest, and reads a dropped key again', () => {
    const t = table({ a: '1', b: '2', c: '3' });
    const cache = new StateCache(t.read, 2);
    cache.get('a');
    cache.get('b');
    cache.get('c');
    t.rows.set('a', 'changed behind the cache');
    expect(cache.get('a')).toBe('changed behind the cache');
    expect(t.reads).toEqual(['a', 'b', 'c', 'a']);
  });
});
