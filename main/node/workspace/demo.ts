/**
 * The demo workspace (DESIGN.md §10), like a Ganache workspace: an authority, three validators, a proposer,
 * an election official, a government reviewer, the three payment operators and a few residents.
 *
 * Demo keys are derived deterministically from their ids, so every demo workspace has the same genesis and
 * demo nodes on one machine can peer (`npm run demo:network`). They are demo keys, public by construction:
 * never use them for anything real. The node's own key is random per data folder.
 */
import { createHash } from 'node:crypto';
import type { IdentityRole } from '../../../preload/contract';
import { GENESIS_FORMAT, defaultQuorum, createGenesisFromJSON, type Genesis } from '../../core/genesis';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../keystore/keystore';

/** The passphrase of every demo key. Written here on purpose: demo keys protect nothing. */
export const DEMO_PASSPHRASE = 'civichain-demo';

export const DEMO_CHAIN_ID = 'civichain-demo-1';
/** 2026-01-01T00:00:00Z: fixed so that every demo genesis is identical. */
export const DEMO_GENESIS_TIME_MS = 1_767_225_600_000;

export interface DemoIdentity {
  readonly id: string;
  readonly label: string;
  readonly role: IdentityRole;
}

export const DEMO_IDENTITIES: readonly DemoIdentity[] = [
  { id: 'authority', label: 'Demo Authority (Electoral and Voucher Office)', role: 'authority' },
  { id: 'validator-1', label: 'Validator 1 — Electoral Commission', role: 'validator' },
  { id: 'validator-2', label: 'Validator 2 — Civic Observers', role: 'validator' },
  { id: 'validator-3', label: 'Validator 3 — Court Registry', role: 'validator' },
  { id: 'proposer-1', label: 'Proposer — Polling Station 1', role: 'proposer' },
  { id: 'official-1', label: 'Election official — Polling Station 1', role: 'official' },
  { id: 'reviewer-1', label: 'Government reviewer — Home Affairs', role: 'reviewer' },
  { id: 'operator-octopus', label: 'Octopus', role: 'operator' },
  { id: 'operator-alipayhk', label: 'AlipayHK', role: 'operator' },
  { id: 'operator-payme', label: 'PayMe', role: 'operator' },
  { id: 'resident-chan', label: 'Chan Tai Man', role: 'resident' },
  { id: 'resident-wong', label: 'Wong Siu Ming', role: 'resident' },
  { id: 'resident-lee', label: 'Lee Ka Yan', role: 'resident' },
];

export function demoSeed(id: string): Buffer {
  return createHash('sha256').update(`civichain-demo-v1/${id}`).digest();
}

export function demoPublicKey(id: string): string {
  return ed25519PublicKeyHex(ed25519PrivateKeyFromSeed(demoSeed(id)));
}

export function createDemoGenesis(): Genesis {
  const members = (role: IdentityRole) =>
    DEMO_IDENTITIES.filter((i) => i.role === role).map((i) => ({ name: i.label, publicKey: demoPublicKey(i.id) }));
  const validators = members('validator');
  return createGenesisFromJSON({
    format: GENESIS_FORMAT,
    networkName: 'Civichain Demo',
    chainId: DEMO_CHAIN_ID,
    genesisTimeMs: DEMO_GENESIS_TIME_MS,
    demo: true,
    authorities: members('authority'),
    validators,
    quorum: defaultQuorum(validators.length),
    proposers: members('proposer'),
    powDifficultyBits: 8,
    roundTimeoutMs: 3_000,
  });
}
