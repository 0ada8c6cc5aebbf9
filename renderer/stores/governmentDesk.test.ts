import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { VoucherClaimJSON, VoucherProgrammeSummary, VoucherQueueItem } from '../../preload/contract';
import { ApiError, type CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { fakeClient, PROGRAMME, settled, type Handlers } from './fakeClient';
import { QUEUE_PAGE, useGovernmentDeskStore } from './governmentDesk';

const P = PROGRAMME.id;
const hashOf = (n: number) => n.toString(16).padStart(64, '0');
const keyOf = (n: number) => (n + 1000).toString(16).padStart(64, 'a');

function application(n: number, overrides: Partial<VoucherQueueItem> = {}): VoucherQueueItem {
  return {
    application: hashOf(n),
    applicant: keyOf(n),
    appliedAtMs: n,
    status: 'pending',
    reason: null,
    details: { hkid: `A12345${n}0`, name: `Applicant ${n}`, dateOfBirth: '1980-01-01', residency: 'permanent' },
    openError: null,
    duplicates: [],
    eligibility: [],
    ageYears: 46,
    ...overrides,
  };
}

function claim(n: number, overrides: Partial<VoucherClaimJSON> = {}): VoucherClaimJSON {
  return { claim: hashOf(500 + n), operator: 'ef'.repeat(32), operatorName: 'Octopus', redemptions: 1, totalCents: 1_000, claimedAtMs: n, status: 'claimed', ...overrides };
}

type Claims = { waiting: VoucherClaimJSON[]; settled: { claims: number; redemptions: number; totalCents: number } };

/** A store on a fake node holding `queue` (mutable: the test changes it as the node would). */
function setUp(options: { queue?: VoucherQueueItem[]; programmes?: VoucherProgrammeSummary[]; claims?: Claims; handlers?: Handlers } = {}) {
  const state = { queue: options.queue ?? [], programmes: options.programmes ?? [PROGRAMME], claims: options.claims ?? { waiting: [], settled: { claims: 0, redemptions: 0, totalCents: 0 } } };
  const fake = fakeClient({
    'voucher.programmes': () => ({ programmes: state.programmes }),
    'voucher.queue': () => ({ applications: state.queue }),
    'voucher.claims': () => state.claims,
    ...options.handlers,
  });
  const app = createApp({});
  app.provide(CLIENT_KEY, fake.client as CivichainClient);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const desk = useGovernmentDeskStore();
  const callsOf = (method: string) => fake.calls.filter((c) => c.method === method);
  return { fake, desk, state, callsOf };
}

/** A promise the test resolves or rejects when it chooses: a decision the node has not made final yet. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useGovernmentDeskStore', () => {
  it('draws a long queue a page at a time: the next page on request or when j goes past it, from the top after a new filter', async () => {
    const total = 2 * QUEUE_PAGE + 30;
    const { desk } = setUp({ queue: Array.from({ length: total }, (_, n) => application(n + 1, { status: n === 5 ? 'approved' : 'pending' })) });
    desk.start();
    await settled();
    expect(desk.shown).toHaveLength(total - 1);
    expect(desk.listed).toHaveLength(QUEUE_PAGE);
    expect(desk.notListed).toBe(total - 1 - QUEUE_PAGE);
    desk.listMore();
    expect(desk.listed).toHaveLength(2 * QUEUE_PAGE);
    desk.listMore();
    expect(desk.listed).toHaveLength(total - 1);
    expect(desk.notListed).toBe(0);

    desk.statusFilter = 'all';
    await settled();
    expect(desk.listed).toHaveLength(QUEUE_PAGE);
    // j down to the last one drawn, then one more: the next page is drawn, with the selected one in it.
    for (let i = 0; i < QUEUE_PAGE; i++) desk.move(1);
    expect(desk.selectedIndex).toBe(QUEUE_PAGE);
    expect(desk.listed).toHaveLength(2 * QUEUE_PAGE);
    expect(desk.listed).toContain(desk.selected);
    // Back up again: the page stays drawn.
    desk.move(-1);
    expect(desk.listed).toHaveLength(2 * QUEUE_PAGE);
    // An application far down, shown from another's detail, is drawn with its page.
    desk.showApplication(hashOf(total));
    expect(desk.selectedIndex).toBe(total - 1);
    expect(desk.listed).toHaveLength(total);
    desk.search = 'Applicant 7';
    await settled();
    expect(desk.listed.length).toBeLessThanOrEqual(QUEUE_PAGE);
    expect(desk.notListed).toBe(0);
  });

  it('loads the queue once the programme is known, shows pending first, filters by status, and moves with j/k', async () => {
    const { desk, callsOf } = setUp({ queue: [application(1), application(2, { status: 'approved' }), application(3), application(4, { status: 'denied', reason: 'Visitor' })] });
    desk.start();
    desk.start();
    await settled();
    expect(callsOf('voucher.queue')).toEqual([{ method: 'voucher.queue', params: { programme: P } }]);
    expect(desk.queueLoaded).toBe(true);
    expect(desk.counts).toEqual({ pending: 2, approved: 1, denied: 1, all: 4 });
    expect(desk.shown.map((a) => a.appliedAtMs)).toEqual([1, 3]);
    expect(desk.selected?.appliedAtMs).toBe(1);
    desk.move(1);
    expect(desk.selected?.appliedAtMs).toBe(3);
    desk.move(1);
    expect(desk.selected?.appliedAtMs).toBe(3);
    desk.move(-1);
    expect(desk.selected?.appliedAtMs).toBe(1);

    desk.statusFilter = 'denied';
    expect(desk.shown.map((a) => a.reason)).toEqual(['Visitor']);
    expect(desk.selected?.appliedAtMs).toBe(4);
    desk.statusFilter = 'all';
    expect(desk.shown).toHaveLength(4);
  });

  it('shows the first programme until another is chosen, then fetches that one’s queue and claims', async () => {
    const other: VoucherProgrammeSummary = { ...PROGRAMME, id: 'hk-2027', title: 'Scheme 2027' };
    const { desk, callsOf } = setUp({ queue: [application(1)], programmes: [PROGRAMME, other] });
    desk.start();
    await settled();
    expect(desk.programme?.id).toBe(P);
    desk.choose('hk-2027');
    await settled();
    expect(desk.programme?.title).toBe('Scheme 2027');
    expect(callsOf('voucher.queue').at(-1)?.params).toEqual({ programme: 'hk-2027' });
    expect(callsOf('voucher.claims').at(-1)?.params).toEqual({ programme: 'hk-2027' });
  });

  it('searches by name, by HKID written any way, and by applicant key', async () => {
    const { desk } = setUp({ queue: [application(1), application(2)] });
    desk.start();
    await settled();
    desk.search = 'applicant 2';
    expect(desk.shown.map((a) => a.appliedAtMs)).toEqual([2]);
    desk.search = 'a123452(0)';
    expect(desk.shown.map((a) => a.appliedAtMs)).toEqual([2]);
    desk.search = keyOf(1).slice(-12);
    expect(desk.shown.map((a) => a.appliedAtMs)).toEqual([1]);
    desk.search = 'nobody';
    expect(desk.shown).toEqual([]);
    expect(desk.selected).toBeNull();
  });

  it('on a node that cannot review, never asks for the queue (NOT_A_REVIEWER_NODE) and keeps the dashboard', async () => {
    const { desk, callsOf } = setUp({ programmes: [{ ...PROGRAMME, office: { canReview: false, canAuthorise: false, operators: [] } }] });
    desk.start();
    await settled();
    expect(desk.programme?.id).toBe(P);
    expect(desk.canReview).toBe(false);
    expect(desk.canAuthorise).toBe(false);
    expect(callsOf('voucher.queue')).toHaveLength(0);
    expect(callsOf('voucher.claims')).toHaveLength(1);
  });

  it('approves, waits while the decision becomes final, then shows the next application and refreshes the dashboard', async () => {
    const answer = deferred<{ txHash: string; height: number }>();
    const { desk, state, callsOf } = setUp({ queue: [application(1), application(2), application(3)], handlers: { 'voucher.decide': () => answer.promise } });
    desk.start();
    await settled();
    desk.move(1);
    const decided = desk.selected!;
    expect(decided.appliedAtMs).toBe(2);

    const done = desk.decide(decided, 'approve');
    expect(desk.waiting).toMatchObject({ kind: 'decision', application: decided.application, decision: 'approve' });
    expect(await desk.decide(application(3), 'approve'), 'one decision at a time').toBe(false);
    state.queue = [application(1), application(2, { status: 'approved' }), application(3)];
    answer.resolve({ txHash: hashOf(9), height: 12 });
    expect(await done).toBe(true);

    expect(callsOf('voucher.decide').map((c) => c.params)).toEqual([{ programme: P, application: decided.application, decision: 'approve' }]);
    expect(desk.waiting).toBeNull();
    expect(desk.decisionDone).toEqual({ message: 'Applicant 2 is approved: vouchers issued.', height: 12 });
    expect(desk.shown.map((a) => a.appliedAtMs)).toEqual([1, 3]);
    expect(desk.selected?.appliedAtMs, 'the next application took its place').toBe(3);
    expect(callsOf('voucher.programmes').length).toBeGreaterThanOrEqual(2);
  });

  it('after deciding the last application of the list, shows the one before it', async () => {
    const { desk, state } = setUp({ queue: [application(1), application(2)], handlers: { 'voucher.decide': () => ({ txHash: hashOf(9), height: 3 }) } });
    desk.start();
    await settled();
    desk.move(1);
    state.queue = [application(1), application(2, { status: 'denied', reason: 'Not a resident' })];
    expect(await desk.decide(desk.selected!, 'deny', 'Not a resident')).toBe(true);
    expect(desk.selected?.appliedAtMs).toBe(1);
  });

  it('denies with the reason, which the node requires (VOUCHER_REASON_REQUIRED without one)', async () => {
    const { desk, callsOf } = setUp({
      queue: [application(1)],
      handlers: {
        'voucher.decide': (params) => {
          if (params.decision === 'deny' && !params.reason?.trim()) throw new ApiError({ code: 'VOUCHER_REASON_REQUIRED', message: 'A denial needs a reason the resident will read.', details: {} });
          return { txHash: hashOf(9), height: 4 };
        },
      },
    });
    desk.start();
    await settled();
    expect(await desk.decide(desk.selected!, 'deny')).toBe(false);
    expect(desk.decisionError).toEqual({ code: 'VOUCHER_REASON_REQUIRED', message: 'A denial needs a reason the resident will read.' });
    expect(await desk.decide(desk.selected!, 'deny', 'Not a Hong Kong resident')).toBe(true);
    expect(desk.decisionError).toBeNull();
    expect(callsOf('voucher.decide').at(-1)?.params).toEqual({ programme: P, application: hashOf(1), decision: 'deny', reason: 'Not a Hong Kong resident' });
  });

  it('VOUCHER_IDENTITY_APPROVED: keeps the node’s refusal to show, the application selected, and the queue fetched again', async () => {
    const duplicate = application(2, { duplicates: [{ application: hashOf(1), status: 'approved' }] });
    const { desk, callsOf } = setUp({
      queue: [application(1, { status: 'approved', duplicates: [{ application: hashOf(2), status: 'pending' }] }), duplicate],
      handlers: {
        'voucher.decide': () => {
          throw new ApiError({ code: 'VOUCHER_IDENTITY_APPROVED', message: 'This HKID was already approved: one person, one grant. Deny this application.', details: {} });
        },
      },
    });
    desk.start();
    await settled();
    expect(desk.selected?.duplicates).toEqual([{ application: hashOf(1), status: 'approved' }]);
    const queueCalls = callsOf('voucher.queue').length;
    expect(await desk.decide(desk.selected!, 'approve')).toBe(false);
    expect(desk.decisionError?.code).toBe('VOUCHER_IDENTITY_APPROVED');
    expect(desk.decisionError?.message).toMatch(/already approved/);
    expect(desk.selected?.application).toBe(hashOf(2));
    expect(desk.waiting).toBeNull();
    expect(callsOf('voucher.queue').length).toBe(queueCalls + 1);
  });

  it('shows a duplicate named in a detail even when the filter or the search hides it', async () => {
    const { desk } = setUp({ queue: [application(1, { status: 'approved' }), application(2)] });
    desk.start();
    await settled();
    desk.search = 'Applicant 2';
    desk.showApplication(hashOf(1));
    expect(desk.statusFilter).toBe('all');
    expect(desk.search).toBe('');
    expect(desk.selected?.application).toBe(hashOf(1));
  });

  it('fetches the queue and the claims again after each voucher.changed, and after a reconnect', async () => {
    const { desk, fake, state, callsOf } = setUp({ queue: [application(1)] });
    desk.start();
    await settled();
    state.queue = [application(1), application(2)];
    fake.emit('voucher.changed', { programme: P, height: 5 });
    await settled();
    expect(desk.counts.pending).toBe(2);
    expect(callsOf('voucher.claims')).toHaveLength(2);
    expect(callsOf('voucher.redemptions')).toHaveLength(0);
    fake.setConnection('closed');
    fake.setConnection('open');
    await settled();
    expect(callsOf('voucher.queue').length).toBeGreaterThanOrEqual(3);
  });

  it('keeps the last queue and shows the error when a refresh fails', async () => {
    let fail = false;
    const { desk, fake } = setUp({
      handlers: {
        'voucher.queue': () => {
          if (fail) throw new ApiError({ code: 'NOT_A_REVIEWER_NODE', message: 'No reviewer key.', details: {} });
          return { applications: [application(1)] };
        },
      },
    });
    desk.start();
    await settled();
    fail = true;
    fake.emit('voucher.changed', { programme: P, height: 5 });
    await settled();
    expect(desk.applications).toHaveLength(1);
    expect(desk.queueError?.code).toBe('NOT_A_REVIEWER_NODE');
  });

  it('shows the claims and the settled sum the node counted (never every redemption), confirms one, and keeps the last claims when a refresh fails', async () => {
    const claimA = claim(1, { redemptions: 2, totalCents: 14_050 });
    const claimB = claim(2, { operator: '12'.repeat(32), operatorName: 'PayMe', totalCents: 500 });
    let fail = false;
    const { desk, fake, state, callsOf } = setUp({
      claims: { waiting: [claimA, claimB], settled: { claims: 1, redemptions: 3, totalCents: 7_000 } },
      handlers: {
        'voucher.confirm': () => ({ txHash: hashOf(9), height: 20 }),
        'voucher.claims': () => {
          if (fail) throw new ApiError({ code: 'VOUCHER_PROGRAMME_UNKNOWN', message: 'There is no voucher programme.', details: {} });
          return state.claims;
        },
      },
    });
    desk.start();
    await settled();
    expect(desk.claims).toEqual([claimA, claimB]);
    expect(desk.settled).toEqual({ claims: 1, redemptions: 3, totalCents: 7_000 });

    state.claims = { waiting: [claimB], settled: { claims: 2, redemptions: 5, totalCents: 21_050 } };
    expect(await desk.confirmClaim(desk.claims[0]!)).toBe(true);
    expect(callsOf('voucher.confirm').map((c) => c.params)).toEqual([{ programme: P, claim: claimA.claim }]);
    expect(desk.settlementDone).toEqual({ message: 'The claim of Octopus is confirmed.', height: 20 });
    expect(desk.claims).toEqual([claimB]);
    expect(desk.settled.totalCents).toBe(21_050);

    fail = true;
    fake.emit('voucher.changed', { programme: P, height: 21 });
    await settled();
    expect(desk.claims).toEqual([claimB]);
    expect(desk.claimsError?.code).toBe('VOUCHER_PROGRAMME_UNKNOWN');
    expect(callsOf('voucher.redemptions')).toHaveLength(0);
  });

  it('registers, suspends and reinstates operators (a reinstatement is a register under its name), and keeps the node’s refusal', async () => {
    const key = '3c'.repeat(32);
    const { desk, callsOf } = setUp({
      handlers: {
        'voucher.operator': (params) => {
          if (params.operator === '00'.repeat(32)) throw new ApiError({ code: 'TX_VOUCHER_OPERATOR_EXISTS', message: 'This operator is already registered.', details: {} });
          return { txHash: hashOf(9), height: 30 };
        },
      },
    });
    desk.start();
    await settled();
    expect(await desk.registerOperator(key, 'Tap & Go')).toBe(true);
    expect(desk.operatorDone?.message).toBe('Tap & Go is registered: residents can pay it from now on.');
    const octopus = PROGRAMME.operators[0]!;
    expect(await desk.setOperatorStatus(octopus, 'suspend')).toBe(true);
    expect(await desk.setOperatorStatus({ ...octopus, status: 'suspended' }, 'reinstate')).toBe(true);
    expect(callsOf('voucher.operator').map((c) => c.params)).toEqual([
      { programme: P, action: 'register', operator: key, name: 'Tap & Go' },
      { programme: P, action: 'suspend', operator: octopus.publicKey },
      { programme: P, action: 'register', operator: octopus.publicKey, name: 'Octopus' },
    ]);
    expect(await desk.registerOperator('00'.repeat(32), 'Again')).toBe(false);
    expect(desk.operatorError?.code).toBe('TX_VOUCHER_OPERATOR_EXISTS');
    expect(desk.waiting).toBeNull();
  });
});
