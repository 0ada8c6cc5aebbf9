/**
 * The handshake's proof of identity. Each side sends a fresh 32-byte challenge in its hello and answers the
 * other's with an Ed25519 signature (RFC 8032) by its node key over the transcript
 *   UTF-8("civichain/v1/handshake") || 0x00 || canonicalJSON({chainId, genesisHash, signer, signerChallenge, peer, peerChallenge})
 * Both challenges bind the signature to this connection (no replay); naming signer and peer, each with its
 * own challenge, makes a signature useless when reflected back or relayed to a third node.
 * (The domain is kept here because core's `Domain` type lists only ledger domains.)
 */
import { randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalBytes } from '../../core/encoding/canonicalJson';
import { HEX_64, type PublicKeyCache } from '../../core/crypto/ed25519';

export const HANDSHAKE_DOMAIN = 'civichain/v1/handshake';

export interface TranscriptFields {
  readonly chainId: string;
  readonly genesisHash: string;
  readonly signer: string;
  readonly signerChallenge: string;
  readonly peer: string;
  readonly peerChallenge: string;
}

export function handshakeTranscript(fields: TranscriptFields): Buffer {
  const body = canonicalBytes({
    chainId: fields.chainId,
    genesisHash: fields.genesisHash,
    signer: fields.signer,
    signerChallenge: fields.signerChallenge,
    peer: fields.peer,
    peerChallenge: fields.peerChallenge,
  });
  return Buffer.concat([Buffer.from(HANDSHAKE_DOMAIN, 'utf8'), Buffer.from([0]), body]);
}

export function newChallenge(): string {
  return randomBytes(32).toString('hex');
}

export function signHandshake(fields: TranscriptFields, privateKey: KeyObject): string {
  return sign(null, handshakeTranscript(fields), privateKey).toString('hex');
}

export function verifyHandshake(fields: TranscriptFields, signatureHex: string, keys: PublicKeyCache): boolean {
  if (!HEX_64.test(signatureHex)) return false;
  const key = keys.get(fields.signer);
  if (!key) return false;
  try {
    return verify(null, handshakeTranscript(fields), key, Buffer.from(signatureHex, 'hex'));
  } catch {
    return false;
  }
}
