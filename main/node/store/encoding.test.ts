import { describe, expect, it } from 'vitest';
import { canonicalize } from '../../core/encoding/canonicalJson';
import { sha256Hex } from '../../core/encoding/hash';
import { blockHash } from '../../core/ledger/block';
import { transactionHash } from '../../core/ledger/transaction';
import { decodeHeader, decodeTransaction, encodeHeader, encodeSignedTransaction, encodeTransactionBody, runningDigest, sortWrites, type DigestInput } from './encoding';
import { buildTestBlock, createTestNetwork, noteTransaction } from './testChain';
import { MemoryConsensusStore } from '../consensus/memoryStore';

const input: DigestInput = {
  height: 7,
  previous: 'a'.repeat(64),
  blockHash: 'b'.repeat(64),
  proposerSignature: 'c'.repeat(128),
  certificateText: '{"approvals":[],"blockHash":"bb","height":7,"round":0}',
  txSignatures: ['d'.repeat(128)],
  writes: sortWrites([
    ['voucher/é', '{"amountCents":500000}'],
    ['consensus/validators', null],
  ]),
};

describe('runningDigest', () => {
  it('is SHA-256 of the RFC 8785 form of its array', () => {
    const array = [input.height, input.previous, input.blockHash, input.proposerSignature, input.certificateText, input.txSignatures, input.writes];
    expect(runningDigest(input)).toBe(sha256Hex(canonicalize(array)));
  });

  it('matches a known answer', () => {
    // Computed independently with GNU coreutils (64 zeros, then 64 ones):
    //   printf '%s' '[1,"000…000","111…111","sig","{}",[],[["k","\"v\""]]]' | sha256sum
    const known = runningDigest({
      height: 1,
      previous: '0'.repeat(64),
      blockHash: '1'.repeat(64),
      proposerSignature: 'sig',
      certificateText: '{}',
      txSignatures: [],
      writes: [['k', '"v"']],
    });
    expect(known).toBe('0d505cccdb8ba27200d22247a99dc15a510dade420097513a3a56de557a0e4eb');
  });

  it('changes with any one of its inputs', () => {
    const digest = runningDigest(input);
    const variants: DigestInput[] = [
      { ...input, height: 8 },
      { ...input, previous: 'e'.repeat(64) },
      { ...input, blockHash: 'e'.repeat(64) },
      { ...input, proposerSignature: 'e'.repeat(128) },
      { ...input, certificateText: input.certificateText.replace('"round":0', '"round":1') },
      { ...input, txSignatures: ['e'.repeat(128)] },
      { ...input, writes: sortWrites([['voucher/é', '{"amountCents":500001}'], ['consensus/validators', null]]) },
      { ...input, writes: sortWrites([['voucher/é', '{"amountCents":500000}']]) },
    ];
    for (const variant of variants) expect(runningDigest(variant)).not.toBe(digest);
  });
});

describe('sortWrites', () => {
  it('orders keys by UTF-16 code units, as RFC 8785 orders member names', () => {
    const keys = ['b', 'a', '\u{1F600}', '\uFFFF', 'a/b', 'A'];
    expect(sortWrites(keys.map((k) => [k, null] as const)).map(([k]) => k)).toEqual(['A', 'a', 'a/b', 'b', '\u{1F600}', '\uFFFF']);
  });
});

describe('row encodings', () => {
  const network = createTestNetwork();
  const tx = noteTransaction(network, 'héllo', 'n1');

  it('hashes a header text to the block hash and reads it back', () => {
    const { block } = buildTestBlock(new MemoryConsensusStore(network.genesis, network.genesisHash), network, [tx]);
    const text = encodeHeader({ ...block.header, extra: 'ignored' } as typeof block.header);
    expect(sha256Hex(text)).toBe(blockHash(block.header));
    expect(decodeHeader(text)).toEqual(block.header);
  });

  it('hashes a transaction body to the transaction hash and reads it back', () => {
    const body = encodeTransactionBody(tx);
    expect(sha256Hex(body)).toBe(transactionHash(tx));
    expect(body.endsWith(`"signer":"${tx.signer}","type":"note"}`)).toBe(true);
    expect(decodeTransaction(body, tx.signature)).toEqual(tx);
  });
});

describe('encodeSignedTransaction and encodeTransactionBody from the remembered body', () => {
  it('give the canonical text of the transaction, made here or not, whatever its payload holds', () => {
    const network = createTestNetwork();
    const tricky = ['plain', '"signer":"x","type":"note"}', 'ünïcödé \u2028 \\ "quoted"', ''];
    for (const text of tricky) {
      const made = noteTransaction(network, text, `n-${tricky.indexOf(text)}`);
      // A copy that is not remembered: encoded from scratch.
      const copy = JSON.parse(JSON.stringify(made)) as typeof made;
      const signed = canonicalize({ type: made.type, chainId: made.chainId, signer: made.signer, nonce: made.nonce, payload: made.payload, signature: made.signature });
      expect(encodeSignedTransaction(made)).toBe(signed);
      expect(encodeSignedTransaction(copy)).toBe(signed);
      expect(encodeTransactionBody(made)).toBe(encodeTransactionBody(copy));
      expect(sha256Hex(encodeTransactionBody(made))).toBe(transactionHash(made));
      expect(JSON.parse(encodeSignedTransaction(made))).toEqual(copy);
    }
  });
});
