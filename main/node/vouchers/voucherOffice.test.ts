import { describe, expect, it } from 'vitest';
import { CivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import { operatorKey, programmeKey, redemptionKey, requestKey, type PaymentRequest, type Voucher } from '../../core/rules/vouchers';
import type { StateReader } from '../../core/rules/types';
import { chooseVouchers, parseCode, VoucherOffice } from './voucherOffice';

const voucher = (id: string, amountCents: number, expiresAtMs: number): Voucher => ({ id, owner: 'o', amountCents, releaseAtMs: 0, expiresAtMs, issuedBy: 'i', spentBy: null, pendingRedemption: null });

describe('chooseVouchers', () => {
  const wallet = [voucher('late', 300_000, 20), voucher('early', 200_000, 10)];
  it('takes the earliest expiry first', () => {
    expect(chooseVouchers(wallet, 12_050).map((v) => v.id)).toEqual(['early']);
  });
  it('takes more when one does not cover it, and leaves out any the rest covers (the ledger refuses unneeded vouchers)', () => {
    expect(chooseVouchers(wallet, 250_000).map((v) => v.id)).toEqual(['late']);
    expect(chooseVouchers(wallet, 450_000).map((v) => v.id).sort()).toEqual(['early', 'late']);
    expect(chooseVouchers([voucher('a', 100, 1), voucher('b', 100, 2), voucher('c', 1000, 3)], 1000).map((v) => v.id)).toEqual(['c']);
  });
  it('VOUCHER_INSUFFICIENT when the wallet holds too little', () => {
    expect(() => chooseVouchers(wallet, 500_001)).toThrow(expect.objectContaining({ code: 'VOUCHER_INSUFFICIENT' }));
  });
});

describe('parseCode', () => {
  it('reads a payment code and refuses junk', () => {
    const key = 'ab'.repeat(32);
    expect(parseCode(` cvr1:hk-2026:${key}:r-1 `)).toEqual({ programme: 'hk-2026', operator: key, requestId: 'r-1' });
    expect(() => parseCode('cvr1:hk:zz:r')).toThrow(expect.objectContaining({ code: 'VOUCHER_CODE_INVALID' }));
  });
});

describe('VoucherOffice, the wallet’s read-only methods', () => {
  const P = 'hk-2026';
  const OCTOPUS = 'a1'.repeat(32);
  const PAYME = 'a2'.repeat(32);
  const CHAN = 'c1'.repeat(32);
  const WONG = 'c2'.repeat(32);
  const NOW_MS = Date.UTC(2026, 10, 22);
  const PAID_TX = 'd1'.repeat(32);

  /** The ledger state the office reads: a programme, two operators (one suspended), requests, a redemption. */
  function officeOver(entries: Record<string, unknown>): VoucherOffice {
    const map = new Map(Object.entries(entries).map(([key, value]) => [key, JSON.stringify(value)]));
    const state: StateReader = { get: (key) => map.get(key) ?? null, hasTransaction: () => false };
    const identities: Record<string, string> = { 'resident-chan': CHAN, 'resident-wong': WONG };
    const unused = (): never => {
      throw new TypeError('not used by read-only methods');
    };
    return new VoucherOffice({
      genesis: { chainId: 'test', authorities: [] } as unknown as Genesis,
      state: () => state,
      head: () => 0,
      committed: () => null,
      submit: unused,
      txStatus: () => null,
      onFinalBlock: () => () => undefined,
      keys: [],
      identity: (id) => (identities[id] ? { publicKey: identities[id], role: 'resident' } : null),
      labelOf: (key) => (key === PAYME ? 'PayMe' : null),
      unlock: unused,
      defaultPassphrase: null,
      secrets: null,
      now: () => NOW_MS,
    });
  }

  const request = (requestId: string, extra: Partial<PaymentRequest> = {}): PaymentRequest => ({
    operator: OCTOPUS,
    requestId,
    amountCents: 12_050,
    reference: 'Wellcome #8812',
    expiresAtMs: NOW_MS + 60_000,
    createdBy: 'e1'.repeat(32),
    redemption: null,
    ...extra,
  });
  const office = officeOver({
    [programmeKey(P)]: { id: P, title: 'Test', amountPerPersonCents: 500_000, instalments: [], operators: [OCTOPUS, PAYME], reviewersSealingKey: 'x', reviewers: [] },
    [operatorKey(P, OCTOPUS)]: { name: 'Octopus', status: 'active', since: 'f1'.repeat(32) },
    [operatorKey(P, PAYME)]: { name: null, status: 'suspended', since: 'f2'.repeat(32) },
    [requestKey(P, OCTOPUS, 'open-1')]: request('open-1'),
    [requestKey(P, OCTOPUS, 'late-1')]: request('late-1', { expiresAtMs: NOW_MS }),
    [requestKey(P, OCTOPUS, 'paid-1')]: request('paid-1', { redemption: PAID_TX }),
    [requestKey(P, PAYME, 'payme-1')]: { ...request('payme-1'), operator: PAYME },
    [redemptionKey(P, PAID_TX)]: { id: PAID_TX, payer: CHAN, operator: OCTOPUS, requestId: 'paid-1', amountCents: 12_050, consumed: [], change: null, status: 'pending', redeemedAtMs: NOW_MS - 5_000, statusTx: null, refundVoucher: null, claim: null },
  });
  const code = (operator: string, requestId: string) => `cvr1:${P}:${operator}:${requestId}`;

  it('voucher.paymentRequest: an open request shows its operator by name, amount, reference and expiry', () => {
    expect(office.paymentRequest({ programme: P, code: `  ${code(OCTOPUS, 'open-1')}\n` })).toEqual({
      code: code(OCTOPUS, 'open-1'),
      programme: P,
      operator: OCTOPUS,
      operatorName: 'Octopus',
      operatorStatus: 'active',
      requestId: 'open-1',
      amountCents: 12_050,
      reference: 'Wellcome #8812',
      expiresAtMs: NOW_MS + 60_000,
      state: 'open',
      redemption: null,
      paidAtMs: null,
      paidByResident: null,
    });
  });

  it('voucher.paymentRequest: expired at its expiry time; paid says by whom when asked for a resident', () => {
    expect(office.paymentRequest({ programme: P, code: code(OCTOPUS, 'late-1') }).state).toBe('expired');
    expect(office.paymentRequest({ programme: P, code: code(OCTOPUS, 'paid-1') })).toMatchObject({ state: 'paid', redemption: PAID_TX, paidAtMs: NOW_MS - 5_000, paidByResident: null });
    expect(office.paymentRequest({ programme: P, code: code(OCTOPUS, 'paid-1'), resident: 'resident-chan' }).paidByResident).toBe(true);
    expect(office.paymentRequest({ programme: P, code: code(OCTOPUS, 'paid-1'), resident: WONG }).paidByResident).toBe(false);
    expect(office.paymentRequest({ programme: P, code: code(OCTOPUS, 'open-1'), resident: 'resident-chan' }).paidByResident).toBeNull();
  });

  it('voucher.paymentRequest: a suspended operator is said so, named by the keystore when the ledger has no name', () => {
    expect(office.paymentRequest({ programme: P, code: code(PAYME, 'payme-1') })).toMatchObject({ operatorName: 'PayMe', operatorStatus: 'suspended', state: 'open' });
  });

  it('voucher.paymentRequest refuses junk, another programme, an unknown request, an unknown resident', () => {
    const refusal = (input: { programme: string; code: string; resident?: string }) => {
      try {
        office.paymentRequest(input);
      } catch (error) {
        if (error instanceof CivichainError) return { code: error.code, field: error.details['field'] };
      }
      return null;
    };
    expect(refusal({ programme: P, code: 'cvr1:hk-2026:not-a-key:r' })).toEqual({ code: 'VOUCHER_CODE_INVALID', field: 'code' });
    expect(refusal({ programme: P, code: `${code(OCTOPUS, 'open-1')}:extra` })).toEqual({ code: 'VOUCHER_CODE_INVALID', field: 'code' });
    expect(refusal({ programme: P, code: `cvr1:other-2026:${OCTOPUS}:open-1` })).toEqual({ code: 'VOUCHER_CODE_INVALID', field: 'code' });
    expect(refusal({ programme: 'nope-2026', code: `cvr1:nope-2026:${OCTOPUS}:open-1` })?.code).toBe('VOUCHER_PROGRAMME_UNKNOWN');
    expect(refusal({ programme: P, code: code(OCTOPUS, 'never') })?.code).toBe('VOUCHER_REQUEST_UNKNOWN');
    expect(refusal({ programme: P, code: code(OCTOPUS, 'open-1'), resident: 'resident-nobody' })?.code).toBe('IDENTITY_UNKNOWN');
  });

  it('voucher.checkDetails: every field’s problem at once, in form order; none for eligible details', () => {
    expect(office.checkDetails(P, { hkid: 'A123456(3)', name: 'Chan Tai Man', dateOfBirth: '1980-05-01', residency: 'permanent' })).toEqual([]);
    const problems = office.checkDetails(P, { hkid: 'A123456(4)', name: ' ', dateOfBirth: '2010-01-01', residency: 'visitor' });
    expect(problems.map((p) => p.field)).toEqual(['hkid', 'name', 'dateOfBirth', 'residency']);
    expect(problems[0]?.message).toMatch(/check digit/);
    expect(problems[2]?.message).toMatch(/18 or over/);
    expect(() => office.checkDetails('nope-2026', { hkid: '', name: '', dateOfBirth: '', residency: 'permanent' })).toThrow(expect.objectContaining({ code: 'VOUCHER_PROGRAMME_UNKNOWN' }));
  });
});
