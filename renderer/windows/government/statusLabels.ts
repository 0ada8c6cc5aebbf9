/** The words the Government desk uses for an application's status and its duplicates. */
import type { VoucherQueueItem } from '../../../preload/contract';

export const STATUS_LABELS: Readonly<Record<VoucherQueueItem['status'], string>> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
};

/** "1 approved", "2 pending", "1 approved and 1 pending": the other applications with the same HKID. */
export function duplicateSummary(duplicates: VoucherQueueItem['duplicates']): string {
  const approved = duplicates.filter((d) => d.status === 'approved').length;
  const pending = duplicates.length - approved;
  return [approved > 0 ? `${approved} approved` : null, pending > 0 ? `${pending} pending` : null].filter(Boolean).join(' and ');
}
