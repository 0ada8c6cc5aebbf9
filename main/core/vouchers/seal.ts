/**
 * Sealed voucher applications (DESIGN.md §6, docs/PROTOCOL.md "Vouchers"): the applicant's personal
 * details, encrypted to the programme's reviewers so that nothing readable reaches the ledger.
 *
 *   e, E      = an ephemeral X25519 key pair (RFC 7748 §5), fresh for each application
 *   shared    = X25519(e, R)                      R = the reviewers' sealing key
 *   key       = HKDF-SHA256(IKM = shared, salt = E || R, info = SEAL_INFO, L = 32)   (RFC 5869)
 *   aad       = JCS(["civichain/v1/voucher-application", programme, applicant])     (RFC 8785)
 *   ciphertext = AES-256-GCM(key, nonce (12 bytes), JCS(details), aad) || tag (16 bytes)   (NIST SP 800-38D)
 *
 * The additional data binds the sealed details to one programme and one applicant key: copying someone
 * else's sealed details into your own application makes them fail to open, so a reviewer can never approve
 * one person's details for another person's key. `recipient` names R so that the ledger can refuse an
 * application sealed to any other key; R also enters the key derivation, so a false `recipient` cannot open.
 *
 * Pure: the randomness is an input (`sealRandomness()` draws it for the node from node:crypto).
 */
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { CivichainError } from '../errors';
import { canonicalBytes, type CanonicalValue } from '../encoding/canonicalJson';

export const SEAL_INFO = 'civichain/v1/voucher-application';
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** A 32-byte value in base64url without padding. */
export const BASE64URL_32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
export const BASE64URL_12 = /^[A-Za-z0-9_-]{16}$/;

export interface SealedApplication {
  /** The reviewers' sealing key the details were sealed to (base64url, 32 bytes). */
  readonly recipient: string;
  /** E, base64url, 32 bytes. */
  readonly ephemeralPublicKey: string;
  /** base64url, 12 bytes. */
  readonly nonce: string;
  /** AES-256-GCM ciphertext followed by its 16-byte tag, base64url. */
  readonly ciphertext: string;
}

export interface SealRandomness {
  /** The ephemeral X25519 private key, 32 bytes. */
  readonly ephemeralPrivateKey: Uint8Array;
  readonly nonce: Uint8Array;
}

/** What the sealed details are bound to: the programme and the applicant's public key (hex). */
export interface SealBinding {
  readonly programme: string;
  readonly applicant: string;
}

export type ApplicationDetails = { readonly [key: string]: CanonicalValue };

export interface X25519KeyPair {
  /** base64url, 32 bytes. */
  readonly publicKey: string;
  readonly privateKey: KeyObject;
}

function assertBytes(value: Uint8Array, length: number, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}.`);
  }
  return value;
}

function decode32(value: string, what: string): Buffer {
  if (!BASE64URL_32.test(value)) throw new RangeError(`${what} must be 32 bytes in base64url.`);
  return Buffer.from(value, 'base64url');
}

/** An X25519 key pair from a 32-byte private key (RFC 7748 §5; Node clamps the scalar). */
export function x25519KeyPair(privateKey: Uint8Array): X25519KeyPair {
  const key = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, assertBytes(privateKey, 32, 'An X25519 private key')]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length).toString('base64url');
  return { publicKey, privateKey: key };
}

function x25519PublicKey(value: string, what: string): KeyObject {
  // As a JWK: about ten times faster to import than SPKI DER, and a desk opens thousands of applications.
  return createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: decode32(value, what).toString('base64url') }, format: 'jwk' });
}

function sealKey(shared: Buffer, ephemeralPublicKey: string, recipient: string): Buffer {
  const salt = Buffer.concat([Buffer.from(ephemeralPublicKey, 'base64url'), Buffer.from(recipient, 'base64url')]);
  return Buffer.from(hkdfSync('sha256', shared, salt, SEAL_INFO, 32));
}

/** X25519(k, u); null when u is a low-order point (RFC 7748 §6.1: an all-zero result must be refused). */
function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Buffer | null {
  try {
    const shared = diffieHellman({ privateKey, publicKey });
    return shared.every((b) => b === 0) ? null : shared;
  } catch {
    return null;
  }
}

/**
 * The encodings of the X25519 points of small order, with the top bit cleared (RFC 7748 §5 masks it): u = 0,
 * 1, the two points of order 8, p − 1, and the non-canonical p and p + 1 (the list libsodium refuses;
 * each checked in Python with pyca/cryptography, which refuses their all-zero shared secret).
 */
const LOW_ORDER_POINTS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

/** Whether a base64url X25519 public key is a point of small order, to which nothing can be sealed (RFC 7748 §6.1). */
export function isLowOrderKey(publicKey: string): boolean {
  const bytes = decode32(publicKey, 'The X25519 key');
  bytes[31] = (bytes[31] ?? 0) & 0x7f;
  return LOW_ORDER_POINTS.includes(bytes.toString('hex'));
}

function sealAad(binding: SealBinding): Uint8Array {
  return canonicalBytes([SEAL_INFO, binding.programme, binding.applicant]);
}

/** Fresh randomness for one sealing, from node:crypto (the only impure call here; the node calls it). */
export function sealRandomness(): SealRandomness {
  return { ephemeralPrivateKey: randomBytes(32), nonce: randomBytes(NONCE_BYTES) };
}

/** Seals `details` to the reviewers' X25519 key, bound to a programme and an applicant key. */
export function sealApplication(details: ApplicationDetails, reviewersPublicKey: string, randomness: SealRandomness, binding: SealBinding): SealedApplication {
  const recipient = x25519PublicKey(reviewersPublicKey, 'The reviewers\' sealing key');
  const nonce = Buffer.from(assertBytes(randomness.nonce, NONCE_BYTES, 'The nonce'));
  const ephemeral = x25519KeyPair(randomness.ephemeralPrivateKey);
  const shared = sharedSecret(ephemeral.privateKey, recipient);
  if (!shared) throw new RangeError('The reviewers\' sealing key is a low-order X25519 point: nothing sealed to it would be secret.');
  const cipher = createCipheriv('aes-256-gcm', sealKey(shared, ephemeral.publicKey, reviewersPublicKey), nonce);
  cipher.setAAD(sealAad(binding));
  const body = Buffer.concat([cipher.update(canonicalBytes(details)), cipher.final(), cipher.getAuthTag()]);
  return Object.freeze({ recipient: reviewersPublicKey, ephemeralPublicKey: ephemeral.publicKey, nonce: nonce.toString('base64url'), ciphertext: body.toString('base64url') });
}

/** The reviewers' public key of their private key, derived once per key object (a government desk opens thousands). */
const publicKeys = new WeakMap<KeyObject, string>();
function publicKeyOf(privateKey: KeyObject): string {
  let key = publicKeys.get(privateKey);
  if (key === undefined) {
    key = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length).toString('base64url');
    publicKeys.set(privateKey, key);
  }
  return key;
}

/**
 * Opens sealed details with the reviewers' private key. Throws VOUCHER_SEAL_INVALID when they were not
 * sealed to this key, were sealed for another programme or applicant, or were changed in any byte.
 */
export function openApplication(sealed: SealedApplication, reviewersPrivateKey: KeyObject, binding: SealBinding): ApplicationDetails {
  const invalid = (why: string): never => {
    throw new CivichainError('VOUCHER_SEAL_INVALID', `The sealed application cannot be opened: ${why}. Ask the applicant to apply again from their wallet.`, { why });
  };
  let ephemeral: KeyObject;
  let nonce: Buffer;
  let body: Buffer;
  try {
    ephemeral = x25519PublicKey(sealed.ephemeralPublicKey, 'The ephemeral key');
    decode32(sealed.recipient, 'The recipient');
    if (!BASE64URL_12.test(sealed.nonce)) throw new RangeError('bad nonce');
    nonce = Buffer.from(sealed.nonce, 'base64url');
    body = Buffer.from(sealed.ciphertext, 'base64url');
  } catch {
    return invalid('it is malformed');
  }
  if (body.length < TAG_BYTES) return invalid('it is too short');
  const ours = publicKeyOf(reviewersPrivateKey);
  if (sealed.recipient !== ours) return invalid('it was sealed to another key');
  const shared = sharedSecret(reviewersPrivateKey, ephemeral);
  if (!shared) return invalid('its ephemeral key is a low-order point');
  const decipher = createDecipheriv('aes-256-gcm', sealKey(shared, sealed.ephemeralPublicKey, sealed.recipient), nonce);
  decipher.setAAD(sealAad(binding));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return invalid('it was changed, or sealed for another programme or applicant');
  }
  const details: unknown = JSON.parse(plain.toString('utf8'));
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return invalid('it does not hold an object');
  return details as ApplicationDetails;
}
