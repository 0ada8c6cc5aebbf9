/**
 * Known-answer vectors published in docs/PROTOCOL.md. Keys are Ed25519 seeds = SHA-256 of a label
 * (testFixtures.ts). If one of these changes, the protocol changed: update the document in the same commit.
 */
import { describe, expect, it } from 'vitest';
import { canonicalize } from '../encoding/canonicalJson';
import { PublicKeyCache } from '../crypto/ed25519';
import { blockHash, checkBlockHeader } from './block';
import { testBlock, testCertificate, testGenesis, testKey, testNote, seedFor } from './testFixtures';
import { checkTransactionEnvelope, transactionBody, transactionHash } from './transaction';
import { checkCommitCertificate, voteMessage } from './votes';

const { genesis, hash: genesisHashHex, validators, proposer } = testGenesis();
const alice = testKey('alice');
const tx = testNote(genesis.chainId, alice, 'n1', 'hello');
const block = testBlock({ chainId: genesis.chainId, height: 1, previousHash: genesisHashHex, timeMs: genesis.genesisTimeMs + 1000, proposer, transactions: [tx] });
const hash = blockHash(block.header);

describe('protocol test vectors (docs/PROTOCOL.md)', () => {
  it('keys', () => {
    expect(seedFor('alice').toString('hex')).toBe('2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90');
    expect(alice.publicKey).toBe('d5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4');
  });

  it('transaction', () => {
    expect(canonicalize(transactionBody(tx))).toBe(
      '{"chainId":"civichain-test","nonce":"n1","payload":{"text":"hello"},"signer":"d5bf4a3fcce717b0388bcc2749ebc148ad9969b23f45ee1b605fd58778576ac4","type":"note"}',
    );
    expect(transactionHash(tx)).toBe('57a1860a0799b5e307062160be800938b95bfd74186fdae8289d9cd2b69d27d4');
    expect(tx.signature).toBe(
      '30914e1a918911fa19c4c67728c156a37eb729b1f1213bcc840ec8b703d16f25bb2ca66be5b34553f8d04af0a35d2de06be9d2c1989c23f19087552b3813cb07',
    );
    expect(checkTransactionEnvelope(tx, genesis.chainId, new PublicKeyCache())).toBe(transactionHash(tx));
  });

  it('genesis, block and certificate', () => {
    expect(genesisHashHex).toBe('6e149b76c522ec52696ebedadcb66681134c39fda290249fe26951191bdd241d');
    expect(block.header.txRoot).toBe('f6b9eb10d3b3292476e171dfc110aaae1024ea282ec1f97832ccd42c24602e4c');
    expect(hash).toBe('2a0224a0d4408c1ec8abf064c3e8100db31e71939f77807e6f878002053f239a');
    expect(block.signature).toBe(
      'e9846ded2a455d7b9ae01fa539b1d4b814aed0705ceb5ea48f9f6228de484f54fd28eabb9aba055d6647f7c3cfe05c56f12456827a21ae063c5fcd76564c1900',
    );
    expect(Buffer.from(voteMessage({ chainId: genesis.chainId, height: 1, round: 0, blockHash: hash })).toString()).toBe(
      '{"blockHash":"2a0224a0d4408c1ec8abf064c3e8100db31e71939f77807e6f878002053f239a","chainId":"civichain-test","height":1,"round":0}',
    );
    const certificate = testCertificate(genesis.chainId, 1, 0, hash, validators.slice(0, 3));
    expect(certificate.approvals).toEqual([
      { validator: 'd3bfb03c5ea8aa2884363bf4d68ebd5e38059b03b8a1519b0e0f5abb627e3bd2', signature: '99aea82d176eb6f11a241a80b68f04f8bf9eb6c22557aa21acfdbacc78a1362e73b56ff2612967308ef435196bb0d574fc40acd3860225e902ddb0e7cd6e8a00' },
      { validator: 'e0e9f8e88a68d78726d9789517121a4c168a416a95baf6cfca951c725a86f96c', signature: '55895f76229d14e1a33a310625f23225154dce60b1b4f7caa77f889ed3d36c189c0ee6cc3d2b984b506589630a2193bfe41fbd5c14abccae812deca4c6633a02' },
      { validator: 'fd4e5b7347d2f3c6abd2fb5401400b7de3f3ca1d56fa5c7cf0498b204e3ebac9', signature: '4c3cd4ee3b59119ff0e17fd1a1ace4703a0ca2fa132ba5e23399878a03882e74a5a09353708cbe4fe9e0980a45a76ab41bb412b9d351c97dcc5ccde78abf6803' },
    ]);
    const keys = new PublicKeyCache();
    checkBlockHeader(block, { chainId: genesis.chainId, height: 1, previousHash: genesisHashHex, previousTimeMs: genesis.genesisTimeMs, difficulty: 0, proposers: new Set([proposer.publicKey]) }, keys);
    checkCommitCertificate(certificate, genesis.chainId, hash, new Set(validators.map((v) => v.publicKey)), genesis.quorum, keys);
  });
});
