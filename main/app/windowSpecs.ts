/**
 * What each window is called and how big it opens (DESIGN.md §1, §9). Pure data, shared by windows.ts
 * (titles, sizes) and menu.ts (the Window menu).
 */
import { WINDOW_ROLES, type WindowRole } from '../../preload/contract';

export interface WindowSpec {
  readonly role: WindowRole;
  /** What the person sees in the title bar and the Window menu. */
  readonly label: string;
  readonly widthPx: number;
  readonly heightPx: number;
}

const LABELS: Readonly<Record<WindowRole, string>> = {
  launcher: 'Launcher',
  booth: 'Voter booth',
  election: 'Election desk',
  validator: 'Validator desk',
  government: 'Government desk',
  wallet: 'Wallet',
  operator: 'Operator desk',
  explorer: 'Explorer',
  network: 'Network',
};

export const MIN_WINDOW_WIDTH_PX = 720;
export const MIN_WINDOW_HEIGHT_PX = 520;

export function windowSpec(role: WindowRole): WindowSpec {
  const compact = role === 'launcher' || role === 'booth' || role === 'wallet';
  return {
    role,
    label: LABELS[role],
    widthPx: compact ? 960 : 1280,
    heightPx: compact ? 720 : 820,
  };
}

export const WINDOW_SPECS: readonly WindowSpec[] = WINDOW_ROLES.map(windowSpec);

export function windowTitle(role: WindowRole): string {
  return role === 'launcher' ? 'Civichain' : `${LABELS[role]} — Civichain`;
}
