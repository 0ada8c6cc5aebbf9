/**
 * A programme's totals as the Government desk's dashboard and `civichain verify` show them: applicants by
 * status (each applicant key once, by its latest application), the money issued by approvals (change and
 * refunds are not new money), redeemed (accepted, claimed or settled payments) and outstanding, and per
 * operator. Read from a state and the ids of the programme's applications and redemptions, which the state
 * cannot list (the node indexes its final blocks; the auditor collects them as it replays).
 */
import type { StateReader } from '../rules/types';
import { applicantKey, readApplication, readProgramme, readRedemption, type ApplicantRecord } from '../rules/vouchers';

export interface ProgrammeTotals {
  readonly applicants: { pending: number; approved: number; denied: number };
  readonly issuedCents: number;
  readonly redeemedCents: number;
  readonly outstandingCents: number;
  /** Operator key → accepted, claimed or settled payments and their sum. */
  readonly byOperator: ReadonlyMap<string, { readonly redemptions: number; readonly redeemedCents: number }>;
}

export function programmeTotals(state: StateReader, p: string, applications: Iterable<string>, redemptions: Iterable<string>): ProgrammeTotals {
  const programme = readProgramme(state, p);
  const applicants = { pending: 0, approved: 0, denied: 0 };
  const seen = new Set<string>();
  for (const id of applications) {
    const application = readApplication(state, p, id);
    if (!application || seen.has(application.applicant)) continue;
    seen.add(application.applicant);
    const latest = JSON.parse(state.get(applicantKey(p, application.applicant)) ?? 'null') as ApplicantRecord | null;
    if (latest) applicants[latest.status]++;
  }
  const byOperator = new Map<string, { redemptions: number; redeemedCents: number }>();
  let redeemedCents = 0;
  for (const id of redemptions) {
    const r = readRedemption(state, p, id);
    if (!r || r.status === 'pending' || r.status === 'declined' || r.status === 'refunded') continue;
    redeemedCents += r.amountCents;
    const entry = byOperator.get(r.operator) ?? { redemptions: 0, redeemedCents: 0 };
    byOperator.set(r.operator, { redemptions: entry.redemptions + 1, redeemedCents: entry.redeemedCents + r.amountCents });
  }
  const issuedCents = applicants.approved * (programme?.amountPerPersonCents ?? 0);
  return { applicants, issuedCents, redeemedCents, outstandingCents: issuedCents - redeemedCents, byOperator };
}
