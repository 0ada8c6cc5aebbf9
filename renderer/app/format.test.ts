import { describe, expect, it } from 'vitest';
import { toCsv } from './files';
import { fingerprint, formatCount, formatHashRate, formatMoney, parseMoney, shortHex } from './format';

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

describe('money', () => {
  it('writes cents as Hong Kong dollars', () => {
    expect(formatMoney(12_050)).toBe('HK$120.50');
    expect(formatMoney(500_000)).toBe('HK$5,000.00');
    expect(formatMoney(5)).toBe('HK$0.05');
    expect(formatMoney(-12_050)).toBe('−HK$120.50');
  });

  it('reads what a cashier types, and refuses what is not an amount', () => {
    expect(parseMoney('120.50')).toBe(12_050);
    expect(parseMoney('HK$120.5')).toBe(12_050);
    expect(parseMoney(' 1,000 ')).toBe(100_000);
    expect(parseMoney('0.05')).toBe(5);
    for (const bad of ['', '12.345', '1,00', 'abc', '-5', '1e3', '12.']) expect(parseMoney(bad), bad).toBeNull();
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks; defuses spreadsheet formulas; ends lines with CRLF', () => {
    expect(toCsv([['id', 'amount'], ['a,b', 12.5], ['say "hi"', null], ['=SUM(A1)', -3], ['line\nbreak', '@x']])).toBe(
      'id,amount\r\n"a,b",12.5\r\n"say ""hi""",\r\n\'=SUM(A1),-3\r\n"line\nbreak",\'@x\r\n',
    );
  });
});
