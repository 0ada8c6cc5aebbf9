/**
 * Ballot credentials: partially-blind RSA signatures (RSAPBSSA-SHA384-PSS-Deterministic, draft-amjad-cfrg-
 * partially-blind-rsa-02, the partially-blind variant of RFC 9474) by the election's credential key over the
 * 32 bytes of a fresh ballot key, with the election as public metadata (`info`). The booth blinds, the
 * official's node signs without seeing the ballot key, the booth unblinds; the ledger verifies here.
 *
 * Verification is synchronous (node:crypto) so that rules stay pure functions. With the metadata, the
 * public exponent is derived per election and is as long as half the modulus, which makes one
 * verification cost about a millisecond: the node does it in worker threads and remembers the result.
 */
import { createHash, createPublicKey, hkdfSync, constants, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const CREDENTIAL_SUITE = 'RSAPBSSA-SHA384-PSS-Deterministic';
/** PSS salt length of the suite (the SHA-384 output length). */
const SALT_LENGTH = 48;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export const credentialKeySchema = z
  .object({
    suite: z.literal(CREDENTIAL_SUITE),
    /** RSA modulus, base64url, big-endian; 2048 to 4096 bits. */
    n: z.string().regex(BASE64URL).min(342).max(683),
    /** RSA public exponent, base64url. */
    e: z.string().regex(BASE64URL).min(2).max(8),
  })
  .strict();
export type CredentialKey = z.infer<typeof credentialKeySchema>;

/** The public metadata that binds a credential to one election of one chain. */
export function credentialInfo(chainId: string, electionId: string): Buffer {
  return Buffer.from(`civichain/v1/ballot-credential/${chainId}/${electionId}`, 'utf8');
}

function modulusBytes(key: CredentialKey): Buffer {
  return Buffer.from(key.n, 'base64url');
}

/** DerivePublicKey(pk, info) of the draft: the per-election exponent e'. */
export function derivedExponent(key: CredentialKey, info: Uint8Array): Buffer {
  const n = modulusBytes(key);
  const lambdaLen = n.length / 2;
  const expanded = Buffer.from(
    hkdfSync('sha384', Buffer.concat([Buffer.from('key'), info, Buffer.from([0])]), n, Buffer.from('PBRSA'), lambdaLen + 16),
  );
  expanded[0] = (expanded[0] as number) & 0x3f;
  expanded[lambdaLen - 1] = (expanded[lambdaLen - 1] as number) | 0x01;
  return expanded.subarray(0, lambdaLen);
}

/** msg' = "msg" || len(info) as 4 bytes || info || msg: what the RSA-PSS signature covers. */
export function messagePrime(info: Uint8Array, message: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(info.length);
  return Buffer.concat([Buffer.from('msg'), length, info, message]);
}

export interface CredentialClaim {
  readonly key: CredentialKey;
  readonly info: Uint8Array;
  /** The ballot's Ed25519 public key, 32 bytes. */
  readonly message: Uint8Array;
  /** The unblinded signature, base64url. */
  readonly signature: string;
}

/**
 * Verifies credentials, caching the derived key per election and, optionally, remembering verdicts reached
 * elsewhere (a worker thread). An instance per node, not module state.
 */
export class CredentialVerifier {
  private readonly derived = new Map<string, KeyObject>();
  private readonly verified = new Set<string>();
  constructor(private readonly capacity = 100_000) {}

  private derivedKey(key: CredentialKey, info: Uint8Array): KeyObject {
    const id = `${key.n}|${key.e}|${Buffer.from(info).toString('base64url')}`;
    let keyObject = this.derived.get(id);
    if (!keyObject) {
      keyObject = createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: key.n, e: derivedExponent(key, info).toString('base64url') } });
      if (this.derived.size >= 64) this.derived.clear();
      this.derived.set(id, keyObject);
    }
    return keyObject;
  }

  private static id(claim: CredentialClaim): string {
    return createHash('sha256')
      .update(claim.key.n)
      .update(Buffer.from(claim.info))
      .update(Buffer.from(claim.message))
      .update(claim.signature)
      .digest('base64url');
  }

  /** Records that a claim verified (in a worker): the next `verify` of it is a lookup. */
  remember(claim: CredentialClaim): void {
    if (this.verified.size >= this.capacity) this.verified.clear();
    this.verified.add(CredentialVerifier.id(claim));
  }

  verify(claim: CredentialClaim): boolean {
    if (this.verified.has(CredentialVerifier.id(claim))) return true;
    const ok = this.verifyNow(claim);
    if (ok) this.remember(claim);
    return ok;
  }

  /** Verifies without consulting the memo. */
  verifyNow(claim: CredentialClaim): boolean {
    if (!BASE64URL.test(claim.signature)) return false;
    const signature = Buffer.from(claim.signature, 'base64url');
    if (signature.length !== modulusBytes(claim.key).length) return false;
    try {
      return verify(
        'sha384',
        messagePrime(claim.info, claim.message),
        { key: this.derivedKey(claim.key, claim.info), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: SALT_LENGTH },
        signature,
      );
    } catch {
      return false;
    }
  }
}
