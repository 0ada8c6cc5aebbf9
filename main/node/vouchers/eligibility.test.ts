import { describe, expect, it } from 'vitest';
import { CivichainError } from '../../core/errors';
import { ageYears, assertEligible, assertHkid, eligibilityProblems, eligibilityReport, hkidCheckDigit } from './eligibility';

const NOW_MS = Date.UTC(2026, 10, 22);
const field = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CivichainError) return { code: error.code, field: error.details['field'] };
    throw error;
  }
  return null;
};

describe('HKID check digit', () => {
  // A123456(3) is the Immigration Department's published example; AB987654 computed by hand: 11 − (10·9 + 11·8 + 9·7 + 8·6 + 7·5 + 6·4 + 5·3 + 4·2) mod 11.
  it('matches known numbers', () => {
    expect(hkidCheckDigit('A', '123456')).toBe('3');
    expect(hkidCheckDigit('AB', '987654')).toBe(String(11 - ((10 * 9 + 11 * 8 + 9 * 7 + 8 * 6 + 7 * 5 + 6 * 4 + 5 * 3 + 4 * 2) % 11)).replace(/^11$/, '0').replace(/^10$/, 'A'));
  });
  it('normalises case, spaces and parentheses', () => {
    expect(assertHkid('a 123456 (3)')).toBe('A1234563');
  });
  it('VOUCHER_DETAILS_INVALID names hkid for a wrong check digit or a malformed number', () => {
    expect(field(() => assertHkid('A123456(4)'))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'hkid' });
    expect(field(() => assertHkid('123456(3)'))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'hkid' });
    expect(field(() => assertHkid(''))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'hkid' });
  });
});

describe('eligibility', () => {
  const ok = { hkid: 'A123456(3)', name: 'Chan Tai Man', dateOfBirth: '1980-05-01', residency: 'permanent' } as const;
  it('accepts a permanent resident or new arrival aged 18 or over', () => {
    expect(assertEligible(ok, NOW_MS).hkid).toBe('A1234563');
    expect(assertEligible({ ...ok, residency: 'new-arrival', dateOfBirth: '2008-11-22' }, NOW_MS).residency).toBe('new-arrival');
  });
  it('refuses under 18 (the day before the 18th birthday), bad dates and other residency, naming the field', () => {
    expect(field(() => assertEligible({ ...ok, dateOfBirth: '2008-11-23' }, NOW_MS))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'dateOfBirth' });
    expect(field(() => assertEligible({ ...ok, dateOfBirth: '1980-02-30' }, NOW_MS))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'dateOfBirth' });
    expect(field(() => assertEligible({ ...ok, residency: 'visitor' }, NOW_MS))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'residency' });
    expect(field(() => assertEligible({ ...ok, name: '  ' }, NOW_MS))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'name' });
  });
});

describe('eligibilityProblems (the wallet’s dry run)', () => {
  it('names every bad field at once, in form order, and says what to enter for an empty one', () => {
    const problems = eligibilityProblems({ hkid: '', name: '', dateOfBirth: '', residency: 'non-permanent' }, NOW_MS);
    expect(problems.map((p) => p.field)).toEqual(['hkid', 'name', 'dateOfBirth', 'residency']);
    expect(problems.map((p) => p.message)).toEqual([
      'Enter the HKID number, as on the identity card, like A123456(3).',
      'Enter the name, as on the identity card.',
      'Enter the date of birth (YYYY-MM-DD).',
      'The scheme is for permanent residents and new arrivals; residency status "non-permanent" is not eligible.',
    ]);
  });
  it('is empty for eligible details, and assertEligible throws its first problem', () => {
    expect(eligibilityProblems({ hkid: 'A123456(3)', name: 'Chan', dateOfBirth: '1980-05-01', residency: 'permanent' }, NOW_MS)).toEqual([]);
    expect(field(() => assertEligible({ hkid: 'A123456(3)', name: 'Chan', dateOfBirth: '2999-01-01', residency: 'visitor' }, NOW_MS))).toEqual({ code: 'VOUCHER_DETAILS_INVALID', field: 'dateOfBirth' });
    expect(eligibilityProblems({ hkid: 'A123456(3)', name: 'Chan', dateOfBirth: '2999-01-01', residency: 'permanent' }, NOW_MS)[0]?.message).toBe('The date of birth is in the future.');
  });
});

describe('eligibilityReport (the Government desk’s checklist)', () => {
  it('says each rule met or not, in words, with the age and the residency status', () => {
    const report = eligibilityReport({ hkid: 'A123456(3)', name: 'Chan', dateOfBirth: '1980-05-01', residency: 'new-arrival' }, NOW_MS);
    expect(report.map((c) => [c.rule, c.ok, c.detail])).toEqual([
      ['HKID number and check digit', true, 'Well formed, the check digit is right.'],
      ['Name as on the identity card', true, 'Given.'],
      ['Aged 18 or over', true, '46 years old.'],
      ['Permanent resident or new arrival', true, 'New arrival.'],
    ]);
    const minorVisitor = eligibilityReport({ hkid: 'A123456(3)', name: 'Chan', dateOfBirth: '2010-01-01', residency: 'visitor' }, NOW_MS);
    expect(minorVisitor.filter((c) => !c.ok).map((c) => c.field)).toEqual(['dateOfBirth', 'residency']);
    expect(minorVisitor[2]?.detail).toMatch(/aged 18 or over/);
    expect(ageYears('2008-11-22', NOW_MS)).toBe(18);
    expect(ageYears('2008-11-23', NOW_MS)).toBe(17);
  });
});
