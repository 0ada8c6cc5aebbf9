/**
 * What each window is, in the words of DESIGN.md §1: its title, who uses it and what they do there.
 * The launcher's cards, the window headers and the document titles all read this one table.
 */
import type { WindowRole } from '../../preload/contract';

export interface WindowInfo {
  readonly role: WindowRole;
  readonly title: string;
  /** Who sits at this window. */
  readonly audience: string;
  /** What they do there, one sentence. */
  readonly purpose: string;
  /** Route in the browser console. */
  readonly path: string;
}

export const WINDOWS: Readonly<Record<WindowRole, WindowInfo>> = {
  launcher: {
    role: 'launcher',
    title: 'Civichain',
    audience: 'Everyone',
    purpose: 'Each window is for one role. They all work on this node and its ledger, and can be open at the same time.',
    path: '/',
  },
  booth: {
    role: 'booth',
    title: 'Voter booth',
    audience: 'Voters, at a polling station kiosk',
    purpose:
      'Type the booth pass the official gave you, cast one secret ballot and take a receipt you can check later. You can also check a receipt or your voter card here.',
    path: '/booth',
  },
  election: {
    role: 'election',
    title: 'Election desk',
    audience: 'Election officials at a polling station',
    purpose:
      'Create an election, import the voter roll, check voters in, issue ballot credentials, close the election and publish the result.',
    path: '/election',
  },
  validator: {
    role: 'validator',
    title: 'Validator desk',
    audience: 'Validators: independent observers, parties, courts',
    purpose:
      'See each proposed block with every check it passed, approve or reject it with a reason, or let the node approve automatically.',
    path: '/validator',
  },
  government: {
    role: 'government',
    title: 'Government desk',
    audience: 'Government staff running a voucher programme',
    purpose:
      'Review voucher applicants, approve or deny each with a reason, register payment operators and watch the programme.',
    path: '/government',
  },
  wallet: {
    role: 'wallet',
    title: 'Wallet',
    audience: 'Residents',
    purpose:
      'Apply for a programme, see your status, vouchers, balance and expiry, pay at an operator and see your history.',
    path: '/wallet',
  },
  operator: {
    role: 'operator',
    title: 'Operator desk',
    audience: 'Payment operators such as Octopus, AlipayHK and PayMe',
    purpose:
      'Create payment requests, accept or decline redemptions, refund, settle with the government and export reports.',
    path: '/operator',
  },
  explorer: {
    role: 'explorer',
    title: 'Explorer',
    audience: 'Auditors, and anyone',
    purpose:
      'Inspect every block and transaction, check a ballot by its tracking code and see what waits for a block. The record is exported and recounted independently from the command line.',
    path: '/explorer',
  },
  network: {
    role: 'network',
    title: 'Network',
    audience: 'Node operators',
    purpose: 'See peers, sync progress and node health, the node’s keys and its data folder.',
    path: '/network',
  },
};

/** The windows the launcher offers, in the order a polling day or a programme runs through them. */
export const OPENABLE_WINDOWS: readonly WindowInfo[] = [
  WINDOWS.booth,
  WINDOWS.election,
  WINDOWS.validator,
  WINDOWS.government,
  WINDOWS.wallet,
  WINDOWS.operator,
  WINDOWS.explorer,
  WINDOWS.network,
];

export function isWindowRole(value: unknown): value is WindowRole {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(WINDOWS, value);
}
