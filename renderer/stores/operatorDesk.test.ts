import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { IdentitySummary, MethodInput, VoucherProgrammeSummary, VoucherRedemptionJSON, VoucherRedemptionStatus } from '../../preload/contract';
import { ApiError, type CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { toCsv } from '../app/files';
import { fakeClient, PROGRAMME, settled, type Handlers } from './fakeClient';
import { useOperatorDeskStore } from './operatorDesk';

const OCTOPUS = 'ef'.repeat(32);
const ALIPAY = 'a1'.repeat(32);
const PAYER = 'c2'.repeat(32);
const P = PROGRAMME.id;

/** The demo's operators on this node: Octopus (listed first) and AlipayHK, suspended. */
const programme: VoucherProgrammeSummary = {
  ...PROGRAMME,
  operators: [...PROGRAMME.operators, { publicKey: ALIPAY, name: 'AlipayHK', status: 'suspended', redemptions: 0, redeemedCents: 0 }],
  office: { ...PROGRAMME.office, operators: ['operator-alipayhk', 'operator-octopus'] },
};

const identities: IdentitySummary[] = [
  { id: 'operator-alipayhk', label: 'AlipayHK (keystore)', role: 'operator', publicKey: ALIPAY },
  { id: 'operator-octopus', label: 'Octopus (keystore)', role: 'operator', publicKey: OCTOPUS },
];

const hashOf = (n: number) => n.toString(16).padStart(64, '0');

function redemption(n: number, status: VoucherRedemptionStatus, atMs: number, extra: Partial<VoucherRedemptionJSON> = {}): VoucherRedemptionJSON {
  return {
    id: hashOf(n),
    payer: PAYER,
    operator: OCTOPUS,
    operatorName: 'Octopus',
    requestId: `req-${n}`,
    reference: `Table ${n}`,
    amountCents: n * 1_000 + 50,
    status,
    redeemedAtMs: atMs,
    claim: status === 'claimed' || status === 'settled' ? hashOf(900) : null,
    ...extra,
  };
}

function setUp(handlers: Handlers = {}) {
  const ledger: { redemptions: VoucherRedemptionJSON[] } = { redemptions: [] };
  const fake = fakeClient({
    'voucher.programmes': () => ({ programmes: [programme] }),
    'keystore.list': () => ({ identities }),
    'voucher.redemptions': (params) => ({ redemptions: params.operator === 'operator-octopus' ? ledger.redemptions : [] }),
    ...handlers,
  });
  const app = createApp({});
  app.provide(CLIENT_KEY, fake.client as CivichainClient);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const desk = useOperatorDeskStore();
  return { fake, desk, ledger };
}

const callsOf = (fake: ReturnType<typeof fakeClient>, method: string) => fake.calls.filter((c) => c.method === method).map((c) => c.params);

describe('useOperatorDeskStore: who the desk acts as', () => {
  it("lists this node's operators in the programme's order with the ledger's name and status, and starts with the first", async () => {
    const { desk } = setUp();
    expect(desk.ready).toBe(false);
    desk.start();
    await settled();
    expect(desk.ready).toBe(true);
    expect(desk.operators).toEqual([
      { id: 'operator-octopus', publicKey: OCTOPUS, name: 'Octopus', status: 'active' },
      { id: 'operator-alipayhk', publicKey: ALIPAY, name: 'AlipayHK', status: 'suspended' },
    ]);
    expect(desk.operator?.id).toBe('operator-octopus');
  });

  it("fetches the chosen operator's redemptions, never shows one operator's under another, and refetches on voucher.changed", async () => {
    const { desk, fake, ledger } = setUp();
    ledger.redemptions = [redemption(1, 'pending', 10)];
    desk.start();
    await settled();
    expect(desk.redemptions.map((r) => r.requestId)).toEqual(['req-1']);
    expect(desk.pendingCount).toBe(1);

    desk.chooseOperator('operator-alipayhk');
    expect(desk.redemptions).toEqual([]);
    expect(desk.redemptionsLoaded).toBe(false);
    await settled();
    expect(desk.redemptionsLoaded).toBe(true);
    expect(callsOf(fake, 'voucher.redemptions').at(-1)).toEqual({ programme: P, operator: 'operator-alipayhk' });

    desk.chooseOperator('operator-octopus');
    await settled();
    ledger.redemptions = [redemption(2, 'pending', 20), ...ledger.redemptions];
    fake.emit('voucher.changed', { programme: P, height: 7 });
    await settled();
    expect(desk.redemptions.map((r) => r.requestId)).toEqual(['req-2', 'req-1']);
  });

  it('keeps the last redemptions and says what failed when a refresh is refused', async () => {
    let fail = false;
    const ledger = [redemption(1, 'pending', 10)];
    const { desk, fake } = setUp({
      'voucher.redemptions': () => {
        if (fail) throw new ApiError({ code: 'VOUCHER_PROGRAMME_UNKNOWN', message: 'There is no voucher programme.', details: {} });
        return { redemptions: ledger };
      },
    });
    desk.start();
    await settled();
    fail = true;
    fake.emit('voucher.changed', { programme: P, height: 8 });
    await settled();
    expect(desk.redemptions).toHaveLength(1);
    expect(desk.error).toEqual({ code: 'VOUCHER_PROGRAMME_UNKNOWN', message: 'There is no voucher programme.' });
  });
});

describe('useOperatorDeskStore: payment requests', () => {
  it('creates a request for the operator shown, and sees it paid once its redemption is final', async () => {
    const asked: MethodInput<'voucher.request'>[] = [];
    const { desk, fake, ledger } = setUp({
      'voucher.request': (params) => {
        asked.push(params);
        return { code: `cvr1:${P}:${OCTOPUS}:req-7`, operator: OCTOPUS, requestId: 'req-7', amountCents: 12_050, reference: 'Table 7', expiresAtMs: 1_000, txHash: hashOf(70) };
      },
    });
    desk.start();
    await settled();
    expect(await desk.createRequest({ amountCents: 12_050, reference: 'Table 7', expiresInMs: 15 * 60_000 })).toBe(true);
    expect(asked).toEqual([{ programme: P, operator: 'operator-octopus', amountCents: 12_050, reference: 'Table 7', expiresInMs: 900_000 }]);
    expect(desk.currentRequest?.code).toBe(`cvr1:${P}:${OCTOPUS}:req-7`);
    expect(desk.currentRedemption).toBeNull();

    ledger.redemptions = [redemption(7, 'pending', 30)];
    fake.emit('voucher.changed', { programme: P, height: 9 });
    await settled();
    expect(desk.currentRedemption?.id).toBe(hashOf(7));

    // Another operator's desk does not show Octopus's request; back at Octopus it is there again.
    desk.chooseOperator('operator-alipayhk');
    expect(desk.currentRequest).toBeNull();
    desk.chooseOperator('operator-octopus');
    expect(desk.currentRequest?.requestId).toBe('req-7');
    desk.newRequest();
    expect(desk.currentRequest).toBeNull();
  });

  it('TX_VOUCHER_OPERATOR_SUSPENDED: a refused request is kept as the form’s error, never thrown', async () => {
    const { desk } = setUp({
      'voucher.request': () => {
        throw new ApiError({ code: 'TX_VOUCHER_OPERATOR_SUSPENDED', message: 'Operator AlipayHK is suspended.', details: {} });
      },
    });
    desk.start();
    await settled();
    desk.chooseOperator('operator-alipayhk');
    expect(await desk.createRequest({ amountCents: 100, reference: '', expiresInMs: 60_000 })).toBe(false);
    expect(desk.requestError?.code).toBe('TX_VOUCHER_OPERATOR_SUSPENDED');
    expect(desk.requesting).toBe(false);
    expect(desk.currentRequest).toBeNull();
  });
});

describe('useOperatorDeskStore: accept, decline, refund', () => {
  it('accepts, declines with a trimmed reason (none when blank) and refunds the redemption it is given', async () => {
    const sent: { method: string; params: unknown }[] = [];
    const record = (method: string) => (params: unknown) => {
      sent.push({ method, params });
      return { txHash: hashOf(1), height: 3 };
    };
    const { desk, ledger } = setUp({ 'voucher.accept': record('accept'), 'voucher.decline': record('decline'), 'voucher.refund': record('refund') });
    ledger.redemptions = [redemption(1, 'pending', 10), redemption(2, 'pending', 20), redemption(3, 'accepted', 30)];
    desk.start();
    await settled();
    const [one, two, three] = ledger.redemptions as [VoucherRedemptionJSON, VoucherRedemptionJSON, VoucherRedemptionJSON];
    expect(await desk.accept(one)).toBe(true);
    expect(await desk.decline(two, '  Customer changed their mind  ')).toBe(true);
    expect(await desk.decline(two, '   ')).toBe(true);
    expect(await desk.refund(three)).toBe(true);
    expect(sent).toEqual([
      { method: 'accept', params: { programme: P, redemption: one.id } },
      { method: 'decline', params: { programme: P, redemption: two.id, reason: 'Customer changed their mind' } },
      { method: 'decline', params: { programme: P, redemption: two.id } },
      { method: 'refund', params: { programme: P, redemption: three.id } },
    ]);
    expect(desk.working.size).toBe(0);
  });

  it('TX_VOUCHER_REFUND_AFTER_SETTLEMENT: the refusal is kept with the redemption and the action, and the list is fetched again', async () => {
    let release: () => void = () => undefined;
    const { desk, fake, ledger } = setUp({
      'voucher.refund': () =>
        new Promise((_, reject) => {
          release = () =>
            reject(new ApiError({ code: 'TX_VOUCHER_REFUND_AFTER_SETTLEMENT', message: 'This redemption is claimed for settlement; it can no longer be refunded on the ledger.', details: {} }));
        }),
    });
    ledger.redemptions = [redemption(4, 'accepted', 10)];
    desk.start();
    await settled();
    const target = ledger.redemptions[0] as VoucherRedemptionJSON;
    const fetchesBefore = callsOf(fake, 'voucher.redemptions').length;
    const done = desk.refund(target);
    expect(desk.working.get(target.id)).toBe('refund');
    // A second press while the first is on its way does nothing.
    expect(await desk.refund(target)).toBe(false);
    ledger.redemptions = [redemption(4, 'claimed', 10)];
    release();
    expect(await done).toBe(false);
    expect(desk.actionFailure).toEqual({
      redemption: target,
      action: 'refund',
      error: { code: 'TX_VOUCHER_REFUND_AFTER_SETTLEMENT', message: 'This redemption is claimed for settlement; it can no longer be refunded on the ledger.' },
    });
    expect(callsOf(fake, 'voucher.redemptions').length).toBe(fetchesBefore + 1);
    expect(desk.redemptions[0]?.status).toBe('claimed');
    expect(desk.working.size).toBe(0);
  });
});

describe('useOperatorDeskStore: settlement', () => {
  it('claims exactly the accepted, unclaimed redemptions it showed, and lists claims as claimed or settled', async () => {
    const asked: MethodInput<'voucher.settle'>[] = [];
    const { desk, ledger } = setUp({
      'voucher.settle': (params) => {
        asked.push(params);
        return { txHash: hashOf(901), height: 12, redemptions: params.redemptions?.length ?? 0, totalCents: 3_100 };
      },
    });
    ledger.redemptions = [
      redemption(5, 'pending', 50),
      redemption(4, 'accepted', 40),
      redemption(3, 'refunded', 30),
      redemption(2, 'accepted', 20),
      redemption(1, 'settled', 10, { claim: hashOf(800) }),
      redemption(6, 'claimed', 5, { claim: hashOf(801) }),
    ];
    desk.start();
    await settled();
    expect(desk.claimable.map((r) => r.requestId)).toEqual(['req-4', 'req-2']);
    expect(desk.claimableTotalCents).toBe(4_050 + 2_050);
    expect(desk.claims).toEqual([
      { id: hashOf(800), count: 1, totalCents: 1_050, status: 'settled', latestRedeemedAtMs: 10 },
      { id: hashOf(801), count: 1, totalCents: 6_050, status: 'claimed', latestRedeemedAtMs: 5 },
    ]);

    expect(await desk.settle(desk.claimable.map((r) => r.id))).toBe(true);
    expect(asked).toEqual([{ programme: P, operator: 'operator-octopus', redemptions: [hashOf(4), hashOf(2)] }]);
    expect(desk.lastClaim).toEqual({ txHash: hashOf(901), redemptions: 2, totalCents: 3_100 });
    expect(await desk.settle([])).toBe(false);
  });

  it('VOUCHER_NOTHING_TO_SETTLE is kept as the settlement’s error', async () => {
    const { desk, ledger } = setUp({
      'voucher.settle': () => {
        throw new ApiError({ code: 'VOUCHER_NOTHING_TO_SETTLE', message: 'There are no accepted, unclaimed redemptions to claim.', details: {} });
      },
    });
    ledger.redemptions = [redemption(1, 'accepted', 10)];
    desk.start();
    await settled();
    expect(await desk.settle([hashOf(1)])).toBe(false);
    expect(desk.settleError?.code).toBe('VOUCHER_NOTHING_TO_SETTLE');
    expect(desk.settling).toBe(false);
  });
});

describe('useOperatorDeskStore: the redemption report', () => {
  const at = (month: number, day: number, hour = 12) => new Date(2026, month - 1, day, hour, 30).getTime();
  const NOW = at(11, 22, 15);

  function withLedger() {
    const setup = setUp();
    setup.ledger.redemptions = [
      redemption(6, 'pending', at(11, 22, 14)),
      redemption(5, 'accepted', at(11, 22, 9), { reference: '=HYPERLINK("x")' }),
      redemption(4, 'declined', at(11, 21)),
      redemption(3, 'refunded', at(11, 1, 0)),
      redemption(2, 'claimed', at(10, 31, 23)),
      redemption(1, 'settled', at(10, 2)),
    ];
    return setup;
  }

  it('today, this month, all, and from–to dates (both days included), with totals by status', async () => {
    const { desk } = withLedger();
    desk.start();
    await settled();

    desk.setPeriod({ kind: 'today' }, NOW);
    expect(desk.report.rows.map((r) => r.requestId)).toEqual(['req-6', 'req-5']);
    expect(desk.report.label).toBe('Today, 22 Nov 2026');
    expect(desk.report.totals.all).toEqual({ count: 2, cents: 6_050 + 5_050 });
    expect(desk.report.totals.redeemed).toEqual({ count: 1, cents: 5_050 });

    desk.setPeriod({ kind: 'month' }, NOW);
    expect(desk.report.rows.map((r) => r.requestId)).toEqual(['req-6', 'req-5', 'req-4', 'req-3']);
    expect(desk.report.label).toBe('November 2026');
    expect(desk.report.totals.byStatus).toEqual([
      { status: 'pending', count: 1, cents: 6_050 },
      { status: 'accepted', count: 1, cents: 5_050 },
      { status: 'claimed', count: 0, cents: 0 },
      { status: 'settled', count: 0, cents: 0 },
      { status: 'refunded', count: 1, cents: 3_050 },
      { status: 'declined', count: 1, cents: 4_050 },
    ]);

    desk.setPeriod({ kind: 'all' }, NOW);
    expect(desk.report.rows).toHaveLength(6);
    expect(desk.report.totals.redeemed).toEqual({ count: 3, cents: 5_050 + 2_050 + 1_050 });

    desk.setPeriod({ kind: 'range', from: '2026-10-31', to: '2026-11-01' }, NOW);
    expect(desk.report.rows.map((r) => r.requestId)).toEqual(['req-3', 'req-2']);
    expect(desk.report.label).toBe('31 Oct 2026 – 1 Nov 2026');

    desk.setPeriod({ kind: 'range', from: '2026-11-21', to: '' }, NOW);
    expect(desk.report.rows.map((r) => r.requestId)).toEqual(['req-6', 'req-5', 'req-4']);
  });

  it('a from date after the to date, or a date that does not exist, is a problem, and the report is empty', async () => {
    const { desk } = withLedger();
    desk.start();
    await settled();
    desk.setPeriod({ kind: 'range', from: '2026-11-22', to: '2026-11-01' }, NOW);
    expect(desk.report.problem).toMatch(/“from” date is after the “to” date/);
    expect(desk.report.rows).toEqual([]);
    desk.setPeriod({ kind: 'range', from: '2026-02-31', to: '' }, NOW);
    expect(desk.report.problem).toMatch(/not a date/);
  });

  it('CSV rows: a header, one row per redemption oldest first (HK$ and cents, claim id), then totals by status; formulas defused', async () => {
    const { desk } = withLedger();
    desk.start();
    await settled();
    desk.setPeriod({ kind: 'month' }, NOW);
    const rows = desk.report.csvRows;
    expect(rows[0]).toEqual(['Date and time', 'Redemption id', 'Request id', 'Reference', 'Payer key', 'Amount (HK$)', 'Amount (cents)', 'Status', 'Claim id']);
    expect(rows.slice(1, 5).map((row) => [row[2], row[5], row[6], row[7], row[8]])).toEqual([
      ['req-3', '30.50', 3_050, 'refunded', ''],
      ['req-4', '40.50', 4_050, 'declined', ''],
      ['req-5', '50.50', 5_050, 'accepted', ''],
      ['req-6', '60.50', 6_050, 'pending', ''],
    ]);
    expect(rows[1]?.[0]).toMatch(/^2026-11-01T00:30:00[+-]\d\d:\d\d$/);
    expect(rows[1]?.[4]).toBe(PAYER);
    expect(rows[5]).toEqual([]);
    expect(rows.slice(6)).toEqual([
      ['Status', 'Redemptions', 'Amount (HK$)', 'Amount (cents)'],
      ['Pending', 1, '60.50', 6_050],
      ['Accepted', 1, '50.50', 5_050],
      ['Claimed', 0, '0.00', 0],
      ['Settled', 0, '0.00', 0],
      ['Refunded', 1, '30.50', 3_050],
      ['Declined', 1, '40.50', 4_050],
      ['Redeemed (accepted, claimed, settled)', 1, '50.50', 5_050],
      ['All redemptions', 4, '182.00', 18_200],
    ]);
    expect(toCsv(rows)).toContain(`,req-5,"'=HYPERLINK(""x"")",`);

    desk.setPeriod({ kind: 'all' }, NOW);
    expect(desk.report.csvRows.find((row) => row[2] === 'req-2')?.[8]).toBe(hashOf(900));
  });

  it('file names say whose report, and for when', async () => {
    const { desk } = withLedger();
    desk.start();
    await settled();
    const names = (
      [
        { kind: 'today' },
        { kind: 'month' },
        { kind: 'all' },
        { kind: 'range', from: '2026-11-01', to: '2026-11-15' },
        { kind: 'range', from: '2026-11-01', to: '' },
      ] as const
    ).map((period) => {
      desk.setPeriod(period, NOW);
      return desk.report.fileName;
    });
    expect(names).toEqual([
      'civichain-octopus-redemptions-2026-11-22.csv',
      'civichain-octopus-redemptions-2026-11.csv',
      'civichain-octopus-redemptions-all-to-2026-11-22.csv',
      'civichain-octopus-redemptions-2026-11-01-to-2026-11-15.csv',
      'civichain-octopus-redemptions-from-2026-11-01.csv',
    ]);
  });
});
