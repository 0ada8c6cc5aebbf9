import { describe, expect, it } from 'vitest';
import type { Block } from '../../core/ledger/block';
import type { CommitCertificate } from '../../core/ledger/votes';
import { CivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import { testGenesis, testKey } from '../../core/ledger/testFixtures';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import { operatorKey, programmeKey, redemptionKey, requestKey, type OperatorRecord, type PaymentRequest, type Redemption, type Voucher } from '../../core/rules/vouchers';
import type { StateReader } from '../../core/rules/types';
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
  const p = 'hk-2026';
  const OCTOPUS = 'ab'.repeat(32);
  const PAYME = 'ac'.repeat(32);
  /** Final redeem transactions (two payers, two operators) and the state they left. */
  function officeWith(paid: readonly { requestId: string; operator: string; payer: string; reference: string }[]): { office: VoucherOffice; ids: string[] } {
    const txs = paid.map(
      ({ requestId, operator, payer }) =>
        ({ type: 'voucher.redeem', chainId: 'c', signer: payer, nonce: requestId, payload: { programme: p, request: { operator, requestId } }, signature: '00'.repeat(64) }) as unknown as Transaction,
    );
    const state = new Map<string, string>([[programmeKey(p), JSON.stringify({ id: p })]]);
    const ids = txs.map((tx, i) => {
      const id = transactionHash(tx);
      const { requestId, operator, payer, reference } = paid[i]!;
      const redemption: Redemption = { id, payer, operator, requestId, amountCents: 12_050, consumed: [], change: null, status: 'pending', redeemedAtMs: 1, statusTx: null, refundVoucher: null, claim: null };
      state.set(redemptionKey(p, id), JSON.stringify(redemption));
      const request: PaymentRequest = { operator, requestId, amountCents: 12_050, reference, expiresAtMs: 2, createdBy: 'x', redemption: id };
      state.set(requestKey(p, operator, requestId), JSON.stringify(request));
      return id;
    });
    const office = new VoucherOffice({
      state: () => ({ get: (key: string) => state.get(key) ?? null, hasTransaction: () => true }),
      head: () => 1,
      committed: (height: number) => (height === 1 ? { block: { header: { timeMs: 5 }, transactions: txs } as unknown as Block } : null),
      labelOf: () => null,
      keys: [],
      now: () => 0,
    } as unknown as VoucherOfficeDependencies);
    return { office, ids };
  }

  it("names each redemption's request reference, and \"\" for a request without one", () => {
    const { office } = officeWith([
      { requestId: 'r-1', operator: OCTOPUS, payer: 'cd'.repeat(32), reference: 'Table 4' },
      { requestId: 'r-2', operator: OCTOPUS, payer: 'cd'.repeat(32), reference: '' },
    ]);
    expect(office.redemptions(p, OCTOPUS).map((r) => [r.requestId, r.reference])).toEqual([
      ['r-2', ''],
      ['r-1', 'Table 4'],
    ]);
  });

  it("an operator's list holds only the payments to it, newest first; without an operator, every payment", () => {
    const { office, ids } = officeWith([
      { requestId: 'o-1', operator: OCTOPUS, payer: 'c1'.repeat(32), reference: '' },
      { requestId: 'p-1', operator: PAYME, payer: 'c1'.repeat(32), reference: '' },
      { requestId: 'o-2', operator: OCTOPUS, payer: 'c2'.repeat(32), reference: '' },
    ]);
    expect(office.redemptions(p, OCTOPUS).map((r) => r.id)).toEqual([ids[2], ids[0]]);
    expect(office.redemptions(p, PAYME).map((r) => r.id)).toEqual([ids[1]]);
    expect(office.redemptions(p, 'ad'.repeat(32))).toEqual([]);
    expect(office.redemptions(p).map((r) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
    // A wallet's history: the payments its owner made, to any operator, newest first.
    expect(office.wallet(p, 'c1'.repeat(32)).history.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect(office.wallet(p, 'c2'.repeat(32)).history.map((r) => r.id)).toEqual([ids[2]]);
    expect(office.wallet(p, 'c3'.repeat(32)).history).toEqual([]);
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
      waitFinal: unused,
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
