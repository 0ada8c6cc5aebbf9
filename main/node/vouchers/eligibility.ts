/**
 * The wallet's checks of an applicant's details before they are sealed (DESIGN.md §6): a well-formed HKID
 * with its check digit, a name, a date of birth making them 18 or over, and a residency status that the
 * scheme covers. Each failure names its field. The reviewers check the same again on the opened details.
 */
import { CivichainError } from '../../core/errors';
import { normaliseIdentityNumber } from '../../core/vouchers/identity';

export const RESIDENCY_STATUSES = ['permanent', 'new-arrival', 'non-permanent', 'visitor'] as const;
export type ResidencyStatus = (typeof RESIDENCY_STATUSES)[number];
export const ELIGIBLE_RESIDENCY: readonly ResidencyStatus[] = ['permanent', 'new-arrival'];
export const MIN_AGE_YEARS = 18;

export interface ApplicantDetails {
  readonly hkid: string;
  readonly name: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly residency: ResidencyStatus;
}

function invalid(field: string, message: string): never {
  throw new CivichainError('VOUCHER_DETAILS_INVALID', message, { field });
}

/**
 * The HKID check digit: letters A–Z count 10–35 and a missing second letter 36; weights 9…2 over the
 * (two-letter) prefix and six digits; check = 11 − sum mod 11, where 10 is written "A" and 11 "0".
 */
export function hkidCheckDigit(prefix: string, digits: string): string {
  const letters = prefix.length === 1 ? ` ${prefix}` : prefix;
  const values = [...letters].map((c) => (c === ' ' ? 36 : c.charCodeAt(0) - 55)).concat([...digits].map(Number));
  const sum = values.reduce((total, value, i) => total + value * (9 - i), 0);
  const check = 11 - (sum % 11);
  return check === 11 ? '0' : check === 10 ? 'A' : String(check);
}

/** "a123456(3)", "A 123456 (3)", "A1234563" → "A1234563", or VOUCHER_DETAILS_INVALID naming hkid. */
export function assertHkid(input: string): string {
  const hkid = normaliseIdentityNumber(input);
  const match = /^([A-Z]{1,2})([0-9]{6})([0-9A])$/.exec(hkid);
  if (!match) invalid('hkid', `"${input}" is not an HKID number: one or two letters, six digits and a check digit, like A123456(3).`);
  const [, prefix, digits, check] = match as unknown as [string, string, string, string];
  if (hkidCheckDigit(prefix, digits) !== check) invalid('hkid', `The check digit of HKID "${input}" is wrong: check the number on the identity card.`);
  return hkid;
}

/** Whole years from a YYYY-MM-DD date of birth to `nowMs` (UTC). */
export function ageYears(dateOfBirth: string, nowMs: number): number {
  const birth = new Date(`${dateOfBirth}T00:00:00Z`);
  const now = new Date(nowMs);
  let age = now.getUTCFullYear() - birth.getUTCFullYear();
  const beforeBirthday = now.getUTCMonth() < birth.getUTCMonth() || (now.getUTCMonth() === birth.getUTCMonth() && now.getUTCDate() < birth.getUTCDate());
  if (beforeBirthday) age--;
  return age;
}

export type DetailsField = 'hkid' | 'name' | 'dateOfBirth' | 'residency';

/** What is wrong with one field, or null; each check stands alone, so a form can show every problem at once. */
const FIELD_CHECKS: readonly { field: DetailsField; check: (details: ApplicantDetails, nowMs: number) => string | null }[] = [
  {
    field: 'hkid',
    check: (details) => {
      if (details.hkid.trim() === '') return 'Enter the HKID number, as on the identity card, like A123456(3).';
      try {
        assertHkid(details.hkid);
        return null;
      } catch (error) {
        if (error instanceof CivichainError) return error.message;
        throw error;
      }
    },
  },
  {
    field: 'name',
    check: (details) => {
      const name = details.name.trim();
      if (name.length === 0) return 'Enter the name, as on the identity card.';
      return name.length > 120 ? 'The name must be 1–120 characters, as on the identity card.' : null;
    },
  },
  {
    field: 'dateOfBirth',
    check: (details, nowMs) => {
      if (details.dateOfBirth.trim() === '') return 'Enter the date of birth (YYYY-MM-DD).';
      const dob = /^(\d{4})-(\d{2})-(\d{2})$/.exec(details.dateOfBirth);
      const parsed = new Date(`${details.dateOfBirth}T00:00:00Z`);
      if (!dob || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== details.dateOfBirth) {
        return `"${details.dateOfBirth}" is not a date of birth in the form YYYY-MM-DD.`;
      }
      if (parsed.getTime() > nowMs) return 'The date of birth is in the future.';
      if (ageYears(details.dateOfBirth, nowMs) < MIN_AGE_YEARS) return `The applicant must be aged ${MIN_AGE_YEARS} or over; with this date of birth they are not.`;
      return null;
    },
  },
  {
    field: 'residency',
    check: (details) =>
      ELIGIBLE_RESIDENCY.includes(details.residency)
        ? null
        : `The scheme is for permanent residents and new arrivals; residency status "${details.residency}" is not eligible.`,
  },
];

/** Every field's problem, in form order (the wallet's dry run, `voucher.checkDetails`); empty when eligible. */
export function eligibilityProblems(details: ApplicantDetails, nowMs: number): { field: DetailsField; message: string }[] {
  return FIELD_CHECKS.flatMap(({ field, check }) => {
    const message = check(details, nowMs);
    return message === null ? [] : [{ field, message }];
  });
}

const RULES: Readonly<Record<DetailsField, string>> = {
  hkid: 'HKID number and check digit',
  name: 'Name as on the identity card',
  dateOfBirth: `Aged ${MIN_AGE_YEARS} or over`,
  residency: 'Permanent resident or new arrival',
};

const RESIDENCY_WORDS: Readonly<Record<ResidencyStatus, string>> = {
  permanent: 'Permanent resident',
  'new-arrival': 'New arrival',
  'non-permanent': 'Non-permanent resident',
  visitor: 'Visitor',
};

/** Each rule of the scheme on opened details, met or not, in words: what the Government desk shows a reviewer. */
export function eligibilityReport(details: ApplicantDetails, nowMs: number): { field: DetailsField; rule: string; ok: boolean; detail: string }[] {
  return FIELD_CHECKS.map(({ field, check }) => {
    const problem = check(details, nowMs);
    if (problem !== null) return { field, rule: RULES[field], ok: false, detail: problem };
    const detail =
      field === 'dateOfBirth' ? `${ageYears(details.dateOfBirth, nowMs)} years old.` : field === 'residency' ? `${RESIDENCY_WORDS[details.residency]}.` : field === 'hkid' ? 'Well formed, the check digit is right.' : 'Given.';
    return { field, rule: RULES[field], ok: true, detail };
  });
}

/** Checks every field and returns the details with the HKID normalised; throws naming the first bad field. */
export function assertEligible(details: ApplicantDetails, nowMs: number): ApplicantDetails {
  const [first] = eligibilityProblems(details, nowMs);
  if (first) invalid(first.field, first.message);
  return { hkid: assertHkid(details.hkid), name: details.name.trim(), dateOfBirth: details.dateOfBirth, residency: details.residency };
}
