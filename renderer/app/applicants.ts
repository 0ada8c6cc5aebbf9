/**
 * How the Government desk reads an application: the HKID as printed on the card, the residency status in
 * words, and whether an application matches what the reviewer typed in the search box. The eligibility rules
 * and the age are the node's (VoucherQueueItem.eligibility, .ageYears): the desk holds no copy of them.
 */
import type { VoucherQueueItem, VoucherResidency } from '../../preload/contract';

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
