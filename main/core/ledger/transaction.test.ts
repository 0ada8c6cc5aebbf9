import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import { canonicalBytes } from '../encoding/canonicalJson';
import { sha256Hex } from '../encoding/hash';
import { testKey } from './testFixtures';
import {
  createTransactionFromJSON,
  MAX_TX_BYTES,
  quickParseTransaction,
  signTransaction,
  transactionBody,
  transactionHash,
  transactionSchema,
  type Transaction,
} from './transaction';

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

describe('the quick parse gives the schema\'s answer', () => {
  const valid = JSON.parse(JSON.stringify(sign({ text: 'hi', n: -0, list: [null, true, 3, 'x', { deep: [[1]] }], empty: {} }))) as Record<string, unknown>;
  const deep = (levels: number): unknown => (levels === 0 ? 1 : { d: deep(levels - 1) });
  const variants: [string, unknown][] = [
    ['valid', valid],
    ['a deep payload (left to the schema)', { ...valid, payload: { d: deep(40) } }],
    ['an extra member', { ...valid, extra: 1 }],
    ['a missing member', { ...valid, nonce: undefined }],
    ['type with a capital', { ...valid, type: 'Note' }],
    ['type too long', { ...valid, type: `a${'b'.repeat(48)}` }],
    ['empty chain id', { ...valid, chainId: '' }],
    ['chain id of 65', { ...valid, chainId: 'c'.repeat(65) }],
    ['chain id of 64', { ...valid, chainId: 'c'.repeat(64) }],
    ['signer in capitals', { ...valid, signer: String(valid['signer']).toUpperCase() }],
    ['short signature', { ...valid, signature: 'ab' }],
    ['nonce with a space', { ...valid, nonce: 'a b' }],
    ['nonce of 65', { ...valid, nonce: 'n'.repeat(65) }],
    ['payload an array', { ...valid, payload: [1] }],
    ['payload null', { ...valid, payload: null }],
    ['a fraction', { ...valid, payload: { n: 1.5 } }],
    ['an unsafe integer', { ...valid, payload: { n: 2 ** 53 } }],
    ['an unsafe integer in a list', { ...valid, payload: { n: [1, -(2 ** 53)] } }],
    ['a member named __proto__', { ...valid, payload: JSON.parse('{"__proto__": {"x": 1}}') as unknown }],
    ['a number as type', { ...valid, type: 7 }],
    ['an object of a class', { ...valid, payload: { when: new Date(0) } }],
    ['not an object', 'note'],
    ['an array', [valid]],
    ['null', null],
  ];

  it.each(variants)('%s', (_name, input) => {
    const quick = quickParseTransaction(input);
    const schema = transactionSchema.safeParse(input);
    // The quick path never accepts what the schema refuses, and gives the same transaction when it accepts.
    if (quick !== undefined) {
      expect(schema.success).toBe(true);
      expect(quick).toStrictEqual(schema.data);
    }
    if (schema.success) expect(transactionHash(createTransactionFromJSON(input))).toBe(sha256Hex(canonicalBytes(transactionBody(schema.data))));
    else expect(() => createTransactionFromJSON(input)).toThrow(expect.objectContaining({ code: 'TX_MALFORMED' }));
  });

  it('takes every well-formed transaction without the schema, and copies it', () => {
    const quick = quickParseTransaction(valid);
    expect(quick).toStrictEqual(transactionSchema.parse(valid));
    expect(quick?.payload).not.toBe(valid['payload']);
  });
});
