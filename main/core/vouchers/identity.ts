/**
 * The keyed hash of an identity number that an approval carries (DESIGN.md §6): HMAC-SHA256 (RFC 2104) of
 * the normalised HKID with a secret that only government nodes hold, lower-case hex. The ledger refuses a
 * second approval with the same hash, so the normalisation makes "a123456(7)", "A 123456 (7)" and
 * "A1234567" one person.
 */
import { createHmac } from 'node:crypto';

/** Upper case, without spaces, parentheses or dashes: "A123456(7)" → "A1234567". */
export function normaliseIdentityNumber(identityNumber: string): string {
  return identityNumber.toUpperCase().replace(/[\s()-]/g, '');
}

export function identityHash(identityNumber: string, secret: Uint8Array): string {
  if (secret.length < 32) throw new RangeError(`The identity hashing secret must be at least 32 bytes, got ${secret.length}.`);
  return createHmac('sha256', secret).update(normaliseIdentityNumber(identityNumber), 'utf8').digest('hex');
}
