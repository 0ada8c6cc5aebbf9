import { describe, expect, it } from 'vitest';
import { fromLocalInput, parseCandidates, toLocalInput } from './electionForm';

describe('parseCandidates', () => {
  it('takes one candidate per line and ignores blank lines', () => {
    expect(parseCandidates(' Democratic Party \n\nRepublican Party\r\nSocialist party\n')).toEqual([
      'Democratic Party',
      'Republican Party',
      'Socialist party',
    ]);
  });
});

describe('datetime-local values', () => {
  it('round-trip to the minute in local time', () => {
    const ms = new Date(2026, 10, 22, 9, 30).getTime();
    expect(toLocalInput(ms)).toBe('2026-11-22T09:30');
    expect(fromLocalInput('2026-11-22T09:30')).toBe(ms);
  });

  it('refuse empty and malformed values', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('22/11/2026 09:30')).toBeNull();
  });
});
