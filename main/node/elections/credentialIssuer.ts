/**
 * The election's credential key on the officials' node: generating it (two safe primes, as partially-blind
 * RSA requires) and signing blinded ballot keys (BlindSign of draft-amjad-cfrg-partially-blind-rsa-02).
 *
 * The private operation is OpenSSL's (a raw RSA decryption with the per-election derived exponent, with
 * CRT), not JavaScript big-number code: signing costs about a millisecond and does not hold the event loop.
 * The booth's side (Blind, Finalize) is @cloudflare/blindrsa-ts; blindrsa.int.test.ts checks the two agree.
 */
import { constants, createPrivateKey, createPublicKey, generatePrime, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { CivichainError } from '../../core/errors';
import { CREDENTIAL_SUITE, derivedExponent, type CredentialKey } from '../../core/elections/credential';

/** An RSA private key as JWK fields (base64url big-endian integers). */
export interface CredentialPrivateKey {
  readonly n: string;
  readonly e: string;
  readonly d: string;
  readonly p: string;
  readonly q: string;
}

const toBig = (b64: string): bigint => BigInt(`0x${Buffer.from(b64, 'base64url').toString('hex') || '0'}`);
function toB64(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new CivichainError('CREDENTIAL_KEY_INVALID', 'The credential key cannot sign for this election (no inverse).');
  return ((oldS % m) + m) % m;
}

function safePrime(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) =>
    generatePrime(bits, { safe: true, bigint: true }, (error, prime) => (error ? reject(error) : resolve(prime))),
  );
}

/** A fresh 2048-bit credential key. Safe primes take a few seconds; OpenSSL finds them off the main thread. */
export async function generateCredentialKey(): Promise<CredentialPrivateKey> {
  const e = 65537n;
  for (;;) {
    const [p, q] = await Promise.all([safePrime(1024), safePrime(1024)]);
    const n = p * q;
    if (p === q || n.toString(2).length !== 2048) continue;
    const d = modInverse(e, (p - 1n) * (q - 1n));
    return { n: toB64(n), e: toB64(e), d: toB64(d), p: toB64(p), q: toB64(q) };
  }
}

export function credentialPublicKey(key: CredentialPrivateKey): CredentialKey {
  return { suite: CREDENTIAL_SUITE, n: key.n, e: key.e };
}

/** The per-election signing key (n, e', d') as OpenSSL key objects, cached per election by the caller. */
export interface DerivedSigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly modulusBytes: number;
}

export function deriveSigningKey(key: CredentialPrivateKey, info: Uint8Array): DerivedSigningKey {
  const [p, q] = [toBig(key.p), toBig(key.q)];
  const ePrime = derivedExponent(credentialPublicKey(key), info);
  const e = toBig(ePrime.toString('base64url'));
  const d = modInverse(e, (p - 1n) * (q - 1n));
  const jwk = {
    kty: 'RSA',
    n: key.n,
    e: ePrime.toString('base64url'),
    d: toB64(d),
    p: key.p,
    q: key.q,
    dp: toB64(d % (p - 1n)),
    dq: toB64(d % (q - 1n)),
    qi: toB64(modInverse(q, p)),
  };
  return {
    privateKey: createPrivateKey({ format: 'jwk', key: jwk }),
    publicKey: createPublicKey({ format: 'jwk', key: { kty: 'RSA', n: jwk.n, e: jwk.e } }),
    modulusBytes: Buffer.from(key.n, 'base64url').length,
  };
}

/**
 * BlindSign: s = m^d' mod n, checked by m = s^e' mod n before it is released (a fault in the private
 * operation must not leak the key). The blinded message is the booth's; it reveals nothing of the ballot key.
 */
export function blindSign(key: DerivedSigningKey, blindedMessage: Uint8Array): Buffer {
  if (blindedMessage.length !== key.modulusBytes) {
    throw new CivichainError('CREDENTIAL_BAD_REQUEST', `The blinded message must be ${key.modulusBytes} bytes; it is ${blindedMessage.length}.`);
  }
  const m = Buffer.from(blindedMessage);
  let signature: Buffer;
  try {
    signature = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, m);
  } catch {
    throw new CivichainError('CREDENTIAL_BAD_REQUEST', 'The blinded message is not a number below the key modulus.');
  }
  const check = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, signature);
  if (!check.equals(m)) throw new CivichainError('CREDENTIAL_SIGN_FAILED', 'The blind signature did not check; nothing was released.');
  return signature;
}
