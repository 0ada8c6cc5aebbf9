import { describe, expect, it } from 'vitest';
import { PublicKeyCache } from '../../core/crypto/ed25519';
import { HANDSHAKE_DOMAIN, handshakeTranscript, newChallenge, signHandshake, verifyHandshake } from './handshake';
import { makeNodeKey } from './testing';

describe('handshake signatures', () => {
  const a = makeNodeKey();
  const b = makeNodeKey();
  const fields = {
    chainId: 'civichain-test',
    genesisHash: 'ab'.repeat(32),
    signer: a.publicKey,
    signerChallenge: newChallenge(),
    peer: b.publicKey,
    peerChallenge: newChallenge(),
  };

  it('signs over the domain, 0x00 and the canonical transcript', () => {
    const transcript = handshakeTranscript(fields);
    expect(transcript.subarray(0, HANDSHAKE_DOMAIN.length + 1).toString('latin1')).toBe(`${HANDSHAKE_DOMAIN}\u0000`);
    expect(JSON.parse(transcript.subarray(HANDSHAKE_DOMAIN.length + 1).toString('utf8'))).toEqual(fields);
  });

  it('verifies for the signer, and for nothing else', () => {
    const keys = new PublicKeyCache();
    const signature = signHandshake(fields, a.privateKey);
    expect(verifyHandshake(fields, signature, keys)).toBe(true);
    // Reflected back (signer and peer swapped), replayed on another connection, or for another genesis.
    expect(verifyHandshake({ ...fields, signer: b.publicKey, peer: a.publicKey }, signature, keys)).toBe(false);
    expect(verifyHandshake({ ...fields, peerChallenge: newChallenge() }, signature, keys)).toBe(false);
    expect(verifyHandshake({ ...fields, genesisHash: 'cd'.repeat(32) }, signature, keys)).toBe(false);
    expect(verifyHandshake(fields, signHandshake(fields, b.privateKey), keys)).toBe(false);
    expect(verifyHandshake(fields, 'zz', keys)).toBe(false);
    expect(verifyHandshake({ ...fields, signer: 'not a key' }, signature, keys)).toBe(false);
  });
});
