/**
 * Vouchers end to end on real demo node processes (DESIGN.md §6, §10): a resident applies, a reviewer
 * approves, the resident holds HK$5,000 in two instalments, pays HK$120.50 at Octopus, Octopus accepts, and
 * the wallet, the operator's redemptions and the dashboard agree — on the node that did it and on a second,
 * peered observer node. Refusals: a bad HKID check digit, under 18, a second application with the same
 * HKID (flagged, then refused), paying more than the balance, paying an expired request, a retry with
 * the same request charged once, and one voucher paid at two operators through two nodes at once.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoucherClaimJSON, VoucherPaymentRequest, VoucherPaymentRequestView, VoucherProgrammeSummary, VoucherQueueItem, VoucherRedemptionJSON, VoucherWallet } from '../../preload/contract';
import { runCli, startNodeProcess, type StartedNode } from '../support/cli';
import { makeTempDir } from '../support/tempDir';
import { DEMO_PROGRAMME_ID } from '../../main/node/workspace/demoVouchers';

const P = DEMO_PROGRAMME_ID;
const temps = [makeTempDir(), makeTempDir()];
const nodes: StartedNode[] = [];
let a: StartedNode;
let b: StartedNode;

const CHAN = { hkid: 'A123456(3)', name: 'Chan Tai Man', dateOfBirth: '1980-05-01', residency: 'permanent' };

beforeAll(async () => {
  a = await startNodeProcess(['--data', temps[0]!.path, '--api-port', '0', '--p2p-port', '0', '--demo', '--keys', 'validator-1,validator-2,validator-3,proposer-1']);
  nodes.push(a);
  b = await startNodeProcess(['--data', temps[1]!.path, '--api-port', '0', '--p2p-port', '0', '--demo', '--observer', '--peer', a.p2pUrl]);
  nodes.push(b);
}, 60_000);

afterAll(async () => {
  for (const node of nodes) {
    node.api.close();
    node.proc.child.kill('SIGTERM');
    await node.proc.exited;
  }
  for (const temp of temps) temp.remove();
});

const wallet = (node: StartedNode, resident: string) => node.api.call<VoucherWallet>('voucher.wallet', { programme: P, resident });

describe('vouchers on a demo node', () => {
  it('a fresh demo node seeds the programme in its first block, beside the demo election: HK$5,000 in two instalments, Octopus, AlipayHK and PayMe', async () => {
    const names = async (node: StartedNode) =>
      (await node.api.call<{ programmes: VoucherProgrammeSummary[] }>('voucher.programmes')).programmes.find((p) => p.id === P)?.operators.map((o) => o.name).sort() ?? [];
    await expect.poll(() => names(a), { timeout: 30_000 }).toEqual(['AlipayHK', 'Octopus', 'PayMe']);
    await expect.poll(() => names(b), { timeout: 30_000 }).toEqual(['AlipayHK', 'Octopus', 'PayMe']);
    const programme = await a.api.call<VoucherProgrammeSummary>('voucher.programme', { programme: P });
    expect(programme.amountPerPersonCents).toBe(500_000);
    expect(programme.instalments.map((i) => i.amountCents)).toEqual([200_000, 300_000]);
    expect(programme.office).toMatchObject({ canReview: true, canAuthorise: true });
    const first = await a.api.call<{ transactions: { type: string }[] }>('chain.block', { height: 1 });
    expect(first.transactions.map((t) => t.type).sort()).toEqual(['election.create', 'voucher.programme']);
  }, 60_000);

  it('VOUCHER_DETAILS_INVALID: a wrong HKID check digit and an applicant under 18 are refused, naming the field', async () => {
    const badDigit = await a.api.callError('voucher.apply', { programme: P, resident: 'resident-lee', details: { ...CHAN, hkid: 'A123456(4)' } });
    expect(badDigit.data).toMatchObject({ code: 'VOUCHER_DETAILS_INVALID', details: { field: 'hkid' } });
    expect(badDigit.data.message).toMatch(/check digit/);
    const young = new Date(Date.now() - 17 * 365.25 * 86_400_000).toISOString().slice(0, 10);
    const under18 = await a.api.callError('voucher.apply', { programme: P, resident: 'resident-lee', details: { ...CHAN, dateOfBirth: young } });
    expect(under18.data).toMatchObject({ code: 'VOUCHER_DETAILS_INVALID', details: { field: 'dateOfBirth' } });
    expect(under18.data.message).toMatch(/18 or over/);
    expect((await a.api.call<{ status: string }>('voucher.application', { programme: P, resident: 'resident-lee' })).status).toBe('none');
  });

  it('a resident applies, the reviewer approves, the same HKID under another key is flagged and refused, HK$5,000 in two instalments', async () => {
    const chan = await a.api.call<{ application: string }>('voucher.apply', { programme: P, resident: 'resident-chan', details: CHAN });
    expect((await a.api.call<{ status: string }>('voucher.application', { programme: P, resident: 'resident-chan' })).status).toBe('pending');
    // The same person under another key, the HKID written in another case and spacing.
    const wong = await a.api.call<{ application: string }>('voucher.apply', { programme: P, resident: 'resident-wong', details: { ...CHAN, hkid: 'a 123456 (3)' } });

    const { applications } = await a.api.call<{ applications: VoucherQueueItem[] }>('voucher.queue', { programme: P, status: 'pending' });
    const mine = applications.find((q) => q.application === chan.application)!;
    expect(mine.details).toEqual({ ...CHAN, hkid: 'A1234563' });
    expect(mine.duplicates).toEqual([{ application: wong.application, status: 'pending' }]);

    await a.api.call('voucher.decide', { programme: P, application: chan.application, decision: 'approve' });
    const second = await a.api.callError('voucher.decide', { programme: P, application: wong.application, decision: 'approve' });
    expect(second.data.code).toBe('VOUCHER_IDENTITY_APPROVED');
    expect(second.data.message).toMatch(/one person, one grant/);
    await a.api.call('voucher.decide', { programme: P, application: wong.application, decision: 'deny', reason: 'This HKID already received the vouchers.' });
    expect(await a.api.call('voucher.application', { programme: P, resident: 'resident-wong' })).toMatchObject({ status: 'denied', reason: 'This HKID already received the vouchers.' });
    // A denied application no longer flags the approved one; it still names the one approved for the same HKID.
    const decided = (await a.api.call<{ applications: VoucherQueueItem[] }>('voucher.queue', { programme: P })).applications;
    expect(decided.find((q) => q.application === chan.application)!.duplicates).toEqual([]);
    expect(decided.find((q) => q.application === wong.application)!.duplicates).toEqual([{ application: chan.application, status: 'approved' }]);

    const w = await wallet(a, 'resident-chan');
    expect(w.spendableCents).toBe(500_000);
    expect(w.vouchers.map((v) => v.amountCents)).toEqual([200_000, 300_000]);
    expect(w.vouchers.every((v) => v.spendableNow)).toBe(true);
  }, 60_000);

  it('pays HK$120.50 at Octopus once (a retry is not charged again); Octopus accepts; wallet, redemptions and dashboard agree on both nodes', async () => {
    const request = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-octopus', amountCents: 12_050, reference: 'Wellcome #8812' });
    const paid = await a.api.call<{ redemption: string; alreadyPaid: boolean }>('voucher.pay', { programme: P, resident: 'resident-chan', code: request.code });
    expect(paid.alreadyPaid).toBe(false);
    const retry = await a.api.call<{ redemption: string; alreadyPaid: boolean }>('voucher.pay', { programme: P, resident: 'resident-chan', code: request.code });
    expect(retry).toMatchObject({ redemption: paid.redemption, alreadyPaid: true });
    // The HK$2,000 instalment (earliest expiry) was consumed; its change waits for the operator.
    expect((await wallet(a, 'resident-chan')).spendableCents).toBe(300_000);

    const incoming = await a.api.call<{ redemptions: VoucherRedemptionJSON[] }>('voucher.redemptions', { programme: P, operator: 'operator-octopus' });
    expect(incoming.redemptions).toMatchObject([{ id: paid.redemption, amountCents: 12_050, status: 'pending', operatorName: 'Octopus', reference: 'Wellcome #8812' }]);
    await a.api.call('voucher.accept', { programme: P, redemption: paid.redemption });

    for (const node of [a, b]) {
      await expect.poll(async () => (await wallet(node, 'resident-chan')).spendableCents, { timeout: 20_000 }).toBe(487_950);
      const w = await wallet(node, 'resident-chan');
      expect(w.history).toMatchObject([{ id: paid.redemption, amountCents: 12_050, status: 'accepted' }]);
      const dashboard = await node.api.call<VoucherProgrammeSummary>('voucher.programme', { programme: P });
      expect(dashboard.counts).toEqual({ applicants: { pending: 0, approved: 1, denied: 1 }, issuedCents: 500_000, redeemedCents: 12_050, outstandingCents: 487_950 });
      expect(dashboard.operators.find((o) => o.name === 'Octopus')).toMatchObject({ redemptions: 1, redeemedCents: 12_050 });
    }
  }, 60_000);

  it('two pays of the same request at the same moment (a retry after a timeout, say) charge once', async () => {
    const request = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-alipayhk', amountCents: 5_000, reference: 'retry' });
    const both = await Promise.all([0, 1].map(() => a.api.call<{ redemption: string }>('voucher.pay', { programme: P, resident: 'resident-chan', code: request.code })));
    expect(both[0]!.redemption).toBe(both[1]!.redemption);
    const { redemptions } = await a.api.call<{ redemptions: VoucherRedemptionJSON[] }>('voucher.redemptions', { programme: P, operator: 'operator-alipayhk' });
    expect(redemptions.filter((r) => r.requestId === request.requestId)).toHaveLength(1);
    // Each operator's list holds its own payments only; the programme's holds them all.
    const alipay = redemptions.find((r) => r.requestId === request.requestId)!.operator;
    expect(redemptions.every((r) => r.operator === alipay)).toBe(true);
    const octopus = (await a.api.call<{ redemptions: VoucherRedemptionJSON[] }>('voucher.redemptions', { programme: P, operator: 'operator-octopus' })).redemptions;
    expect(octopus.length).toBeGreaterThan(0);
    expect(octopus.some((r) => r.operator === alipay)).toBe(false);
    const all = (await a.api.call<{ redemptions: VoucherRedemptionJSON[] }>('voucher.redemptions', { programme: P })).redemptions;
    expect(all.map((r) => r.id).sort()).toEqual([...redemptions, ...octopus].map((r) => r.id).sort());
    await a.api.call('voucher.accept', { programme: P, redemption: both[0]!.redemption });
    await expect.poll(async () => (await wallet(a, 'resident-chan')).spendableCents, { timeout: 20_000 }).toBe(482_950);
  }, 60_000);

  it('the same voucher paid at the same moment at two operators through two nodes: exactly one payment is final, the other is refused saying why', async () => {
    const octopus = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-octopus', amountCents: 10_000, reference: 'race at Octopus' });
    const alipay = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-alipayhk', amountCents: 10_000, reference: 'race at AlipayHK' });
    // Validators wait for a person while both payments are signed against the same wallet and reach the
    // mempools, so neither can be final before the other is submitted: the race is certain, not timing.
    await a.api.call('validator.setMode', { mode: 'manual' });
    let outcomes: PromiseSettledResult<{ redemption: string }>[];
    try {
      const paying = [
        a.api.call<{ redemption: string }>('voucher.pay', { programme: P, resident: 'resident-chan', code: octopus.code }),
        b.api.call<{ redemption: string }>('voucher.pay', { programme: P, resident: 'resident-chan', code: alipay.code }),
      ];
      const redeems = async () => (await b.api.call<{ transactions: { type: string }[] }>('mempool.list', {})).transactions.filter((t) => t.type === 'voucher.redeem').length;
      await expect.poll(redeems, { timeout: 20_000 }).toBe(2);
      await a.api.call('validator.setMode', { mode: 'auto' });
      outcomes = await Promise.allSettled(paying);
    } finally {
      await a.api.call('validator.setMode', { mode: 'auto' });
    }
    const won = outcomes.filter((o): o is PromiseFulfilledResult<{ redemption: string }> => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const refusal = (lost[0]!.reason as { rpc: { data: { code: string; message: string } } }).rpc.data;
    expect(refusal.code).toBe('VOUCHER_SPENT_ELSEWHERE');
    const winner = outcomes[0]!.status === 'fulfilled' ? 'Octopus' : 'AlipayHK';
    expect(refusal.message).toMatch(new RegExp(`nothing was charged.*HK\\$100\\.00 to ${winner}`));

    // Both nodes hold the one payment, and only it; the operator declines it so the balance is as before.
    for (const node of [a, b]) {
      await expect.poll(async () => (await wallet(node, 'resident-chan')).history.filter((r) => r.amountCents === 10_000).length, { timeout: 20_000 }).toBe(1);
    }
    await a.api.call('voucher.decline', { programme: P, redemption: won[0]!.value.redemption, reason: 'test race' });
    for (const node of [a, b]) await expect.poll(async () => (await wallet(node, 'resident-chan')).spendableCents, { timeout: 20_000 }).toBe(482_950);
  }, 60_000);

  it('no personal data on the ledger or in the exported record: the applicant\'s name, HKID and date of birth appear in neither node\'s ledger store nor the programme record', async () => {
    const needles = ['Chan Tai Man', 'A123456', 'A1234563', '1980-05-01'];
    for (const temp of temps) {
      for (const file of readdirSync(temp.path).filter((f) => f.startsWith('chain.sqlite'))) {
        const path = join(temp.path, file);
        if (!existsSync(path)) continue;
        const bytes = readFileSync(path);
        for (const needle of needles) expect(bytes.includes(needle), `${needle} in ${path}`).toBe(false);
      }
    }
    const { record } = await b.api.call<{ record: { format: string; programme: string; blocks: unknown[] } }>('voucher.export', { programme: P });
    expect(record).toMatchObject({ format: 'civichain/programme-record/v1', programme: P });
    const text = JSON.stringify(record);
    expect(text).toContain('voucher.apply');
    for (const needle of needles) expect(text.includes(needle), `${needle} in the exported record`).toBe(false);

    // An auditor's recount of the exported record agrees with the dashboard.
    const file = join(temps[1]!.path, 'programme-record.json');
    writeFileSync(file, text);
    const verify = runCli(['verify', '--record', file]);
    expect((await verify.exited).code).toBe(0);
    const dashboard = await b.api.call<VoucherProgrammeSummary>('voucher.programme', { programme: P });
    expect(verify.stdout()).toContain(`applicants  ${dashboard.counts.applicants.approved} approved, ${dashboard.counts.applicants.pending} pending, ${dashboard.counts.applicants.denied} denied`);
    expect(verify.stdout()).toMatch(/redeemed {4}HK\$170\.50\n/);
    expect(verify.stdout()).toMatch(/\nOK\n/);
  }, 60_000);

  it('Octopus claims settlement and the authority confirms; a refund after settlement and payments to a suspended operator are refused', async () => {
    const claim = await a.api.call<{ txHash: string; redemptions: number; totalCents: number }>('voucher.settle', { programme: P, operator: 'operator-octopus' });
    expect(claim).toMatchObject({ redemptions: 1, totalCents: 12_050 });
    // The Government desk's view of it: counted by the node from the claim's record, with the claim's block time.
    type Claims = { waiting: VoucherClaimJSON[]; settled: { claims: number; redemptions: number; totalCents: number } };
    const before = await a.api.call<Claims>('voucher.claims', { programme: P });
    expect(before.waiting).toEqual([
      { claim: claim.txHash, operator: expect.stringMatching(/^[0-9a-f]{64}$/), operatorName: 'Octopus', redemptions: 1, totalCents: 12_050, claimedAtMs: expect.any(Number), status: 'claimed' },
    ]);
    expect(before.waiting[0]!.claimedAtMs).toBeGreaterThan(0);
    expect(before.settled).toEqual({ claims: 0, redemptions: 0, totalCents: 0 });
    await a.api.call('voucher.confirm', { programme: P, claim: claim.txHash });
    expect(await a.api.call<Claims>('voucher.claims', { programme: P })).toEqual({ waiting: [], settled: { claims: 1, redemptions: 1, totalCents: 12_050 } });
    expect((await a.api.callError('voucher.claims', { programme: 'no-such-programme' })).data.code).toBe('VOUCHER_PROGRAMME_UNKNOWN');
    const settled = (await a.api.call<{ redemptions: VoucherRedemptionJSON[] }>('voucher.redemptions', { programme: P, operator: 'operator-octopus' })).redemptions.find((r) => r.claim === claim.txHash);
    expect(settled).toMatchObject({ status: 'settled', claim: claim.txHash });
    const refund = await a.api.callError('voucher.refund', { programme: P, redemption: settled!.id });
    expect(refund.data.code).toBe('TX_VOUCHER_REFUND_AFTER_SETTLEMENT');

    const payme = (await a.api.call<VoucherProgrammeSummary>('voucher.programme', { programme: P })).operators.find((o) => o.name === 'PayMe')!;
    await a.api.call('voucher.operator', { programme: P, action: 'suspend', operator: payme.publicKey });
    const suspended = await a.api.callError('voucher.request', { programme: P, operator: 'operator-payme', amountCents: 1_000 });
    expect(suspended.data.code).toBe('TX_VOUCHER_OPERATOR_SUSPENDED');
    await a.api.call('voucher.operator', { programme: P, action: 'register', operator: payme.publicKey, name: 'PayMe' });
    expect((await a.api.call<VoucherProgrammeSummary>('voucher.programme', { programme: P })).operators.find((o) => o.name === 'PayMe')?.status).toBe('active');
  }, 60_000);

  it('VOUCHER_INSUFFICIENT: paying more than the balance charges nothing', async () => {
    const request = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-payme', amountCents: 500_000, reference: 'too much' });
    const error = await a.api.callError('voucher.pay', { programme: P, resident: 'resident-chan', code: request.code });
    expect(error.data.code).toBe('VOUCHER_INSUFFICIENT');
    expect(error.data.message).toMatch(/HK\$4,829\.50 spendable now/);
    expect((await wallet(a, 'resident-chan')).spendableCents).toBe(482_950);
  }, 30_000);

  it('VOUCHER_REQUEST_EXPIRED: an expired payment request cannot be paid', async () => {
    const request = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-alipayhk', amountCents: 1_000, reference: 'soon gone', expiresInMs: 1_000 });
    await expect.poll(() => Date.now() > request.expiresAtMs, { timeout: 10_000 }).toBe(true);
    const error = await a.api.callError('voucher.pay', { programme: P, resident: 'resident-chan', code: request.code });
    expect(error.data.code).toBe('VOUCHER_REQUEST_EXPIRED');
    expect((await wallet(a, 'resident-chan')).spendableCents).toBe(482_950);
  }, 30_000);

  it('voucher.checkDetails names every bad field in the node\'s words and submits nothing', async () => {
    const { problems } = await a.api.call<{ problems: { field: string; message: string }[] }>('voucher.checkDetails', {
      programme: P,
      details: { hkid: 'A123456(4)', name: '', dateOfBirth: '2999-01-01', residency: 'visitor' },
    });
    expect(problems.map((p) => p.field)).toEqual(['hkid', 'name', 'dateOfBirth', 'residency']);
    expect(problems[0]!.message).toMatch(/check digit/);
    expect((await a.api.call<{ problems: unknown[] }>('voucher.checkDetails', { programme: P, details: CHAN })).problems).toEqual([]);
    expect((await a.api.call<{ status: string }>('voucher.application', { programme: P, resident: 'resident-lee' })).status).toBe('none');
  });

  it('voucher.paymentRequest shows a request before it is paid, and after, on both nodes, who paid it', async () => {
    const request = await a.api.call<VoucherPaymentRequest>('voucher.request', { programme: P, operator: 'operator-alipayhk', amountCents: 1_000, reference: 'preview' });
    const before = await a.api.call<VoucherPaymentRequestView>('voucher.paymentRequest', { programme: P, code: request.code, resident: 'resident-chan' });
    expect(before).toMatchObject({ operator: request.operator, operatorName: 'AlipayHK', operatorStatus: 'active', amountCents: 1_000, reference: 'preview', expiresAtMs: request.expiresAtMs, state: 'open', paidByResident: null });
    const paid = await a.api.call<{ redemption: string }>('voucher.pay', { programme: P, resident: 'resident-chan', code: request.code });
    for (const node of [a, b]) {
      await expect.poll(async () => (await node.api.call<VoucherPaymentRequestView>('voucher.paymentRequest', { programme: P, code: request.code, resident: 'resident-chan' })).state, { timeout: 20_000 }).toBe('paid');
      const after = await node.api.call<VoucherPaymentRequestView>('voucher.paymentRequest', { programme: P, code: request.code, resident: 'resident-wong' });
      expect(after).toMatchObject({ state: 'paid', redemption: paid.redemption, paidByResident: false });
    }
    const unknown = await a.api.callError('voucher.paymentRequest', { programme: P, code: request.code.replace(/:[^:]+$/, ':no-such-request') });
    expect(unknown.data.code).toBe('VOUCHER_REQUEST_UNKNOWN');
  }, 30_000);
});
