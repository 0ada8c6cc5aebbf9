/**
 * The election test vectors of docs/PROTOCOL.md ("Elections"). They were also computed independently in
 * Python (hashlib, hmac, json): the roll leaf, the roll's Merkle root and the derived credential exponent.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialInfo, derivedExponent } from '../../core/elections/credential';
import { rollLeaf, rollTree } from '../../core/elections/roll';
import { verifyMerkleProof } from '../../core/ledger/merkle';
import { DEMO_CREDENTIAL_KEY, DEMO_ELECTION_ID, DEMO_VOTERS, demoCardCode } from '../workspace/demoElection';
import { credentialPublicKey } from './credentialIssuer';

describe('election test vectors (docs/PROTOCOL.md)', () => {
  it('the demo card code and roll leaf of VOID001', () => {
    expect(demoCardCode('VOID001')).toBe('TFM3CB4Q0SVKJ02A');
    expect(rollLeaf(DEMO_ELECTION_ID, 'VOID001', 'TFM3-CB4Q-0SVK-J02A')).toBe('0564e4d9873f52a61da01ff4509ee026f20b1cdf25c3e648616ab9861f0d4f96');
  });

  it("the demo roll's root and the audit path of its first voter", () => {
    const tree = rollTree(DEMO_ELECTION_ID, DEMO_VOTERS);
    expect(tree.root).toBe('a9d6a614b33cdd998a3a163334fa6273d0a7f8df52f1bcb924df4552ef77ba04');
    const path = [
      '52e9fd8544ee45db21bfa51d26759514c4f322c7d27db378d9ba0b7dc6abf9ca',
      '79d64513154305f061f82c54b05a31921543ffe35697ff71daaff7cdbf67f12a',
      'bbd2ece2c5c7dd35a7d450e5b7dfcf6f307efc9da7b62413a858fb4303e07c85',
      'a043e8881d18ac310474aead24c1b689d9c85db589f48acecd3c62c64bc0fbfe',
    ];
    expect(tree.proof(0)).toEqual(path);
    expect(verifyMerkleProof(tree.root, 15, 0, '0564e4d9873f52a61da01ff4509ee026f20b1cdf25c3e648616ab9861f0d4f96', path)).toBe(true);
  });

  it("the demo election's credential metadata and derived exponent", () => {
    const info = credentialInfo('civichain-demo-1', DEMO_ELECTION_ID);
    expect(info.toString()).toBe('civichain/v1/ballot-credential/civichain-demo-1/demo-general-2026');
    const n = Buffer.from(DEMO_CREDENTIAL_KEY.n, 'base64url');
    expect(createHash('sha256').update(n).digest('hex')).toBe('6b5e7795d889cd5b47335d4aa3ea83ac3a77a9eda8817a49d95483340f4bf5ad');
    const ePrime = derivedExponent(credentialPublicKey(DEMO_CREDENTIAL_KEY), info);
    expect(ePrime.length).toBe(128);
    expect(createHash('sha256').update(ePrime).digest('hex')).toBe('ed48d7931ea6c79d850b222eb4f20228c145482bdce53498b1cceb01faed70f4');
  });
});
