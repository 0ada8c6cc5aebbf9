/**
 * The Operator desk's redemption report (DESIGN.md §6 "reports export as CSV"): an operator's redemptions over
 * a period of the desk's local calendar (today, this month, everything, or from one date to another), their
 * totals by status, and the same as CSV rows for a spreadsheet. Pure: the time is an input, nothing here
 * reads a clock or touches the page.
 */
import type { VoucherRedemptionJSON, VoucherRedemptionStatus } from '../../preload/contract';

export type ReportPeriod =
  | { readonly kind: 'today' }
  | { readonly kind: 'month' }
  | { readonly kind: 'all' }
  /** Calendar dates, `YYYY-MM-DD`, both included; "" leaves that end open. */
  | { readonly kind: 'range'; readonly from: string; readonly to: string };

/** Statuses in the order of a redemption's life: waiting, taken, claimed, paid out; then the undone. */
export const REPORT_STATUSES: readonly VoucherRedemptionStatus[] = ['pending', 'accepted', 'claimed', 'settled', 'refunded', 'declined'];

/** What the programme counts as redeemed (the dashboard's figure): money the operator keeps. */
export const REDEEMED_STATUSES: readonly VoucherRedemptionStatus[] = ['accepted', 'claimed', 'settled'];

export const STATUS_LABELS: Readonly<Record<VoucherRedemptionStatus, string>> = {
  pending: 'Pending',
  accepted: 'Accepted',
  declined: 'Declined',
  refunded: 'Refunded',
  claimed: 'Claimed',
  settled: 'Settled',
};

export interface Total {
  readonly count: number;
  readonly cents: number;
}

export interface ReportTotals {
  readonly byStatus: readonly (Total & { readonly status: VoucherRedemptionStatus })[];
  readonly redeemed: Total;
  readonly all: Total;
}

/** Start (included) and end (excluded) in ms; null for an open end. */
export interface PeriodBounds {
  readonly fromMs: number | null;
  readonly toMs: number | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight at the start of a `YYYY-MM-DD` date, or null when it is no such date. */
function localDayStart(date: string): number | null {
  const match = DATE.exec(date);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, day);
  // new Date(2026, 1, 31) rolls over into March: that is not a date anyone wrote.
  if (start.getFullYear() !== year || start.getMonth() !== month - 1 || start.getDate() !== day) return null;
  return start.getTime();
}

/** The local midnight `days` after the one starting at `ms` (by the calendar, so a DST day stays one day). */
function addDays(ms: number, days: number): number {
  const date = new Date(ms);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days).getTime();
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-11-22` in the desk's local calendar. */
export function localDate(ms: number): string {
  const date = new Date(ms);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** `2026-11-22T16:03:55+08:00`: local time with its offset, so that a spreadsheet and a person agree on it. */
export function localIsoTime(ms: number): string {
  const date = new Date(ms);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${localDate(ms)}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`;
}

/** What is wrong with a period the person chose, in words for the field; null when it is usable. */
export function periodProblem(period: ReportPeriod): string | null {
  if (period.kind !== 'range') return null;
  const from = period.from === '' ? null : localDayStart(period.from);
  const to = period.to === '' ? null : localDayStart(period.to);
  if (period.from !== '' && from === null) return 'The “from” date is not a date: use the form YYYY-MM-DD.';
  if (period.to !== '' && to === null) return 'The “to” date is not a date: use the form YYYY-MM-DD.';
  if (from !== null && to !== null && from > to) return 'The “from” date is after the “to” date: swap them.';
  return null;
}

/** The period as times, in the local calendar at `nowMs`; a period with a problem has open ends. */
export function periodBounds(period: ReportPeriod, nowMs: number): PeriodBounds {
  const now = new Date(nowMs);
  switch (period.kind) {
    case 'today': {
      const start = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
      return { fromMs: start, toMs: addDays(start, 1) };
    }
    case 'month':
      return { fromMs: new Date(now.getFullYear(), now.getMonth(), 1).getTime(), toMs: new Date(now.getFullYear(), now.getMonth() + 1, 1).getTime() };
    case 'all':
      return { fromMs: null, toMs: null };
    case 'range': {
      if (periodProblem(period)) return { fromMs: null, toMs: null };
      const from = period.from === '' ? null : localDayStart(period.from);
      const to = period.to === '' ? null : localDayStart(period.to);
      return { fromMs: from, toMs: to === null ? null : addDays(to, 1) };
    }
  }
}

export function inPeriod(redemption: VoucherRedemptionJSON, bounds: PeriodBounds): boolean {
  const at = redemption.redeemedAtMs;
  return (bounds.fromMs === null || at >= bounds.fromMs) && (bounds.toMs === null || at < bounds.toMs);
}

const sum = (list: readonly VoucherRedemptionJSON[]): Total => ({ count: list.length, cents: list.reduce((total, r) => total + r.amountCents, 0) });

export function reportTotals(redemptions: readonly VoucherRedemptionJSON[]): ReportTotals {
  return {
    byStatus: REPORT_STATUSES.map((status) => ({ status, ...sum(redemptions.filter((r) => r.status === status)) })),
    redeemed: sum(redemptions.filter((r) => REDEEMED_STATUSES.includes(r.status))),
    all: sum(redemptions),
  };
}

/** `120.50`: dollars and cents as a spreadsheet reads a number, no currency sign, no grouping. */
export function plainDollars(cents: number): string {
  const abs = Math.abs(Math.trunc(cents));
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)}.${pad(abs % 100)}`;
}

export const CSV_HEADER = ['Date and time', 'Redemption id', 'Request id', 'Reference', 'Payer key', 'Amount (HK$)', 'Amount (cents)', 'Status', 'Claim id'] as const;
export const CSV_TOTALS_HEADER = ['Status', 'Redemptions', 'Amount (HK$)', 'Amount (cents)'] as const;
export const REDEEMED_LABEL = 'Redeemed (accepted, claimed, settled)';
export const ALL_LABEL = 'All redemptions';

type CsvRow = readonly (string | number | null)[];

/**
 * The report as CSV rows: a header and one row per redemption (oldest first, as a ledger reads), then an
 * empty row and the totals by status, what counts as redeemed, and everything.
 */
export function reportCsvRows(redemptions: readonly VoucherRedemptionJSON[]): CsvRow[] {
  const oldestFirst = [...redemptions].sort((a, b) => a.redeemedAtMs - b.redeemedAtMs || a.id.localeCompare(b.id));
  const totals = reportTotals(redemptions);
  const totalRow = (label: string, total: Total): CsvRow => [label, total.count, plainDollars(total.cents), total.cents];
  return [
    [...CSV_HEADER],
    ...oldestFirst.map((r): CsvRow => [localIsoTime(r.redeemedAtMs), r.id, r.requestId, r.reference, r.payer, plainDollars(r.amountCents), r.amountCents, r.status, r.claim ?? '']),
    [],
    [...CSV_TOTALS_HEADER],
    ...totals.byStatus.map((t) => totalRow(STATUS_LABELS[t.status], t)),
    totalRow(REDEEMED_LABEL, totals.redeemed),
    totalRow(ALL_LABEL, totals.all),
  ];
}

/** `octopus`, `alipayhk`: an operator's name as a piece of a file name. */
function slug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'operator'
  );
}

/** The period as a piece of a file name: `2026-11-22`, `2026-11`, `all`, `2026-11-01-to-2026-11-22`. */
function periodSlug(period: ReportPeriod, nowMs: number): string {
  switch (period.kind) {
    case 'today':
      return localDate(nowMs);
    case 'month':
      return localDate(nowMs).slice(0, 7);
    case 'all':
      return `all-to-${localDate(nowMs)}`;
    case 'range':
      if (period.from && period.to) return `${period.from}-to-${period.to}`;
      if (period.from) return `from-${period.from}`;
      if (period.to) return `to-${period.to}`;
      return `all-to-${localDate(nowMs)}`;
  }
}

/** `civichain-octopus-redemptions-2026-11.csv`: whose, what, and when, so that exports sort and never clash. */
export function reportFileName(operatorName: string, period: ReportPeriod, nowMs: number): string {
  return `civichain-${slug(operatorName)}-redemptions-${periodSlug(period, nowMs)}.csv`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric' });

/** The period as the report's heading says it: "Today, 22 Nov 2026", "November 2026", "1 Nov 2026 – 22 Nov 2026". */
export function periodLabel(period: ReportPeriod, nowMs: number): string {
  switch (period.kind) {
    case 'today':
      return `Today, ${dayFormat.format(nowMs)}`;
    case 'month':
      return monthFormat.format(nowMs);
    case 'all':
      return 'All redemptions';
    case 'range': {
      const from = period.from === '' ? null : localDayStart(period.from);
      const to = period.to === '' ? null : localDayStart(period.to);
      if (periodProblem(period) || (from === null && to === null)) return 'All redemptions';
      if (from !== null && to !== null) return `${dayFormat.format(from)} – ${dayFormat.format(to)}`;
      return from !== null ? `From ${dayFormat.format(from)}` : `Up to ${dayFormat.format(to as number)}`;
    }
  }
}
