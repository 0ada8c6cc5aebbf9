/**
 * What the Wallet says, in a resident's words: residency statuses, voucher and payment states, and what a
 * refused payment means for them — above all whether anything was charged. The node's own sentence and
 * code are always shown as well; these add the plain meaning.
 */
import type { VoucherApplicationState, VoucherJSON, VoucherRedemptionJSON, VoucherRedemptionStatus, VoucherResidency } from '../../../preload/contract';
import type { ShownError } from '../../app/errors';
import { formatMoney } from '../../app/format';

export const RESIDENCY_OPTIONS: readonly { readonly value: VoucherResidency; readonly label: string; readonly hint: string }[] = [
  { value: 'permanent', label: 'Permanent resident', hint: 'You hold a Hong Kong permanent identity card.' },
  { value: 'new-arrival', label: 'New arrival', hint: 'You came to Hong Kong on a One-way Permit.' },
  { value: 'non-permanent', label: 'Non-permanent resident', hint: 'You hold a Hong Kong identity card that is not permanent.' },
  { value: 'visitor', label: 'Visitor', hint: 'You are in Hong Kong on a visit.' },
];

export const APPLICATION_LABELS: Readonly<Record<VoucherApplicationState, string>> = {
  none: 'Not applied yet',
  pending: 'Waiting for review',
  approved: 'Approved',
  denied: 'Denied',
};

export const PAYMENT_STATUS: Readonly<Record<VoucherRedemptionStatus, { readonly label: string; readonly detail: string }>> = {
  pending: { label: 'Pending', detail: 'waiting for the operator to accept it' },
  accepted: { label: 'Accepted', detail: 'the operator accepted it' },
  declined: { label: 'Declined', detail: 'the operator declined it; your vouchers came back' },
  refunded: { label: 'Refunded', detail: 'the operator refunded it to your wallet' },
  claimed: { label: 'Claimed', detail: 'the operator has claimed it from the government' },
  settled: { label: 'Settled', detail: 'the government has paid the operator' },
};

export type VoucherState = 'not-released' | 'spendable' | 'pending' | 'spent' | 'expired';

export const VOUCHER_STATE_LABELS: Readonly<Record<VoucherState, string>> = {
  'not-released': 'Not yet released',
  spendable: 'Spendable',
  pending: 'Pending',
  spent: 'Spent',
  expired: 'Expired',
};

/** A voucher's state and a line on why, from the node's view of it and the resident's payments. */
export function voucherState(voucher: VoucherJSON, history: readonly VoucherRedemptionJSON[], nowMs: number): { state: VoucherState; detail: string } {
  const operatorOf = (id: string | null): string => {
    const payment = history.find((r) => r.id === id);
    return payment?.operatorName ?? 'an operator';
  };
  if (voucher.spentBy !== null) {
    const payment = history.find((r) => r.id === voucher.spentBy);
    if (payment?.status === 'pending') return { state: 'pending', detail: `In your payment to ${operatorOf(payment.id)}, waiting for it to be accepted` };
    return { state: 'spent', detail: `Spent at ${operatorOf(voucher.spentBy)}` };
  }
  if (voucher.pendingRedemption !== null) {
    return { state: 'pending', detail: `Change from your payment to ${operatorOf(voucher.pendingRedemption)}: spendable once it is accepted` };
  }
  if (voucher.spendableNow) return { state: 'spendable', detail: 'Can be spent now' };
  if (nowMs < voucher.releaseAtMs) return { state: 'not-released', detail: 'Can be spent from its release date' };
  return { state: 'expired', detail: 'Can no longer be spent' };
}

/** What a refused payment means: a title, what happened in plain words, and whether nothing was charged. */
export interface PayRefusal {
  readonly title: string;
  readonly explanation: string;
  /** True when the refusal came before anything reached a block: nothing was charged, for certain. */
  readonly nothingCharged: boolean;
  /** Whether paying the same request again may work (a race lost, a slow block); not for a closed door. */
  readonly canRetry: boolean;
}

const RACE: Omit<PayRefusal, 'nothingCharged' | 'canRetry'> & { canRetry?: boolean } = {
  canRetry: true,
  title: 'A voucher was used by another payment at the same moment',
  explanation:
    'One of the vouchers chosen for this payment was spent by another payment at the same time (at another operator, or from another device), and a voucher is spent only once. This payment did not go through. Your balance is shown as it is now; you can pay again.',
};

const REFUSALS: Readonly<Record<string, Omit<PayRefusal, 'nothingCharged' | 'canRetry'> & { canRetry?: boolean }>> = {
  VOUCHER_INSUFFICIENT: {
    title: 'Not enough spendable vouchers',
    explanation:
      'The vouchers you can spend now do not cover this amount. If you had enough when you looked this code up, another payment (from another window or device) has used them since: your payments are listed below.',
  },
  TX_VOUCHER_INSUFFICIENT: {
    title: 'Not enough spendable vouchers',
    explanation: 'The vouchers you can spend now do not cover this amount.',
  },
  VOUCHER_REQUEST_EXPIRED: {
    title: 'This payment request has expired',
    explanation: 'It can no longer be paid. Ask the operator for a new code.',
  },
  TX_VOUCHER_REQUEST_EXPIRED: {
    title: 'This payment request has expired',
    explanation: 'It can no longer be paid. Ask the operator for a new code.',
  },
  TX_VOUCHER_OPERATOR_SUSPENDED: {
    title: 'This operator is suspended',
    explanation: 'The government has suspended this operator in the programme, so it cannot be paid with vouchers now. Pay at another operator.',
  },
  TX_VOUCHER_OPERATOR_UNKNOWN: {
    title: 'This operator is not registered',
    explanation: 'Only operators registered in the programme can be paid with vouchers.',
  },
  VOUCHER_REQUEST_PAID: {
    title: 'Someone else has paid this request',
    explanation: 'A payment request is paid once. Ask the operator for a new code.',
  },
  TX_VOUCHER_REQUEST_REDEEMED: {
    title: 'This request is already paid',
    explanation: 'A payment request is paid once. Ask the operator for a new code.',
  },
  TX_VOUCHER_SPENT: RACE,
  TX_VOUCHER_PENDING: RACE,
  TX_DROPPED: RACE,
  TX_VOUCHER_EXPIRED: {
    canRetry: true,
    title: 'A voucher has expired',
    explanation: 'A voucher expired just as it was being spent. Your balance is shown as it is now; you can pay again.',
  },
  TX_VOUCHER_NOT_RELEASED: {
    title: 'A voucher is not released yet',
    explanation: 'A voucher chosen for this payment cannot be spent before its release date.',
  },
  TX_VOUCHER_AMOUNT_MISMATCH: {
    title: 'The amount does not match the request',
    explanation: 'The payment must be for exactly the amount requested.',
  },
  WRONG_PASSPHRASE: {
    title: 'The wallet could not sign the payment',
    explanation: 'Close the wallet and open it again with your passphrase.',
  },
  PASSPHRASE_REQUIRED: {
    title: 'The wallet could not sign the payment',
    explanation: 'Close the wallet and open it again with your passphrase.',
  },
};

export function payRefusal(error: ShownError): PayRefusal {
  // The node names the payment that went first (amount, operator): its sentence says it better than ours.
  if (error.code === 'VOUCHER_SPENT_ELSEWHERE') return { title: RACE.title, explanation: error.message, nothingCharged: true, canRetry: true };
  const known = REFUSALS[error.code];
  if (known) return { canRetry: false, ...known, nothingCharged: true };
  if (error.code === 'NOT_FINAL_YET') {
    return {
      title: 'The payment is not final yet',
      explanation: 'It was sent, but the validators have not made it final yet. It may still go through: look at your history. Paying the same code again is safe — a request is charged once.',
      nothingCharged: false,
      canRetry: true,
    };
  }
  return {
    title: 'The payment did not go through',
    explanation: 'If it went through after all, it shows in your history below. Paying the same code again is safe — a request is charged once.',
    nothingCharged: false,
    canRetry: true,
  };
}

/** "HK$2,000.00 + HK$3,000.00" */
export function instalmentsText(instalments: readonly { readonly amountCents: number }[]): string {
  return instalments.map((i) => formatMoney(i.amountCents)).join(' + ');
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

/** "1 Jul 2030": release and expiry dates. */
export function formatDate(ms: number): string {
  return dateFormat.format(new Date(ms));
}
