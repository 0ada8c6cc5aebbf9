/**
 * Fixtures for voucher tests in main/core: a programme of HK$5,000 in two instalments (HK$2,000 + HK$3,000,
 * as in 2021) on the test genesis, fixed keys for reviewers, operators and residents, the reviewers' sealing
 * key, and builders for each voucher transaction. Keys come from fixed seeds, so every hash is reproducible.
 */
import { createHash } from 'node:crypto';
import type { CanonicalValue } from '../encoding/canonicalJson';
import type { Genesis } from '../genesis';
import { testKey, type TestKey } from '../ledger/testFixtures';
import type { Transaction } from '../ledger/transaction';
import { HOUR_MS, testTx } from '../elections/testElection';
import type { VoucherProgramme } from '../rules/vouchers';
import { sealApplication, x25519KeyPair, type ApplicationDetails, type SealedApplication } from './seal';
import { identityHash } from './identity';

const seed = (label: string): Buffer => createHash('sha256').update(label).digest();

export const REVIEWERS_SEALING = x25519KeyPair(seed('civichain-test/voucher-reviewers'));
export const IDENTITY_SECRET = seed('civichain-test/identity-secret');
export const PROGRAMME_ID = 'hk-2021';
export const reviewer = testKey('voucher-reviewer-1');
export const operators = { octopus: testKey('operator-octopus'), alipay: testKey('operator-alipayhk'), payme: testKey('operator-payme') };
export const residents = { alice: testKey('resident-alice'), bob: testKey('resident-bob'), carol: testKey('resident-carol') };

/** Instalment 1 (HK$2,000) released at genesis + 1 h, expiring at + 100 h; instalment 2 (HK$3,000) at + 10 h, expiring at + 50 h. */
export function testProgramme(genesis: Genesis, overrides: Partial<VoucherProgramme> = {}): VoucherProgramme {
  const t0 = genesis.genesisTimeMs;
  return {
    id: PROGRAMME_ID,
    title: 'Consumption Voucher Scheme 2021',
    amountPerPersonCents: 500_000,
    instalments: [
      { amountCents: 200_000, releaseAtMs: t0 + HOUR_MS, expiresAtMs: t0 + 100 * HOUR_MS },
      { amountCents: 300_000, releaseAtMs: t0 + 10 * HOUR_MS, expiresAtMs: t0 + 50 * HOUR_MS },
    ],
    operators: [operators.octopus.publicKey],
    reviewersSealingKey: REVIEWERS_SEALING.publicKey,
    reviewers: [reviewer.publicKey],
    ...overrides,
  };
}

export function testDetails(identityNumber: string, name: string): ApplicationDetails {
  return { identityNumber, name, dateOfBirth: '1980-01-31', residency: 'permanent' };
}

/** Sealed with randomness derived from the applicant and name, so the same inputs give the same transaction. */
export function testSealed(applicant: TestKey, details: ApplicationDetails, programme = PROGRAMME_ID, to = REVIEWERS_SEALING.publicKey): SealedApplication {
  const label = `${applicant.publicKey}/${JSON.stringify(details)}`;
  return sealApplication(details, to, { ephemeralPrivateKey: seed(`eph/${label}`), nonce: seed(`nonce/${label}`).subarray(0, 12) }, { programme, applicant: applicant.publicKey });
}

export class VoucherTxs {
  constructor(
    readonly chainId: string,
    readonly authority: TestKey,
    readonly programmeId = PROGRAMME_ID,
  ) {}

  tx(signer: TestKey, type: string, payload: Record<string, CanonicalValue>, nonce?: string): Transaction {
    return testTx(this.chainId, signer, type, payload, nonce);
  }
  programme(def: VoucherProgramme | Record<string, unknown>, signer = this.authority): Transaction {
    return this.tx(signer, 'voucher.programme', def as Record<string, CanonicalValue>);
  }
  register(operator: TestKey, name: string, signer = this.authority): Transaction {
    return this.tx(signer, 'voucher.operator', { action: 'register', programme: this.programmeId, operator: operator.publicKey, name });
  }
  suspend(operator: TestKey, signer = this.authority, nonce?: string): Transaction {
    return this.tx(signer, 'voucher.operator', { action: 'suspend', programme: this.programmeId, operator: operator.publicKey }, nonce);
  }
  apply(applicant: TestKey, details: ApplicationDetails, sealed: SealedApplication = testSealed(applicant, details, this.programmeId), nonce?: string): Transaction {
    return this.tx(applicant, 'voucher.apply', { programme: this.programmeId, sealed: { ...sealed } }, nonce);
  }
  approve(application: string, identityNumber: string, signer = reviewer): Transaction {
    return this.tx(signer, 'voucher.decide', { programme: this.programmeId, application, decision: 'approve', identityHash: identityHash(identityNumber, IDENTITY_SECRET) });
  }
  deny(application: string, reason: string, signer = reviewer): Transaction {
    return this.tx(signer, 'voucher.decide', { programme: this.programmeId, application, decision: 'deny', reason });
  }
  request(operator: TestKey, requestId: string, amountCents: number, expiresAtMs: number, reference = `ref-${requestId}`): Transaction {
    return this.tx(operator, 'voucher.request', { programme: this.programmeId, requestId, amountCents, reference, expiresAtMs });
  }
  redeem(payer: TestKey, operator: TestKey, requestId: string, vouchers: readonly string[], amountCents: number, nonce?: string): Transaction {
    return this.tx(payer, 'voucher.redeem', { programme: this.programmeId, request: { operator: operator.publicKey, requestId }, vouchers: [...vouchers], amountCents }, nonce);
  }
  accept(operator: TestKey, redemption: string): Transaction {
    return this.tx(operator, 'voucher.accept', { programme: this.programmeId, redemption });
  }
  decline(operator: TestKey, redemption: string, reason = 'card reader fault'): Transaction {
    return this.tx(operator, 'voucher.decline', { programme: this.programmeId, redemption, reason });
  }
  refund(operator: TestKey, redemption: string): Transaction {
    return this.tx(operator, 'voucher.refund', { programme: this.programmeId, redemption });
  }
  settle(operator: TestKey, redemptions: readonly string[]): Transaction {
    return this.tx(operator, 'voucher.settle', { programme: this.programmeId, redemptions: [...redemptions] });
  }
  confirm(claim: string, signer = this.authority): Transaction {
    return this.tx(signer, 'voucher.confirm', { programme: this.programmeId, claim });
  }
}
