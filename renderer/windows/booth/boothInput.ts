/** What a voter types or presses at the booth, made exact: pure functions, unit-tested beside this file. */

/** Booth passes are printed "ABCD-EFGH-JK"; a voter may type them in lower case, with spaces or no dashes. */
export function normaliseBoothPass(text: string): string {
  const compact = text.replace(/[\s-]+/g, '').toUpperCase();
  if (compact.length !== 10) return text.trim().toUpperCase();
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`;
}

export interface ChoiceChange {
  readonly chosen: readonly string[];
  /** The voter tried to choose one more than the election allows: nothing changed. */
  readonly full: boolean;
}

/**
 * Chooses or un-chooses a candidate. Choose-1 ballots behave like radio buttons (a new choice replaces the old);
 * choose-k ballots refuse a (k+1)-th choice instead of dropping an earlier one behind the voter's back.
 */
export function toggleChoice(chosen: readonly string[], candidate: string, choose: number): ChoiceChange {
  if (chosen.includes(candidate)) return { chosen: chosen.filter((id) => id !== candidate), full: false };
  if (choose === 1) return { chosen: [candidate], full: false };
  if (chosen.length >= choose) return { chosen, full: true };
  return { chosen: [...chosen, candidate], full: false };
}

/** "1"–"9" pick the candidate with that number on the ballot; anything else is not a candidate key. */
export function candidateIndexForKey(key: string, candidates: number): number | null {
  if (!/^[1-9]$/.test(key)) return null;
  const index = Number(key) - 1;
  return index < candidates ? index : null;
}
