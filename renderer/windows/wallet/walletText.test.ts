import { describe, expect, it } from 'vitest';
import type { VoucherJSON, VoucherRedemptionJSON } from '../../../preload/contract';
import { instalmentsText, payRefusal, voucherState } from './walletText';

const NOW_MS = 1_000_000;
const voucher = (extra: Partial<VoucherJSON> = {}): VoucherJSON => ({
  id: 'v',
  amountCents: 200_000,
  releaseAtMs: 0,
  expiresAtMs: NOW_MS * 2,
  issuedBy: 'a',
  spentBy: null,
  pendingRedemption: null,
  spendableNow: true,
  ...extra,
});
const payment = (id: string, status: VoucherRedemptionJSON['status']): VoucherRedemptionJSON => ({
  id,
  payer: 'p',
  operator: 'o',
  operatorName: 'Octopus',
  requestId: 'r',
  reference: '',
  amountCents: 12_050,
  status,
  redeemedAtMs: 0,
  claim: null,
});

describe('voucherState', () => {
  it('spendable, not yet released, expired', () => {
    expect(voucherState(voucher(), [], NOW_MS).state).toBe('spendable');
    expect(voucherState(voucher({ spendableNow: false, releaseAtMs: NOW_MS + 1 }), [], NOW_MS).state).toBe('not-released');
    expect(voucherState(voucher({ spendableNow: false, expiresAtMs: NOW_MS }), [], NOW_MS).state).toBe('expired');
  });
  it('pending while in a payment not yet accepted, or as its change; spent once accepted', () => {
    expect(voucherState(voucher({ spentBy: 'r1', spendableNow: false }), [payment('r1', 'pending')], NOW_MS)).toEqual({ state: 'pending', detail: 'In your payment to Octopus, waiting for it to be accepted' });
    expect(voucherState(voucher({ pendingRedemption: 'r1', spendableNow: false }), [payment('r1', 'pending')], NOW_MS).detail).toMatch(/^Change from your payment to Octopus/);
    expect(voucherState(voucher({ spentBy: 'r1', spendableNow: false }), [payment('r1', 'accepted')], NOW_MS)).toEqual({ state: 'spent', detail: 'Spent at Octopus' });
  });
});

describe('payRefusal', () => {
  it('says nothing was charged for refusals before a block, in plain words', () => {
    for (const code of ['VOUCHER_INSUFFICIENT', 'VOUCHER_REQUEST_EXPIRED', 'TX_VOUCHER_OPERATOR_SUSPENDED', 'VOUCHER_REQUEST_PAID']) {
      expect(payRefusal({ code, message: '…' })).toMatchObject({ nothingCharged: true, canRetry: false });
    }
  });
  it('a voucher spent at another operator at the same moment (TX_VOUCHER_SPENT, TX_DROPPED) is explained as such', () => {
    for (const code of ['TX_VOUCHER_SPENT', 'TX_DROPPED']) {
      expect(payRefusal({ code, message: '…' })).toMatchObject({ title: 'A voucher was used by another payment at the same moment', nothingCharged: true, canRetry: true });
    }
  });
  it('VOUCHER_SPENT_ELSEWHERE: the node’s own sentence, which names the payment that went first', () => {
    const message = 'This payment was not made and nothing was charged for it: your HK$1,879.50 voucher was used at the same moment by another payment (HK$100.00 to Octopus), which went through first. Pay again to use your other vouchers.';
    expect(payRefusal({ code: 'VOUCHER_SPENT_ELSEWHERE', message })).toEqual({ title: 'A voucher was used by another payment at the same moment', explanation: message, nothingCharged: true, canRetry: true });
  });
  it('does not claim nothing was charged when it cannot know (NOT_FINAL_YET, anything else)', () => {
    expect(payRefusal({ code: 'NOT_FINAL_YET', message: '…' })).toMatchObject({ title: 'The payment is not final yet', nothingCharged: false });
    expect(payRefusal({ code: 'UNEXPECTED', message: '…' }).nothingCharged).toBe(false);
  });
});

it('instalmentsText', () => {
  expect(instalmentsText([{ amountCents: 200_000 }, { amountCents: 300_000 }])).toBe('HK$2,000.00 + HK$3,000.00');
});
