/**
 * Residents for the voucher e2e specs, made through the node's API as the Wallet and the Government desk
 * would: a keystore identity, an application with a valid HKID, and the reviewer's approval (the demo node
 * holds the reviewer key). The node is shared by every spec of a worker, so each resident has a fresh HKID:
 * the ledger approves an identity number once.
 */
import { randomInt } from 'node:crypto';
import type { NodeApi } from './nodeApi';

export const DEMO_PROGRAMME = 'hk-consumption-2026';
const PASSPHRASE = 'e2e resident passphrase';

/**
 * The HKID check digit (as main/node/vouchers/eligibility.ts computes it): letters count 10–35 and a missing
 * second letter 36; weights 9…2; check = 11 − sum mod 11, where 10 is written "A" and 11 "0".
 */
export function hkidCheckDigit(prefix: string, digits: string): string {
  const letters = prefix.length === 1 ? ` ${prefix}` : prefix;
  const values = [...letters].map((c) => (c === ' ' ? 36 : c.charCodeAt(0) - 55)).concat([...digits].map(Number));
  const sum = values.reduce((total, value, i) => total + value * (9 - i), 0);
  const check = 11 - (sum % 11);
  return check === 11 ? '0' : check === 10 ? 'A' : String(check);
}

/** A random, well-formed HKID such as `K482913(7)`. */
export function randomHkid(): string {
  const prefix = String.fromCharCode(65 + randomInt(26));
  const digits = String(randomInt(1_000_000)).padStart(6, '0');
  return `${prefix}${digits}(${hkidCheckDigit(prefix, digits)})`;
}

export interface Resident {
  readonly id: string;
  readonly publicKey: string;
}

/** A new resident with HK$5,000 of vouchers: created, applied, approved, each step final. */
export async function approvedResident(api: NodeApi, label: string): Promise<Resident> {
  const identity = await api.call('keystore.create', { label, passphrase: PASSPHRASE });
  const { application } = await api.call('voucher.apply', {
    programme: DEMO_PROGRAMME,
    resident: identity.id,
    passphrase: PASSPHRASE,
    details: { hkid: randomHkid(), name: label, dateOfBirth: '1980-01-01', residency: 'permanent' },
  });
  const { applications } = await api.call('voucher.queue', { programme: DEMO_PROGRAMME, status: 'pending' });
  if (!applications.some((item) => item.application === application)) throw new TypeError(`The application of ${label} is not in the reviewers' queue.`);
  await api.call('voucher.decide', { programme: DEMO_PROGRAMME, application, decision: 'approve' });
  return { id: identity.id, publicKey: identity.publicKey };
}

/** The resident pays a payment code, as from their Wallet; answers the redemption's id. */
export async function pay(api: NodeApi, resident: Resident, code: string): Promise<string> {
  const { redemption } = await api.call('voucher.pay', { programme: DEMO_PROGRAMME, resident: resident.id, passphrase: PASSPHRASE, code });
  return redemption;
}

export async function spendableCents(api: NodeApi, resident: Resident): Promise<number> {
  return (await api.call('voucher.wallet', { programme: DEMO_PROGRAMME, resident: resident.id })).spendableCents;
}
