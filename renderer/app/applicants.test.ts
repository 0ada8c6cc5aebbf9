import { describe, expect, it } from 'vitest';
import type { VoucherQueueItem } from '../../preload/contract';
import { formatDateOfBirth, formatDay, formatHkid, instalmentState, matchesSearch } from './applicants';

const NOW = Date.UTC(2026, 4, 10); // 10 May 2026
const KEY = '6faed3d5bac8e6b828c47276d5c585a046243f6adec6ea2e176493d9b56d7231';

function item(overrides: Partial<VoucherQueueItem> = {}): VoucherQueueItem {
  return {
    application: 'ab'.repeat(32),
    applicant: KEY,
    appliedAtMs: NOW,
    status: 'pending',
    reason: null,
    details: { hkid: 'A1234563', name: 'Chan Tai Man', dateOfBirth: '1980-05-01', residency: 'permanent' },
    openError: null,
    duplicates: [],
    eligibility: [],
    ageYears: 46,
    ...overrides,
  };
}

describe('formatHkid', () => {
  it('writes the check digit in brackets, as on the card, and leaves anything else alone', () => {
    expect(formatHkid('A1234563')).toBe('A123456(3)');
    expect(formatHkid('XY987654A')).toBe('XY987654(A)');
    expect(formatHkid('not an id')).toBe('not an id');
  });
});

describe('matchesSearch', () => {
  it('matches any part of the name in any case, and everything when empty', () => {
    expect(matchesSearch(item(), '')).toBe(true);
    expect(matchesSearch(item(), '  tai ')).toBe(true);
    expect(matchesSearch(item(), 'Wong')).toBe(false);
  });

  it('matches the HKID however it is written: case, spaces, brackets', () => {
    for (const query of ['A123456(3)', 'a123456(3)', 'A 123456 3', 'a1234', '123456']) expect(matchesSearch(item(), query), query).toBe(true);
    expect(matchesSearch(item(), 'B123456(3)')).toBe(false);
  });

  it('matches the applicant key in hex or as a fingerprint with spaces, from four digits', () => {
    expect(matchesSearch(item(), '6FAED3D5')).toBe(true);
    expect(matchesSearch(item(), '6fae d3d5 bac8')).toBe(true);
    expect(matchesSearch(item(), '6fa')).toBe(false);
    expect(matchesSearch(item(), 'ffff eeee')).toBe(false);
  });

  it('finds an application that cannot be opened by its key only', () => {
    const sealed = item({ details: null, openError: 'The seal does not open.' });
    expect(matchesSearch(sealed, 'Chan')).toBe(false);
    expect(matchesSearch(sealed, KEY.slice(0, 8))).toBe(true);
  });
});

describe('dates', () => {
  it('writes days in UTC, a date of birth as a day, and an instalment as released, not yet or expired', () => {
    expect(formatDay(Date.UTC(2030, 6, 1))).toBe('1 Jul 2030');
    expect(formatDateOfBirth('1980-01-01')).toBe('1 Jan 1980');
    expect(formatDateOfBirth('soon')).toBe('soon');
    const instalment = { releaseAtMs: 10, expiresAtMs: 20 };
    expect([5, 10, 19, 20].map((t) => instalmentState(instalment, t))).toEqual(['not-released', 'released', 'released', 'expired']);
  });
});
