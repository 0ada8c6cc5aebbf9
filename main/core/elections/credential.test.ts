/**
 * Ballot credentials: RSAPBSSA-SHA384-PSS-Deterministic (draft-amjad-cfrg-partially-blind-rsa-02) verified
 * with node:crypto. Credentials come from the fixed test keys of testElection.ts; interoperability with
 * @cloudflare/blindrsa-ts (the booth's blinding) is tested in main/node/elections/blindrsa.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { testKey } from '../ledger/testFixtures';
import { CREDENTIAL_SUITE, CredentialVerifier, credentialInfo, credentialKeySchema, derivedExponent, type CredentialClaim } from './credential';
import { OTHER_CREDENTIAL_KEY, TEST_CREDENTIAL_KEY, TestCredentialIssuer, publicCredentialKey } from './testElection';

const issuer = new TestCredentialIssuer();
const key = publicCredentialKey(TEST_CREDENTIAL_KEY);
const CHAIN = 'civichain-test';
const ballotKey = testKey('ballot-1').publicKey;

function claim(options: { electionId?: string; chainId?: string; message?: string; signature?: string } = {}): CredentialClaim {
  const info = credentialInfo(options.chainId ?? CHAIN, options.electionId ?? 'city-2026');
  return { key, info, message: Buffer.from(options.message ?? ballotKey, 'hex'), signature: options.signature ?? issuer.issue(CHAIN, 'city-2026', ballotKey) };
}

function withByte(signature: string, index: number, change: (b: number) => number): string {
  const bytes = Buffer.from(signature, 'base64url');
  bytes[index] = change(bytes[index] as number);
  return bytes.toString('base64url');
}

describe('the public metadata and the derived key', () => {
  it('info binds a credential to one election of one chain', () => {
    expect(credentialInfo('civichain-test', 'city-2026').toString('utf8')).toBe('civichain/v1/ballot-credential/civichain-test/city-2026');
  });

  it("DerivePublicKey: e' is half the modulus long, its top two bits clear and its low bit set (odd)", () => {
    const info = credentialInfo(CHAIN, 'city-2026');
    const ePrime = derivedExponent(key, info);
    expect(ePrime.length).toBe(128);
    expect((ePrime[0] as number) & 0xc0).toBe(0);
    expect((ePrime[127] as number) & 1).toBe(1);
    // Deterministic, and different for another election, another chain or another modulus.
    expect(derivedExponent(key, info).equals(ePrime)).toBe(true);
    expect(derivedExponent(key, credentialInfo(CHAIN, 'town-2026')).equals(ePrime)).toBe(false);
    expect(derivedExponent(key, credentialInfo('civichain-other', 'city-2026')).equals(ePrime)).toBe(false);
    expect(derivedExponent(publicCredentialKey(OTHER_CREDENTIAL_KEY), info).equals(ePrime)).toBe(false);
    // The public exponent e plays no part: the draft derives e' from n and info alone.
    expect(derivedExponent({ ...key, e: 'AAEAAQ' }, info).equals(ePrime)).toBe(true);
  });

  it('the key schema: the suite, a 2048–4096-bit modulus in base64url', () => {
    expect(credentialKeySchema.safeParse(key).success).toBe(true);
    expect(key.suite).toBe(CREDENTIAL_SUITE);
    expect(credentialKeySchema.safeParse({ ...key, suite: 'RSABSSA-SHA384-PSS-Deterministic' }).success).toBe(false);
    expect(credentialKeySchema.safeParse({ ...key, n: key.n.slice(0, 300) }).success).toBe(false);
    expect(credentialKeySchema.safeParse({ ...key, n: `${key.n.slice(1)}=` }).success).toBe(false);
    expect(credentialKeySchema.safeParse({ ...key, d: 'AQAB' }).success).toBe(false);
  });
});

describe('CredentialVerifier', () => {
  it('a credential issued for the ballot key and the election verifies', () => {
    expect(new CredentialVerifier().verifyNow(claim())).toBe(true);
    expect(new CredentialVerifier().verify(claim())).toBe(true);
  });

  it('refuses a credential for another election, chain or ballot key, or under another credential key', () => {
    const verifier = new CredentialVerifier();
    expect(verifier.verify(claim({ electionId: 'town-2026' }))).toBe(false);
    expect(verifier.verify(claim({ chainId: 'civichain-other' }))).toBe(false);
    expect(verifier.verify(claim({ message: testKey('ballot-2').publicKey }))).toBe(false);
    expect(verifier.verify({ ...claim(), key: publicCredentialKey(OTHER_CREDENTIAL_KEY) })).toBe(false);
    expect(verifier.verify(claim({ signature: new TestCredentialIssuer(OTHER_CREDENTIAL_KEY).issue(CHAIN, 'city-2026', ballotKey) }))).toBe(false);
  });

  it('refuses a changed bit, a wrong length, junk text, and the signature of zero or of n-1', () => {
    const verifier = new CredentialVerifier();
    const good = issuer.issue(CHAIN, 'city-2026', ballotKey);
    for (const index of [0, 100, 255]) expect(verifier.verify(claim({ signature: withByte(good, index, (b) => b ^ 1) }))).toBe(false);
    const bytes = Buffer.from(good, 'base64url');
    expect(verifier.verify(claim({ signature: bytes.subarray(1).toString('base64url') }))).toBe(false);
    expect(verifier.verify(claim({ signature: Buffer.concat([bytes, Buffer.from([0])]).toString('base64url') }))).toBe(false);
    expect(verifier.verify(claim({ signature: Buffer.concat([Buffer.from([0]), bytes]).toString('base64url') }))).toBe(false);
    for (const junk of ['', `${good}=`, good.replace(/[A-Za-z]/, '+'), 'AAAA']) expect(verifier.verify(claim({ signature: junk }))).toBe(false);
    expect(verifier.verify(claim({ signature: Buffer.alloc(256).toString('base64url') }))).toBe(false);
    const nMinus1 = Buffer.from(key.n, 'base64url');
    nMinus1[255] = (nMinus1[255] as number) - 1;
    expect(verifier.verify(claim({ signature: nMinus1.toString('base64url') }))).toBe(false);
    // A signature not below the modulus is refused, not thrown.
    expect(verifier.verify(claim({ signature: Buffer.alloc(256, 0xff).toString('base64url') }))).toBe(false);
  });

  it('remembers what verified; verifyNow does not consult the memo', () => {
    const verifier = new CredentialVerifier();
    const bad = claim({ electionId: 'town-2026' });
    // remember() is for verdicts reached in a worker thread: it is trusted, and only verify() reads it.
    verifier.remember(bad);
    expect(verifier.verify(bad)).toBe(true);
    expect(verifier.verifyNow(bad)).toBe(false);
    expect(new CredentialVerifier().verify(bad)).toBe(false);
  });

  it('a full memo is emptied, not grown: the oldest verdicts are forgotten', () => {
    const verifier = new CredentialVerifier(2);
    const bad = [1, 2, 3].map((n) => claim({ electionId: `town-${n}`, message: testKey(`ballot-${n}`).publicKey }));
    for (const c of bad) verifier.remember(c);
    expect(verifier.verify(bad[0] as CredentialClaim)).toBe(false);
    expect(verifier.verify(bad[2] as CredentialClaim)).toBe(true);
  });

  it('more elections than its derived-key cache holds still verify, each against its own key', { timeout: 30_000 }, () => {
    const verifier = new CredentialVerifier();
    for (let i = 0; i < 70; i++) {
      const electionId = `election-${i}`;
      const info = credentialInfo(CHAIN, electionId);
      const signature = issuer.issue(CHAIN, electionId, ballotKey);
      expect(verifier.verifyNow({ key, info, message: Buffer.from(ballotKey, 'hex'), signature })).toBe(true);
      if (i > 0) expect(verifier.verifyNow({ key, info: credentialInfo(CHAIN, `election-${i - 1}`), message: Buffer.from(ballotKey, 'hex'), signature })).toBe(false);
    }
  });
});
