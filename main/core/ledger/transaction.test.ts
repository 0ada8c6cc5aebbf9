import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import { canonicalBytes } from '../encoding/canonicalJson';
import { sha256Hex } from '../encoding/hash';
import { testKey } from './testFixtures';
import { createTransactionFromJSON, MAX_TX_BYTES, signTransaction, transactionBody, transactionHash, type Transaction } from './transaction';

const alice = testKey('alice');
const sign = (payload: Transaction['payload']): Transaction =>
  signTransaction({ type: 'note', chainId: 'civichain-test', signer: alice.publicKey, nonce: 'n1', payload }, alice.privateKey);
/** The hash computed from scratch, as an independent verifier would. */
const freshHash = (tx: Transaction): string => sha256Hex(canonicalBytes(transactionBody(tx)));

describe('transactions made here are frozen and hashed once', () => {
  it('a parsed transaction has the hash of its canonical body, and cannot be changed afterwards', () => {
    const json = JSON.parse(JSON.stringify(sign({ text: 'hi', list: [{ a: 1 }] })));
    const tx = createTransactionFromJSON(json);
    expect(transactionHash(tx)).toBe(freshHash(tx));
    expect(() => {
      (tx.payload['list'] as { a: number }[])[0]!.a = 2;
    }).toThrow(TypeError);
    expect(() => {
      (tx as { nonce: string }).nonce = 'n2';
    }).toThrow(TypeError);
    expect(transactionHash(tx)).toBe(freshHash(tx));
  });

  it('a signed transaction freezes its payload, so its remembered hash stays true', () => {
    const payload = { text: 'hi', nested: { b: [1, 2] } };
    const tx = sign(payload);
    expect(() => {
      payload.nested.b.push(3);
    }).toThrow(TypeError);
    expect(transactionHash(tx)).toBe(freshHash(tx));
  });

  it('a copy (not made here) is hashed from its own contents', () => {
    const tx = sign({ text: 'hi' });
    const altered = { ...tx, payload: { text: 'changed' } };
    expect(transactionHash(altered)).toBe(freshHash(altered));
    expect(transactionHash(altered)).not.toBe(transactionHash(tx));
  });

  it('the size limit counts the whole canonical transaction, signature included', () => {
    for (const text of ['', 'x', 'ü€😀', 'a'.repeat(1000)]) {
      const tx = sign({ text });
      expect(() => createTransactionFromJSON(JSON.parse(JSON.stringify(tx)))).not.toThrow();
    }
    // The largest text that fits, then one byte more.
    const overhead = canonicalBytes(sign({ text: '' })).length;
    const fits = sign({ text: 'a'.repeat(MAX_TX_BYTES - overhead) });
    expect(canonicalBytes(fits).length).toBe(MAX_TX_BYTES);
    expect(createTransactionFromJSON(JSON.parse(JSON.stringify(fits))).signature).toBe(fits.signature);
    const over = sign({ text: 'a'.repeat(MAX_TX_BYTES - overhead + 1) });
    try {
      createTransactionFromJSON(JSON.parse(JSON.stringify(over)));
      expect.unreachable('an oversized transaction is refused');
    } catch (error) {
      expect(error).toBeInstanceOf(CivichainError);
      expect(error).toMatchObject({ code: 'TX_TOO_LARGE', details: { size: MAX_TX_BYTES + 1, limit: MAX_TX_BYTES } });
    }
  });
});
