import { describe, expect, it } from 'vitest';
import { describeTransaction, transactionTypeLabel } from './transactions';

describe('describeTransaction', () => {
  it('names each known type and sums it up in one line', () => {
    expect(describeTransaction({ type: 'note', payload: { text: 'Polling station 4 opened' } })).toMatchObject({
      label: 'Note',
      summary: 'Polling station 4 opened',
    });
    expect(describeTransaction({ type: 'election.ballot', payload: { election: 'mayor-2026', choices: ['dem'], credential: 'x' } }).summary).toBe(
      'in election mayor-2026, 1 choice',
    );
    expect(describeTransaction({ type: 'validator-set', payload: { add: [{}, {}], remove: [{}] } }).summary).toBe('adds 2 validators, removes 1 validator');
    expect(describeTransaction({ type: 'election.create', payload: { id: 'e1', name: 'Mayor', candidates: [{}, {}, {}] } }).summary).toBe('Mayor (3 candidates)');
  });

  it('shows an unknown type by its raw name, with its fields', () => {
    const described = describeTransaction({ type: 'voucher.grant', payload: { amountCents: 500000, to: 'ab'.repeat(32) } });
    expect(described.label).toBe('voucher.grant');
    expect(described.summary).toBe('2 fields');
    expect(described.fields).toEqual([
      { label: 'Amount cents', value: '500000', mono: false },
      { label: 'To', value: 'ab'.repeat(32), mono: true },
    ]);
    expect(transactionTypeLabel('election.result')).toBe('Election result');
  });

  it('cuts very long values and writes nested ones as JSON', () => {
    const described = describeTransaction({ type: 'note', payload: { text: 'x'.repeat(500), extra: { a: [1, 2] } } });
    expect(described.summary).toHaveLength(160);
    expect(described.summary.endsWith('…')).toBe(true);
    expect(described.fields[1]).toEqual({ label: 'Extra', value: '{"a":[1,2]}', mono: true });
  });
});
