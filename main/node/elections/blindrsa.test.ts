/**
 * The booth's side of the credential protocol is @cloudflare/blindrsa-ts; the node's BlindSign and the
 * ledger's verification are node:crypto. These tests hold the two implementations to each other.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { RSAPBSSA } from '@cloudflare/blindrsa-ts';
import { describe, expect, it } from 'vitest';
import { CredentialVerifier, credentialInfo } from '../../core/elections/credential';
import { DEMO_CREDENTIAL_KEY } from '../workspace/demoElection';
import { blindSign, credentialPublicKey, deriveSigningKey } from './credentialIssuer';

const suite = RSAPBSSA.SHA384.PSS.Deterministic();

async function boothKey() {
  const { n, e } = DEMO_CREDENTIAL_KEY;
  return webcrypto.subtle.importKey('jwk', { kty: 'RSA', n, e, alg: 'PS384', ext: true }, { name: 'RSA-PSS', hash: 'SHA-384' }, true, ['verify']);
}

describe('partially-blind RSA credentials', () => {
  const info = credentialInfo('civichain-demo-1', 'demo-general-2026');
  const signer = deriveSigningKey(DEMO_CREDENTIAL_KEY, info);

  it('a credential blinded by the library, signed by the node and finalized by the library verifies on the ledger', async () => {
    const ballotKey = randomBytes(32);
    const publicKey = await boothKey();
    const { blindedMsg, inv } = await suite.blind(publicKey, ballotKey, info);
    const blindSignature = blindSign(signer, blindedMsg);
    const credential = await suite.finalize(publicKey, ballotKey, info, new Uint8Array(blindSignature), inv);
    const claim = { key: credentialPublicKey(DEMO_CREDENTIAL_KEY), info, message: ballotKey, signature: Buffer.from(credential).toString('base64url') };
    expect(new CredentialVerifier().verifyNow(claim)).toBe(true);
    // The library agrees that it verifies.
    expect(await suite.verify(publicKey, credential, ballotKey, info)).toBe(true);
  });

  it('a credential for another election, another ballot key, or a changed byte does not verify', async () => {
    const ballotKey = randomBytes(32);
    const publicKey = await boothKey();
    const { blindedMsg, inv } = await suite.blind(publicKey, ballotKey, info);
    const credential = Buffer.from(await suite.finalize(publicKey, ballotKey, info, new Uint8Array(blindSign(signer, blindedMsg)), inv));
    const key = credentialPublicKey(DEMO_CREDENTIAL_KEY);
    const verifier = new CredentialVerifier();
    const other = credentialInfo('civichain-demo-1', 'another-election');
    expect(verifier.verifyNow({ key, info: other, message: ballotKey, signature: credential.toString('base64url') })).toBe(false);
    expect(verifier.verifyNow({ key, info, message: randomBytes(32), signature: credential.toString('base64url') })).toBe(false);
    const flipped = Buffer.from(credential);
    flipped[100] = (flipped[100] as number) ^ 1;
    expect(verifier.verifyNow({ key, info, message: ballotKey, signature: flipped.toString('base64url') })).toBe(false);
    expect(verifier.verifyNow({ key, info, message: ballotKey, signature: 'AAAA' })).toBe(false);
  });

  it('refuses a blinded message of the wrong size', () => {
    expect(() => blindSign(signer, new Uint8Array(10))).toThrow(/must be 256 bytes/);
  });
});
