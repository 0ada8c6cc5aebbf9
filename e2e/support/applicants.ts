/**
 * Voucher applicants for the Government desk's tests, made as a resident's Wallet would make them, through the
 * node's API: a resident identity in the node's keystore (keystore.create), then an application with personal
 * details sealed to the reviewers (voucher.apply). Each HKID is new (the node is shared by a worker's specs)
 * and valid: its check digit is computed as main/node/vouchers/eligibility.ts does.
 */
import { randomInt } from 'node:crypto';
import type { IdentitySummary } from '../../preload/contract';
import type { NodeApi } from './nodeApi';

export const PROGRAMME = 'hk-consumption-2026';
export const PASSPHRASE = 'correct horse battery';

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

/** A fresh, valid HKID as printed on a card: "Z123456(7)", and its parts for writing it other ways. */
export function freshHkid(prefix = 'Z'): { printed: string; prefix: string; digits: string; check: string } {
  const digits = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const check = hkidCheckDigit(prefix, digits);
  return { printed: `${prefix}${digits}(${check})`, prefix, digits, check };
}

export interface Applicant {
  readonly identity: IdentitySummary;
  readonly application: string;
  readonly name: string;
}

/** A resident applies: a new keystore identity, then voucher.apply (answered once final). */
export async function apply(api: NodeApi, options: { name: string; hkid: string; dateOfBirth?: string; residency?: 'permanent' | 'new-arrival' }): Promise<Applicant> {
  const identity = await api.call('keystore.create', { label: options.name, passphrase: PASSPHRASE });
  const { application } = await api.call('voucher.apply', {
    programme: PROGRAMME,
    resident: identity.id,
    passphrase: PASSPHRASE,
    details: { hkid: options.hkid, name: options.name, dateOfBirth: options.dateOfBirth ?? '1980-01-01', residency: options.residency ?? 'permanent' },
  });
  return { identity, application, name: options.name };
}

/** A name no other test on this node uses: "Chan Tai Man 4821". */
export function uniqueName(base: string): string {
  return `${base} ${randomInt(1000, 10_000)}`;
}

