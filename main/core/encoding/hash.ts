import * as nodeCrypto from 'node:crypto';
import { canonicalBytes } from './canonicalJson';

/** One-shot `crypto.hash` (Node ≥ 20.12; package.json allows 20.11) skips a Hash object per call. */
const hasOneShot = typeof nodeCrypto.hash === 'function';

/** SHA-256 (FIPS 180-4) of `bytes` (a string: its UTF-8 bytes), lower-case hex. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return hasOneShot ? nodeCrypto.hash('sha256', bytes, 'hex') : nodeCrypto.createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of the RFC 8785 canonical form of `value`, lower-case hex. */
export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalBytes(value));
}
