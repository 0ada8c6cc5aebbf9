/**
 * How a transaction is shown: a name for its type, a one-line summary, and its payload as labelled fields.
 * The node has already validated every transaction it serves; this only decides how to write it down.
 * Unknown types (a newer node) are shown with their raw type and their payload fields, never hidden.
 */
import type { TransactionJSON } from '../../preload/contract';

export interface TransactionField {
  readonly label: string;
  readonly value: string;
  readonly mono: boolean;
}

export interface DescribedTransaction {
  /** `Ballot`, `Note`, … */
  readonly label: string;
  /** One line: what this transaction does. */
  readonly summary: string;
  readonly fields: readonly TransactionField[];
}

const TYPE_LABELS: Readonly<Record<string, string>> = {
  note: 'Note',
  'validator-set': 'Validator set change',
  'election.create': 'Election created',
  'election.credential': 'Ballot credential issued',
  'election.ballot': 'Ballot',
  'election.close': 'Election closed',
  'election.result': 'Election result',
};

/** Longest value shown in full; longer ones are cut with an ellipsis (the raw JSON has them whole). */
const MAX_VALUE_CHARS = 160;

export function transactionTypeLabel(type: string): string {
  return TYPE_LABELS[type] ?? type;
}

function text(value: unknown): string {
  const written = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return written.length > MAX_VALUE_CHARS ? `${written.slice(0, MAX_VALUE_CHARS - 1)}…` : written;
}

function isMachineText(value: unknown): boolean {
  return typeof value === 'string' ? /^[0-9a-f]{16,}$|^[A-Za-z0-9_-]{40,}$/.test(value) : typeof value === 'object' && value !== null;
}

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summaryOf(type: string, payload: Readonly<Record<string, unknown>>): string {
  const election = typeof payload['election'] === 'string' ? payload['election'] : null;
  switch (type) {
    case 'note':
      return text(payload['text'] ?? '');
    case 'validator-set': {
      const parts = [];
      if (count(payload['add']) > 0) parts.push(`adds ${plural(count(payload['add']), 'validator')}`);
      if (count(payload['remove']) > 0) parts.push(`removes ${plural(count(payload['remove']), 'validator')}`);
      return parts.length > 0 ? parts.join(', ') : 'changes the validator set';
    }
    case 'election.create':
      return `${text(payload['name'] ?? payload['id'] ?? '')} (${plural(count(payload['candidates']), 'candidate')})`;
    case 'election.credential':
      return `for election ${election ?? '?'}`;
    case 'election.ballot':
      return `in election ${election ?? '?'}, ${plural(count(payload['choices']), 'choice')}`;
    case 'election.close':
      return `election ${election ?? '?'}`;
    case 'election.result':
      return `of election ${election ?? '?'}`;
    default:
      return `${plural(Object.keys(payload).length, 'field')}`;
  }
}

/** `closesAtMs` → `Closes at ms`: payload field names as words. */
export function fieldLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function describeTransaction(tx: Pick<TransactionJSON, 'type' | 'payload'>): DescribedTransaction {
  return {
    label: transactionTypeLabel(tx.type),
    summary: summaryOf(tx.type, tx.payload),
    fields: Object.entries(tx.payload).map(([name, value]) => ({ label: fieldLabel(name), value: text(value), mono: isMachineText(value) })),
  };
}
