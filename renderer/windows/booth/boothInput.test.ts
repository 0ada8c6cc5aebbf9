import { describe, expect, it } from 'vitest';
import { candidateIndexForKey, normaliseBoothPass, toggleChoice } from './boothInput';

describe('normaliseBoothPass', () => {
  it('accepts lower case, spaces and missing dashes', () => {
    expect(normaliseBoothPass('abcd efgh jk')).toBe('ABCD-EFGH-JK');
    expect(normaliseBoothPass('ABCDEFGHJK')).toBe('ABCD-EFGH-JK');
    expect(normaliseBoothPass(' abcd-efgh-jk ')).toBe('ABCD-EFGH-JK');
  });

  it('leaves a pass of the wrong length for the node to refuse', () => {
    expect(normaliseBoothPass(' abc ')).toBe('ABC');
  });
});

describe('toggleChoice', () => {
  it('replaces the choice on a choose-1 ballot', () => {
    expect(toggleChoice(['a'], 'b', 1)).toEqual({ chosen: ['b'], full: false });
  });

  it('un-chooses a chosen candidate', () => {
    expect(toggleChoice(['a', 'b'], 'a', 2)).toEqual({ chosen: ['b'], full: false });
  });

  it('refuses a choice beyond k instead of dropping an earlier one', () => {
    expect(toggleChoice(['a', 'b'], 'c', 2)).toEqual({ chosen: ['a', 'b'], full: true });
  });
});

describe('candidateIndexForKey', () => {
  it('maps 1–9 to candidates that exist', () => {
    expect(candidateIndexForKey('1', 3)).toBe(0);
    expect(candidateIndexForKey('3', 3)).toBe(2);
    expect(candidateIndexForKey('4', 3)).toBeNull();
    expect(candidateIndexForKey('0', 3)).toBeNull();
    expect(candidateIndexForKey('a', 3)).toBeNull();
  });
});
