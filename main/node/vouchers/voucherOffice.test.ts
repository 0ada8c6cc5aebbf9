import { describe, expect, it } from 'vitest';
import type { Block } from '../../core/ledger/block';
import type { CommitCertificate } from '../../core/ledger/votes';
import { testGenesis, testKey } from '../../core/ledger/testFixtures';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import { operatorKey, programmeKey, redemptionKey, requestKey, type OperatorRecord, type PaymentRequest, type Redemption, type Voucher } from '../../core/rules/vouchers';
import { operators, testProgramme, VoucherTxs } from '../../core/vouchers/testVouchers';
import { chooseVouchers, parseCode, VoucherOffice, type VoucherOfficeDependencies } from './voucherOffice';

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

describe('VoucherOffice.summary', () => {
  it('lists an operator registered after the programme (its key is in no list but the register transaction), with its name and status', () => {
    const { genesis, authority } = testGenesis();
    const programme = testProgramme(genesis);
    const newcomer = testKey('operator-tap-and-go');
    const register = new VoucherTxs(genesis.chainId, authority, programme.id).register(newcomer, 'Tap & Go');
    const state = new Map<string, string>([
      [programmeKey(programme.id), JSON.stringify(programme)],
      [operatorKey(programme.id, operators.octopus.publicKey), JSON.stringify({ name: null, status: 'active', since: 'p' } satisfies OperatorRecord)],
      [operatorKey(programme.id, newcomer.publicKey), JSON.stringify({ name: 'Tap & Go', status: 'suspended', since: 's' } satisfies OperatorRecord)],
    ]);
    const blocks = new Map([[1, { block: { transactions: [register] } as unknown as Block, certificate: {} as unknown as CommitCertificate }]]);
    const office = new VoucherOffice({
      genesis,
      state: () => ({ get: (key) => state.get(key) ?? null, hasTransaction: () => false }),
      head: () => 1,
      committed: (height) => blocks.get(height) ?? null,
      submit: () => Promise.reject(new TypeError('not in this test')),
      txStatus: () => null,
      waitFinal: () => Promise.reject(new TypeError('not in this test')),
      keys: [],
      identity: () => null,
      labelOf: (key) => (key === operators.octopus.publicKey ? 'Octopus' : null),
      unlock: () => Promise.reject(new TypeError('not in this test')),
      defaultPassphrase: null,
      secrets: null,
      now: () => 0,
    });
    expect(office.summary(programme.id).operators).toEqual([
      { publicKey: operators.octopus.publicKey, name: 'Octopus', status: 'active', redemptions: 0, redeemedCents: 0 },
      { publicKey: newcomer.publicKey, name: 'Tap & Go', status: 'suspended', redemptions: 0, redeemedCents: 0 },
    ]);
  });
});

describe('VoucherOffice.redemptions', () => {
  it("names each redemption's request reference, and \"\" for a request without one", () => {
    const operator = 'ab'.repeat(32);
    const p = 'hk-2026';
    const redeem = (requestId: string): Transaction =>
      ({ type: 'voucher.redeem', chainId: 'c', signer: 'cd'.repeat(32), nonce: requestId, payload: { programme: p }, signature: '00'.repeat(64) }) as Transaction;
    const txs = [redeem('r-1'), redeem('r-2')];
    const state = new Map<string, string>([[programmeKey(p), JSON.stringify({ id: p })]]);
    for (const [i, tx] of txs.entries()) {
      const id = transactionHash(tx);
      const requestId = `r-${i + 1}`;
      const redemption: Redemption = { id, payer: tx.signer, operator, requestId, amountCents: 12_050, consumed: [], change: null, status: 'pending', redeemedAtMs: 1, statusTx: null, refundVoucher: null, claim: null };
      state.set(redemptionKey(p, id), JSON.stringify(redemption));
      const request: PaymentRequest = { operator, requestId, amountCents: 12_050, reference: i === 0 ? 'Table 4' : '', expiresAtMs: 2, createdBy: 'x', redemption: id };
      state.set(requestKey(p, operator, requestId), JSON.stringify(request));
    }
    const office = new VoucherOffice({
      state: () => ({ get: (key: string) => state.get(key) ?? null, hasTransaction: () => true }),
      head: () => 1,
      committed: (height: number) => (height === 1 ? { block: { transactions: txs } as unknown as Block } : null),
      labelOf: () => null,
      keys: [],
    } as unknown as VoucherOfficeDependencies);
    expect(office.redemptions(p, operator).map((r) => [r.requestId, r.reference])).toEqual([
      ['r-2', ''],
      ['r-1', 'Table 4'],
    ]);
  });
});
