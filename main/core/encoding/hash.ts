import { createHash } from 'node:crypto';
import { canonicalBytes } from './canonicalJson';

/** SHA-256 (FIPS 180-4) of `bytes`, lower-case hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of the RFC 8785 canonical form of `value`, lower-case hex. */
export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalBytes(value));
}
