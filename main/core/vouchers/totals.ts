/**
 * A programme's totals as the Government desk's dashboard and `civichain verify` show them: applicants by
 * status (each applicant key once, by its latest application), the money issued by approvals (change and
 * refunds are not new money), redeemed (accepted, claimed or settled payments) and outstanding, and per
 * operator.
 *
 * Kept up to date incrementally, because a programme has millions of applicants and the dashboard is asked
 * again after every block: the tally is shown each final transaction (`observe`), notes which applicants and
 * redemptions it touched, and on `update` reads just those again from the state and moves them between the
 * counts. The state cannot list applications or redemptions, so this is also how the totals find them. Every
 * change of an applicant's status comes from a `voucher.apply` or `voucher.decide`, and every change of a
 * redemption's status from a `voucher.redeem`, `accept`, `decline`, `refund` or `settle` (a `confirm` moves
 * claimed to settled, both counted).
 */
import type { Transaction } from '../ledger/transaction';
import type { StateReader } from '../rules/types';
import { applicantKey, readApplication, readProgramme, readRedemption, type ApplicantRecord } from '../rules/vouchers';

export interface ProgrammeTotals {
  readonly applicants: { readonly pending: number; readonly approved: number; readonly denied: number };
  readonly issuedCents: number;
  readonly redeemedCents: number;
  readonly outstandingCents: number;
  /** Operator key → accepted, claimed or settled payments and their sum. */
  readonly byOperator: ReadonlyMap<string, { readonly redemptions: number; readonly redeemedCents: number }>;
}

type ApplicantStatus = ApplicantRecord['status'];

interface ProgrammeCounts {
  readonly applicantStatus: Map<string, ApplicantStatus>;
  readonly applicants: { pending: number; approved: number; denied: number };
  /** Redemptions counted as redeemed: id → operator and amount. */
  readonly counted: Map<string, { operator: string; amountCents: number }>;
  readonly byOperator: Map<string, { redemptions: number; redeemedCents: number }>;
  redeemedCents: number;
  readonly touchedApplicants: Set<string>;
  /** Applications decided since the last update: their applicant is found from the state. */
  readonly touchedApplications: Set<string>;
  readonly touchedRedemptions: Set<string>;
}

const newCounts = (): ProgrammeCounts => ({
  applicantStatus: new Map(),
  applicants: { pending: 0, approved: 0, denied: 0 },
  counted: new Map(),
  byOperator: new Map(),
  redeemedCents: 0,
  touchedApplicants: new Set(),
  touchedApplications: new Set(),
  touchedRedemptions: new Set(),
});

const REDEEMED = new Set(['accepted', 'claimed', 'settled']);

export class ProgrammeTally {
  private readonly programmes = new Map<string, ProgrammeCounts>();

  private of(p: string): ProgrammeCounts {
    let counts = this.programmes.get(p);
    if (!counts) this.programmes.set(p, (counts = newCounts()));
    return counts;
  }

  /** A transaction of a final block (any type: others are ignored), with its hash. */
  observe(tx: Transaction, hash: string): void {
    if (!tx.type.startsWith('voucher.')) return;
    const p = tx.payload['programme'];
    if (typeof p !== 'string') return;
    const counts = this.of(p);
    switch (tx.type) {
      case 'voucher.apply':
        counts.touchedApplicants.add(tx.signer);
        return;
      case 'voucher.decide':
        counts.touchedApplications.add(String(tx.payload['application']));
        return;
      case 'voucher.redeem':
        counts.touchedRedemptions.add(hash);
        return;
      case 'voucher.accept':
      case 'voucher.decline':
      case 'voucher.refund':
        counts.touchedRedemptions.add(String(tx.payload['redemption']));
        return;
      case 'voucher.settle':
        for (const id of (tx.payload['redemptions'] as unknown[]) ?? []) counts.touchedRedemptions.add(String(id));
        return;
    }
  }

  /** Reads what the observed transactions touched from `state` (the state after them) and moves the counts. */
  update(state: StateReader): void {
    for (const [p, counts] of this.programmes) {
      for (const application of counts.touchedApplications) {
        const applicant = readApplication(state, p, application)?.applicant;
        if (applicant) counts.touchedApplicants.add(applicant);
      }
      counts.touchedApplications.clear();
      for (const applicant of counts.touchedApplicants) {
        const latest = JSON.parse(state.get(applicantKey(p, applicant)) ?? 'null') as ApplicantRecord | null;
        const before = counts.applicantStatus.get(applicant);
        if (before) counts.applicants[before]--;
        if (latest) {
          counts.applicants[latest.status]++;
          counts.applicantStatus.set(applicant, latest.status);
        } else {
          counts.applicantStatus.delete(applicant);
        }
      }
      counts.touchedApplicants.clear();
      for (const id of counts.touchedRedemptions) {
        const before = counts.counted.get(id);
        if (before) {
          counts.counted.delete(id);
          counts.redeemedCents -= before.amountCents;
          const entry = counts.byOperator.get(before.operator);
          if (entry) {
            entry.redemptions--;
            entry.redeemedCents -= before.amountCents;
          }
        }
        const r = readRedemption(state, p, id);
        if (!r || !REDEEMED.has(r.status)) continue;
        counts.counted.set(id, { operator: r.operator, amountCents: r.amountCents });
        counts.redeemedCents += r.amountCents;
        let entry = counts.byOperator.get(r.operator);
        if (!entry) counts.byOperator.set(r.operator, (entry = { redemptions: 0, redeemedCents: 0 }));
        entry.redemptions++;
        entry.redeemedCents += r.amountCents;
      }
      counts.touchedRedemptions.clear();
    }
  }

  /** The totals of a programme as of the last `update`. */
  totals(state: StateReader, p: string): ProgrammeTotals {
    const counts = this.programmes.get(p) ?? newCounts();
    const issuedCents = counts.applicants.approved * (readProgramme(state, p)?.amountPerPersonCents ?? 0);
    const byOperator = new Map([...counts.byOperator].filter(([, v]) => v.redemptions > 0).map(([k, v]) => [k, { ...v }]));
    return { applicants: { ...counts.applicants }, issuedCents, redeemedCents: counts.redeemedCents, outstandingCents: issuedCents - counts.redeemedCents, byOperator };
  }
}
