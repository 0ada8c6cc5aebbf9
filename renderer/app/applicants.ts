/**
 * How the Government desk reads an application: the HKID as printed on the card, the applicant's age, the
 * residency status in words, what the eligibility rules say (DESIGN.md §6: permanent resident or new arrival,
 * aged 18 or over), and whether an application matches what the reviewer typed in the search box.
 * The node checks eligibility again when it approves; these only help the reviewer see it first.
 */
import type { VoucherApplicantDetails, VoucherQueueItem, VoucherResidency } from '../../preload/contract';

export const MIN_AGE_YEARS = 18;
const ELIGIBLE_RESIDENCY: readonly VoucherResidency[] = ['permanent', 'new-arrival'];

export const RESIDENCY_LABELS: Readonly<Record<VoucherResidency, string>> = {
  permanent: 'Permanent resident',
  'new-arrival': 'New arrival',
  'non-permanent': 'Non-permanent resident',
  visitor: 'Visitor',
};

/** "A1234563" (as the node keeps it) → "A123456(3)", as on the identity card; anything else as it is. */
export function formatHkid(hkid: string): string {
  const match = /^([A-Z]{1,2}[0-9]{6})([0-9A])$/.exec(hkid);
  return match ? `${match[1]}(${match[2]})` : hkid;
}

/** Whole years from a YYYY-MM-DD date of birth to `nowMs` (UTC, as the node counts), or null if not a date. */
export function ageYears(dateOfBirth: string, nowMs: number): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const now = new Date(nowMs);
  let age = now.getUTCFullYear() - year;
  const beforeBirthday = now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age;
}

export interface EligibilityCheck {
  readonly label: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The scheme's two rules on the opened details, each said in words, passed or not. */
export function eligibilityChecks(details: VoucherApplicantDetails, nowMs: number): EligibilityCheck[] {
  const age = ageYears(details.dateOfBirth, nowMs);
  const residency = RESIDENCY_LABELS[details.residency] ?? details.residency;
  return [
    {
      label: `Aged ${MIN_AGE_YEARS} or over`,
      ok: age !== null && age >= MIN_AGE_YEARS,
      detail: age === null ? `The date of birth "${details.dateOfBirth}" is not a date.` : `${age} years old.`,
    },
    {
      label: 'Permanent resident or new arrival',
      ok: ELIGIBLE_RESIDENCY.includes(details.residency),
      detail: `${residency}.`,
    },
  ];
}

/** Letters and digits only, upper case: "a123456(3)", "A 123456 3" and "A1234563" all read "A1234563". */
function compact(text: string): string {
  return text.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

/**
 * Whether an application matches the search: its name (any part, any case), its HKID however it is written
 * (case, spaces, brackets), or its applicant key (hex, or a fingerprint with its spaces). Empty matches all.
 */
export function matchesSearch(item: VoucherQueueItem, query: string): boolean {
  const words = query.trim().toLowerCase();
  if (words === '') return true;
  if (item.details?.name.toLowerCase().includes(words)) return true;
  const letters = compact(query);
  if (letters.length === 0) return false;
  if (item.details && compact(item.details.hkid).includes(letters)) return true;
  const hex = letters.toLowerCase();
  return /^[0-9a-f]{4,}$/.test(hex) && (item.applicant.includes(hex) || item.application.startsWith(hex));
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

/** An instalment's day or a date of birth: `1 Jul 2030` (UTC, as the programme's times are set). */
export function formatDay(ms: number): string {
  return dateFormat.format(new Date(ms));
}

/** A date of birth as written on the card, for a person: `1 Jan 1980`; as given if it is not a date. */
export function formatDateOfBirth(dateOfBirth: string): string {
  const ms = Date.parse(`${dateOfBirth}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth) && !Number.isNaN(ms) ? formatDay(ms) : dateOfBirth;
}

export type InstalmentState = 'not-released' | 'released' | 'expired';

export function instalmentState(instalment: { releaseAtMs: number; expiresAtMs: number }, nowMs: number): InstalmentState {
  if (nowMs < instalment.releaseAtMs) return 'not-released';
  return nowMs < instalment.expiresAtMs ? 'released' : 'expired';
}
