/**
 * The demo workspace's voucher programme (DESIGN.md §10, the 2021 scheme): HK$5,000 a person in two
 * instalments, HK$2,000 released at the demo genesis time and HK$3,000 released 30 days later (both long
 * released on any clock after February 2026, so both are spendable in the demo), the first expiring on 2030-07-01 and the second at the end of 2030;
 * Octopus, AlipayHK and PayMe as operators; reviewer-1 as the government reviewer.
 *
 * The reviewers' X25519 sealing key and the identity-hashing secret are derived from demo seeds like every
 * demo key: public by construction, never for anything real. A node keeps them in its data folder
 * (voucher-reviewers.json), never on the ledger.
 */
import { demoSeed, DEMO_GENESIS_TIME_MS } from './demo';

export const DEMO_PROGRAMME_ID = 'hk-consumption-2026';
export const DEMO_PROGRAMME_TITLE = 'Consumption Voucher Scheme (demo)';
const DAY_MS = 86_400_000;
/** 2031-01-01T00:00:00Z; the first instalment expires 184 days earlier (2030-07-01), so it is spent first. */
const END_2030_MS = 1_924_992_000_000;
export const DEMO_INSTALMENTS = [
  { amountCents: 200_000, releaseAtMs: DEMO_GENESIS_TIME_MS, expiresAtMs: END_2030_MS - 184 * DAY_MS },
  { amountCents: 300_000, releaseAtMs: DEMO_GENESIS_TIME_MS + 30 * DAY_MS, expiresAtMs: END_2030_MS },
] as const;
export const DEMO_OPERATORS = [
  { id: 'operator-octopus', name: 'Octopus' },
  { id: 'operator-alipayhk', name: 'AlipayHK' },
  { id: 'operator-payme', name: 'PayMe' },
] as const;
export const DEMO_REVIEWER_ID = 'reviewer-1';

/** The reviewers' sealing private key (32 bytes) and the identity secret (32 bytes) of the demo. */
export function demoReviewerSecrets(): { sealingPrivateKey: Buffer; identitySecret: Buffer } {
  return { sealingPrivateKey: demoSeed('voucher-reviewers-sealing'), identitySecret: demoSeed('voucher-identity-secret') };
}
