import { describe, expect, it } from 'vitest';
import type { Voucher } from '../../core/rules/vouchers';
import { chooseVouchers, parseCode } from './voucherOffice';

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
