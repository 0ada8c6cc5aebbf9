import { describe, expect, it } from 'vitest';
import { fingerprint, formatCount, formatHashRate, shortHex } from './format';

const KEY = '6faed3d5bac8e6b828c47276d5c585a046243f6adec6ea2e176493d9b56d7231';

describe('format', () => {
  it('writes counts with thousands separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1205)).toBe('1,205');
  });

  it('shortens a key to its head and tail, and leaves short strings alone', () => {
    expect(shortHex(KEY)).toBe('6faed3d5…6d7231');
    expect(shortHex('abcdef')).toBe('abcdef');
  });

  it('writes a fingerprint as four groups of four hex digits', () => {
    expect(fingerprint(KEY)).toBe('6fae d3d5 bac8 e6b8');
  });

  it('writes hash rates in the largest unit below 1000', () => {
    expect(formatHashRate(0)).toBe('0 H/s');
    expect(formatHashRate(999)).toBe('999 H/s');
    expect(formatHashRate(1530)).toBe('1.5 kH/s');
    expect(formatHashRate(2_000_000)).toBe('2 MH/s');
    expect(formatHashRate(7e12)).toBe('7,000 GH/s');
  });
});
