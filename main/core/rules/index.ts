/**
 * The registry of transaction types: one rule module per type. Elections and vouchers register theirs here.
 */
import { CivichainError } from '../errors';
import { ELECTION_RULES } from './elections';
import { noteRule } from './note';
import type { TxRule } from './types';
import { validatorSetRule } from './validatorSet';
import { VOUCHER_RULES } from './vouchers';

export interface RuleRegistry {
  get(type: string): TxRule<unknown>;
  readonly types: readonly string[];
}

export function createRegistry(rules: readonly TxRule<never>[]): RuleRegistry {
  const byType = new Map<string, TxRule<unknown>>();
  for (const rule of rules) {
    if (byType.has(rule.type)) throw new CivichainError('REGISTRY_DUPLICATE', `Two rules claim the type "${rule.type}".`, { type: rule.type });
    byType.set(rule.type, rule as unknown as TxRule<unknown>);
  }
  return {
    types: [...byType.keys()],
    get(type) {
      const rule = byType.get(type);
      if (!rule) throw new CivichainError('TX_UNKNOWN_TYPE', `There is no transaction type "${type}".`, { type });
      return rule;
    },
  };
}

export const LEDGER_RULES: readonly TxRule<never>[] = [
  noteRule as TxRule<never>,
  validatorSetRule as TxRule<never>,
  ...(ELECTION_RULES as unknown as readonly TxRule<never>[]),
  ...(VOUCHER_RULES as unknown as readonly TxRule<never>[]),
];

export function createDefaultRegistry(): RuleRegistry {
  return createRegistry(LEDGER_RULES);
}
