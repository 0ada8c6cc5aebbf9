/**
 * Sealed applications: round trip, the known-answer vector in docs/PROTOCOL.md "Vouchers", and tamper
 * detection (every field, the binding, the recipient).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import { identityHash, normaliseIdentityNumber } from './identity';
import { isLowOrderKey, openApplication, sealApplication, sealRandomness, x25519KeyPair, type SealedApplication } from './seal';

const seed = (label: string): Buffer => createHash('sha256').update(label).digest();
/** The vector's fixed inputs: private keys and nonce are SHA-256 of these labels (the nonce truncated to 12 bytes). */
const reviewers = x25519KeyPair(seed('civichain-test/voucher-reviewers'));
const randomness = { ephemeralPrivateKey: seed('civichain-test/voucher-ephemeral'), nonce: seed('civichain-test/voucher-nonce').subarray(0, 12) };
const binding = { programme: 'hk-2021', applicant: 'a'.repeat(64) };
const details = { identityNumber: 'A1234567', name: 'Chan Tai Man', dateOfBirth: '1980-01-31', residency: 'permanent' };

function openError(sealed: SealedApplication, b = binding, key = reviewers.privateKey): CivichainError {
  try {
    openApplication(sealed, key, b);
  } catch (error) {
    if (error instanceof CivichainError) return error;
    throw error;
  }
  return expect.unreachable('the sealed application opened');
}

describe('sealApplication / openApplication', () => {
  it('round trip: the reviewers open what the applicant sealed', () => {
    const sealed = sealApplication(details, reviewers.publicKey, sealRandomness(), binding);
    expect(openApplication(sealed, reviewers.privateKey, binding)).toEqual(details);
    expect(sealed.recipient).toBe(reviewers.publicKey);
  });

  it('nothing readable: neither the name nor the identity number appears in the sealed form', () => {
    const sealed = JSON.stringify(sealApplication(details, reviewers.publicKey, randomness, binding));
    for (const needle of ['Chan', 'A1234567', '1980', 'permanent', Buffer.from('Chan').toString('base64url')]) expect(sealed).not.toContain(needle);
  });

  // Computed independently in Python with pyca/cryptography 48 (X25519PrivateKey, HKDF, AESGCM) from the same inputs.
  it('known answer (docs/PROTOCOL.md "Vouchers", seal vector)', () => {
    const sealed = sealApplication(details, reviewers.publicKey, randomness, binding);
    expect(reviewers.publicKey).toBe('wsB7lLegPnV8CJmBszKYLXLzcfPCNqC3RMQTNy8GsEM');
    expect(sealed).toEqual({ recipient: reviewers.publicKey, ephemeralPublicKey: 'a6nVqphm-T0F6EHQGqM0LunkF3KnQX7aYWvlupbVgmM', nonce: '4QbjYANJa7dFTVqX', ciphertext:
        'yP_gwlH36Xw0AateQ7z2l-HvzB7YU3h9zjDHJtlhtQTQQH8tgsVXQIONymv296CwR6UTp3BeAoR2J3Lo2MOUnvXenAoMRtAx-yaruZvMZ0Jq-PyAaY8C38dEhir76GciERMZE4XAYjdeD5hwnxwaSeb_me8jZg',
    });
    expect(openApplication(sealed, reviewers.privateKey, binding)).toEqual(details);
  });

  it('VOUCHER_SEAL_INVALID: any changed byte of the ciphertext, tag, nonce or ephemeral key', () => {
    const sealed = sealApplication(details, reviewers.publicKey, randomness, binding);
    const body = Buffer.from(sealed.ciphertext, 'base64url');
    for (const index of [0, body.length - 17, body.length - 1]) {
      const changed = Buffer.from(body);
      changed[index] = (changed[index] ?? 0) ^ 1;
      expect(openError({ ...sealed, ciphertext: changed.toString('base64url') }).code).toBe('VOUCHER_SEAL_INVALID');
    }
    const nonce = Buffer.from(sealed.nonce, 'base64url');
    nonce[0] = (nonce[0] ?? 0) ^ 1;
    expect(openError({ ...sealed, nonce: nonce.toString('base64url') }).code).toBe('VOUCHER_SEAL_INVALID');
    const other = x25519KeyPair(seed('other-ephemeral')).publicKey;
    expect(openError({ ...sealed, ephemeralPublicKey: other }).code).toBe('VOUCHER_SEAL_INVALID');
    expect(openError({ ...sealed, ciphertext: body.subarray(0, 10).toString('base64url') }).message).toMatch(/too short/);
    expect(openError({ ...sealed, nonce: 'short' }).message).toMatch(/malformed/);
    // RFC 7748 §6.1: a low-order ephemeral key (here the point 0) gives an all-zero secret and is refused.
    expect(openError({ ...sealed, ephemeralPublicKey: Buffer.alloc(32).toString('base64url') }).message).toMatch(/low-order/);
  });

  it('VOUCHER_SEAL_INVALID: sealed for another applicant or programme (copied details cannot be reused)', () => {
    const sealed = sealApplication(details, reviewers.publicKey, randomness, binding);
    expect(openError(sealed, { ...binding, applicant: 'b'.repeat(64) }).message).toMatch(/another programme or applicant/);
    expect(openError(sealed, { ...binding, programme: 'hk-2022' }).code).toBe('VOUCHER_SEAL_INVALID');
  });

  it('VOUCHER_SEAL_INVALID: sealed to another key, or a false recipient', () => {
    const other = x25519KeyPair(seed('other-reviewers'));
    const sealed = sealApplication(details, other.publicKey, randomness, binding);
    expect(openError(sealed).message).toMatch(/sealed to another key/);
    expect(openError({ ...sealed, recipient: reviewers.publicKey }).message).toMatch(/changed/);
  });

  it('refuses wrong-sized randomness and keys with a RangeError', () => {
    expect(() => sealApplication(details, reviewers.publicKey, { ...randomness, nonce: new Uint8Array(8) }, binding)).toThrow(RangeError);
    expect(() => sealApplication(details, 'abc', randomness, binding)).toThrow(/32 bytes in base64url/);
    expect(() => sealApplication(details, Buffer.alloc(32).toString('base64url'), randomness, binding)).toThrow(/low-order/);
  });
});

describe('isLowOrderKey', () => {
  const points = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
    '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  ];
  it('agrees with X25519 itself: each listed point (with or without the top bit) gives an all-zero secret and cannot be sealed to', () => {
    for (const hex of points) {
      for (const top of [0, 0x80]) {
        const bytes = Buffer.from(hex, 'hex');
        bytes[31] = (bytes[31] ?? 0) | top;
        const key = bytes.toString('base64url');
        expect(isLowOrderKey(key), hex).toBe(true);
        expect(() => sealApplication(details, key, randomness, binding), hex).toThrow(/low-order/);
      }
    }
  });
  it('real keys are not low order', () => {
    for (let i = 0; i < 50; i++) expect(isLowOrderKey(x25519KeyPair(seed(`key-${i}`)).publicKey)).toBe(false);
  });
});

describe('identityHash', () => {
  const secret = seed('civichain-test/identity-secret');
  it('one person whatever the case or spacing of the HKID', () => {
    expect(normaliseIdentityNumber(' a 123456 (7) ')).toBe('A1234567');
    const h = identityHash('A123456(7)', secret);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    for (const form of ['a123456(7)', 'A 123456 (7)', 'A1234567', 'a123456-7']) expect(identityHash(form, secret)).toBe(h);
    expect(identityHash('A123456(8)', secret)).not.toBe(h);
    expect(identityHash('A123456(7)', seed('another secret'))).not.toBe(h);
  });
  it('refuses a short secret', () => {
    expect(() => identityHash('A1234567', new Uint8Array(16))).toThrow(RangeError);
  });
});
