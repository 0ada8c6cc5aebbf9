/**
 * The voucher rules (DESIGN.md §6) through the real state transition: applyTransactions for blocks and
 * checkTransaction for the mempool's check. Times are block times; keys are fixed fixtures
 * (ledger/testFixtures.ts, vouchers/testVouchers.ts). Each refusal is checked for its code, its message and
 * an unchanged state.
 */
import { describe, expect, it } from 'vitest';
import { CivichainError } from '../errors';
import { testGenesis, testKey, type TestKey } from '../ledger/testFixtures';
import { transactionHash, type Transaction } from '../ledger/transaction';
import { HOUR_MS, TestLedger } from '../elections/testElection';
import { createDefaultRegistry } from './index';
import { openApplication, x25519KeyPair } from '../vouchers/seal';
import { identityHash } from '../vouchers/identity';
import {
  IDENTITY_SECRET,
  PROGRAMME_ID as P,
  REVIEWERS_SEALING,
  VoucherTxs,
  operators,
  residents,
  reviewer,
  testDetails,
  testProgramme,
  testSealed,
} from '../vouchers/testVouchers';
import {
  VOUCHER_PROGRAMMES_KEY,
  VOUCHER_RULES,
  applicantKey,
  identityKey,
  readApplication,
  readClaim,
  readOperator,
  readProgramme,
  readRedemption,
  readRequest,
  readVoucher,
  readWallet,
  spendableVouchers,
  voucherId,
  type Voucher,
  type VoucherProgramme,
} from './vouchers';

const { genesis, authority, validators } = testGenesis();
const T0 = genesis.genesisTimeMs;
const BEFORE_RELEASE = T0 + 1000;
const FIRST = T0 + 2 * HOUR_MS; // instalment 1 released, instalment 2 not yet
const BOTH = T0 + 20 * HOUR_MS; // both released
const AFTER_SECOND_EXPIRY = T0 + 60 * HOUR_MS;
const REQUEST_EXPIRY = T0 + 90 * HOUR_MS;
const v = new VoucherTxs(genesis.chainId, authority);
const { alice, bob, carol } = residents;
const { octopus, alipay, payme } = operators;
const outsider = testKey('outsider');
const programme = testProgramme(genesis);
const ALICE = testDetails('A123456(7)', 'Chan Tai Man');
const BOB = testDetails('B765432(1)', 'Wong Siu Ming');

function refusal(fn: () => unknown): CivichainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CivichainError) return error;
    throw error;
  }
  return expect.unreachable('the transaction was accepted');
}

/** Asserts a block of `txs` at `timeMs` is refused with `code` (message matching), the state unchanged, and the mempool check agrees. */
function expectRefused(ledger: TestLedger, txs: readonly Transaction[], timeMs: number, code: string, message?: RegExp): CivichainError {
  const before = new Map(ledger.state);
  const included = new Set(ledger.included);
  const error = refusal(() => ledger.apply(txs, timeMs));
  expect(error.code, error.message).toBe(code);
  if (message) expect(error.message).toMatch(message);
  expect(ledger.state).toEqual(before);
  expect(ledger.included).toEqual(included);
  if (txs.length === 1) expect(refusal(() => ledger.check(txs[0] as Transaction, timeMs)).code).toBe(code);
  return error;
}

const hash = transactionHash;
/** The X25519 point 0, of low order. */
const ZERO_POINT = Buffer.alloc(32).toString('base64url');

/** A ledger with the programme created and AlipayHK registered (Octopus is listed in the programme). */
function withProgramme(): TestLedger {
  const ledger = new TestLedger(genesis);
  ledger.apply([v.programme(programme), v.register(alipay, 'AlipayHK')], T0 + 500);
  return ledger;
}

/** Alice (and optionally Bob) applied and approved: returns the ledger and their voucher ids [HK$2,000, HK$3,000]. */
function withApproved(): { ledger: TestLedger; alice: string[]; bob: string[] } {
  const ledger = withProgramme();
  const applyA = v.apply(alice, ALICE);
  const applyB = v.apply(bob, BOB);
  ledger.apply([applyA, applyB], T0 + 600);
  const approveA = v.approve(hash(applyA), 'A123456(7)');
  const approveB = v.approve(hash(applyB), 'B765432(1)');
  ledger.apply([approveA, approveB], T0 + 700);
  return { ledger, alice: [voucherId(hash(approveA), 0), voucherId(hash(approveA), 1)], bob: [voucherId(hash(approveB), 0), voucherId(hash(approveB), 1)] };
}

const voucher = (ledger: TestLedger, id: string): Voucher => readVoucher(ledger.reader, P, id) as Voucher;
const balance = (ledger: TestLedger, owner: TestKey, timeMs: number): number => spendableVouchers(ledger.reader, P, owner.publicKey, timeMs).totalCents;

/** Alice pays `amount` at Octopus with `vouchers` under request `rid`; returns the redemption id. */
function pay(ledger: TestLedger, rid: string, vouchers: readonly string[], amount: number, timeMs = BOTH, operator = octopus): string {
  const redeem = v.redeem(alice, operator, rid, vouchers, amount);
  ledger.apply([v.request(operator, rid, amount, REQUEST_EXPIRY), redeem], timeMs);
  return hash(redeem);
}

describe('registry', () => {
  it('every voucher type is registered in the default registry', () => {
    const types = createDefaultRegistry().types;
    for (const rule of VOUCHER_RULES) expect(types).toContain(rule.type);
    expect(VOUCHER_RULES.map((r) => r.type)).toEqual([
      'voucher.programme',
      'voucher.operator',
      'voucher.apply',
      'voucher.decide',
      'voucher.request',
      'voucher.redeem',
      'voucher.accept',
      'voucher.decline',
      'voucher.refund',
      'voucher.settle',
      'voucher.confirm',
    ]);
  });
});

describe('voucher ids and identity hashes (docs/PROTOCOL.md "Vouchers"; checked in Python with hashlib, json, hmac)', () => {
  it('voucherId = SHA-256(JCS(["civichain/v1/voucher", tx, index]))', () => {
    const tx = 'ae9cb76b658f2de11b7b656048b597b7b9e0bcba856b9e84cac1c6089dc8c588'; // SHA-256("civichain-test/decision")
    expect(voucherId(tx, 0)).toBe('a14de80fafce3c8a6a35ae6300a945a00802e4bc0388c422bced72c73f8e4f3c');
    expect(voucherId(tx, 1)).toBe('44d48f5d33ada4afe070a0697fccb46286c1e6a105592afc3ac9c3cccba5aa78');
  });
  it('identityHash of "a123456(7)" with secret SHA-256("civichain-test/identity-secret")', () => {
    expect(identityHash('a123456(7)', IDENTITY_SECRET)).toBe('ea3c682562a1601cc56eafba849ef4292f37cdfa2fc7e2db679bca0fad479794');
  });
});

describe('voucher.programme', () => {
  it('an authority creates a programme: stored as given, indexed, its listed operators active', () => {
    const ledger = withProgramme();
    expect(readProgramme(ledger.reader, P)).toEqual(programme);
    expect(ledger.json(VOUCHER_PROGRAMMES_KEY)).toEqual([P]);
    expect(readOperator(ledger.reader, P, octopus.publicKey)?.status).toBe('active');
  });

  it('TX_UNAUTHORIZED: a reviewer, operator, validator or resident cannot create one', () => {
    for (const signer of [reviewer, octopus, validators[0] as TestKey, alice]) {
      expectRefused(new TestLedger(genesis), [v.programme(programme, signer)], T0 + 500, 'TX_UNAUTHORIZED', /Only an authority may create a voucher programme/);
    }
  });

  it('TX_VOUCHER_PROGRAMME_EXISTS: the same id again, in another block or the same one', () => {
    expectRefused(withProgramme(), [v.programme({ ...programme, title: 'Again' })], T0 + 800, 'TX_VOUCHER_PROGRAMME_EXISTS', /already exists; choose another id/);
    expectRefused(new TestLedger(genesis), [v.programme(programme), v.programme({ ...programme, title: 'Again' })], T0 + 500, 'TX_VOUCHER_PROGRAMME_EXISTS', /^Transaction 1 /);
  });

  it('TX_INVALID_PAYLOAD: instalments that do not add up to the amount per person', () => {
    expectRefused(new TestLedger(genesis), [v.programme({ ...programme, amountPerPersonCents: 500_001 })], T0 + 500, 'TX_INVALID_PAYLOAD', /add up to 500000 cents, not the 500001/);
  });

  it('TX_INVALID_PAYLOAD: an instalment expiring at or before its release, or already expired', () => {
    const [a, b] = programme.instalments as [VoucherProgramme['instalments'][0], VoucherProgramme['instalments'][0]];
    const e1 = expectRefused(new TestLedger(genesis), [v.programme({ ...programme, instalments: [a, { ...b, expiresAtMs: b.releaseAtMs }] })], T0 + 500, 'TX_INVALID_PAYLOAD', /Instalment 2 must expire after/);
    expect(e1.details['field']).toBe('payload.instalments.1.expiresAtMs');
    expectRefused(new TestLedger(genesis), [v.programme(programme)], T0 + 50 * HOUR_MS, 'TX_INVALID_PAYLOAD', /Instalment 2 has already expired/);
  });

  it('TX_INVALID_PAYLOAD: junk payloads name the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ ...programme, id: 'HK' }, 'payload.id'],
      [{ ...programme, amountPerPersonCents: -5 }, 'payload.amountPerPersonCents'],
      [{ ...programme, instalments: [] }, 'payload.instalments'],
      [{ ...programme, instalments: [{ amountCents: 0, releaseAtMs: 0, expiresAtMs: 1 }] }, 'payload.instalments.0.amountCents'],
      [{ ...programme, reviewersSealingKey: 'not-a-key' }, 'payload.reviewersSealingKey'],
      [{ ...programme, reviewers: [] }, 'payload.reviewers'],
      [{ ...programme, operators: ['AB'] }, 'payload.operators.0'],
      [{ ...programme, extra: 1 }, 'payload'],
    ];
    for (const [payload, field] of cases) {
      const error = expectRefused(new TestLedger(genesis), [v.programme(payload)], T0 + 500, 'TX_INVALID_PAYLOAD');
      expect(error.details['field'], JSON.stringify(payload).slice(0, 80)).toBe(field);
    }
    expectRefused(new TestLedger(genesis), [v.programme({ ...programme, operators: [octopus.publicKey, octopus.publicKey] })], T0 + 500, 'TX_INVALID_PAYLOAD', /operator is listed twice/);
    expectRefused(new TestLedger(genesis), [v.programme({ ...programme, reviewers: [reviewer.publicKey, reviewer.publicKey] })], T0 + 500, 'TX_INVALID_PAYLOAD', /reviewer is listed twice/);
    expectRefused(new TestLedger(genesis), [v.programme({ ...programme, reviewersSealingKey: ZERO_POINT })], T0 + 500, 'TX_INVALID_PAYLOAD', /low-order X25519 point/);
  });
});

it('fractional cents cannot even be signed (not canonical JSON), and the payload schemas refuse them too', () => {
  expect(refusal(() => v.request(octopus, 'r-1', 10.5, REQUEST_EXPIRY)).code).toBe('NOT_CANONICALIZABLE');
  const registry = createDefaultRegistry();
  expect(registry.get('voucher.programme').payload.safeParse({ ...programme, amountPerPersonCents: 5000.5 }).success).toBe(false);
  expect(registry.get('voucher.request').payload.safeParse({ programme: P, requestId: 'r', amountCents: 10.5, reference: '', expiresAtMs: REQUEST_EXPIRY }).success).toBe(false);
  expect(registry.get('voucher.redeem').payload.safeParse({ programme: P, request: { operator: octopus.publicKey, requestId: 'r' }, vouchers: ['a'.repeat(64)], amountCents: 0.5 }).success).toBe(false);
});

describe('voucher.operator', () => {
  it('an authority registers an operator with its name, and suspends it', () => {
    const ledger = withProgramme();
    expect(readOperator(ledger.reader, P, alipay.publicKey)).toMatchObject({ name: 'AlipayHK', status: 'active' });
    ledger.apply([v.suspend(alipay)], T0 + 800);
    expect(readOperator(ledger.reader, P, alipay.publicKey)).toMatchObject({ name: 'AlipayHK', status: 'suspended' });
  });

  it('registering a suspended operator reinstates it', () => {
    const ledger = withProgramme();
    ledger.apply([v.suspend(alipay)], T0 + 800);
    ledger.apply([v.register(alipay, 'AlipayHK (reinstated)')], T0 + 900);
    expect(readOperator(ledger.reader, P, alipay.publicKey)).toMatchObject({ name: 'AlipayHK (reinstated)', status: 'active' });
  });

  it('TX_UNAUTHORIZED: an operator or reviewer cannot register or suspend', () => {
    const ledger = withProgramme();
    expectRefused(ledger, [v.register(payme, 'PayMe', octopus)], T0 + 800, 'TX_UNAUTHORIZED', /Only an authority may register a payment operator/);
    expectRefused(ledger, [v.suspend(octopus, reviewer)], T0 + 800, 'TX_UNAUTHORIZED', /Only an authority may suspend/);
  });

  it('TX_VOUCHER_OPERATOR_EXISTS, TX_VOUCHER_OPERATOR_UNKNOWN, TX_VOUCHER_OPERATOR_SUSPENDED, TX_VOUCHER_PROGRAMME_UNKNOWN', () => {
    const ledger = withProgramme();
    expectRefused(ledger, [v.register(octopus, 'Octopus again')], T0 + 800, 'TX_VOUCHER_OPERATOR_EXISTS', /already registered/);
    expectRefused(ledger, [v.suspend(payme)], T0 + 800, 'TX_VOUCHER_OPERATOR_UNKNOWN', /nothing to suspend/);
    ledger.apply([v.suspend(alipay)], T0 + 800);
    expectRefused(ledger, [v.suspend(alipay, authority, 'again')], T0 + 900, 'TX_VOUCHER_OPERATOR_SUSPENDED', /already suspended/);
    const other = new VoucherTxs(genesis.chainId, authority, 'no-such-programme');
    expectRefused(ledger, [other.register(payme, 'PayMe')], T0 + 900, 'TX_VOUCHER_PROGRAMME_UNKNOWN', /no voucher programme "no-such-programme"/);
  });

  it('TX_INVALID_PAYLOAD: an unknown action, or a register without a name', () => {
    const ledger = withProgramme();
    expectRefused(ledger, [v.tx(authority, 'voucher.operator', { action: 'transfer', programme: P, operator: payme.publicKey })], T0 + 800, 'TX_INVALID_PAYLOAD');
    expectRefused(ledger, [v.tx(authority, 'voucher.operator', { action: 'register', programme: P, operator: payme.publicKey })], T0 + 800, 'TX_INVALID_PAYLOAD', /payload\.name/);
  });
});

describe('voucher.apply', () => {
  it('a resident applies: the sealed details are stored, pending, and only the reviewers can open them', () => {
    const ledger = withProgramme();
    const tx = v.apply(alice, ALICE);
    ledger.apply([tx], T0 + 600);
    const application = readApplication(ledger.reader, P, hash(tx));
    expect(application).toMatchObject({ applicant: alice.publicKey, status: 'pending', decision: null });
    expect(openApplication(application?.sealed as never, REVIEWERS_SEALING.privateKey, { programme: P, applicant: alice.publicKey })).toEqual(ALICE);
    expect(ledger.json(applicantKey(P, alice.publicKey))).toEqual({ application: hash(tx), status: 'pending' });
  });

  it('nothing readable: the name, HKID and date of birth appear nowhere in the state or the transaction', () => {
    const ledger = withProgramme();
    const tx = v.apply(alice, ALICE);
    ledger.apply([tx], T0 + 600);
    ledger.apply([v.approve(hash(tx), 'A123456(7)')], T0 + 700);
    const everything = JSON.stringify([...ledger.state]) + JSON.stringify(tx);
    for (const needle of ['Chan Tai Man', 'A123456', 'A1234567', '1980-01-31']) expect(everything).not.toContain(needle);
  });

  it('TX_VOUCHER_NOT_SEALED_TO_REVIEWERS: sealed to any other key', () => {
    const ledger = withProgramme();
    const other = x25519KeyPair(Buffer.alloc(32, 7));
    expectRefused(ledger, [v.apply(alice, ALICE, testSealed(alice, ALICE, P, other.publicKey))], T0 + 600, 'TX_VOUCHER_NOT_SEALED_TO_REVIEWERS', /not sealed to the reviewers' key/);
    // An ephemeral key of low order (RFC 7748 §6.1) makes the shared secret zero: sealed to no one.
    expectRefused(ledger, [v.apply(alice, ALICE, { ...testSealed(alice, ALICE), ephemeralPublicKey: ZERO_POINT })], T0 + 600, 'TX_VOUCHER_NOT_SEALED_TO_REVIEWERS', /low-order/);
  });

  it('TX_VOUCHER_APPLICATION_OPEN: a second application while the first is pending, in a later block or the same one', () => {
    const ledger = withProgramme();
    ledger.apply([v.apply(alice, ALICE)], T0 + 600);
    expectRefused(ledger, [v.apply(alice, ALICE, undefined, 'again')], T0 + 700, 'TX_VOUCHER_APPLICATION_OPEN', /waiting for review; wait for the decision/);
    expectRefused(withProgramme(), [v.apply(alice, ALICE), v.apply(alice, ALICE, undefined, 'again')], T0 + 600, 'TX_VOUCHER_APPLICATION_OPEN');
  });

  it('a denied applicant may apply again; an approved one may not (TX_VOUCHER_ALREADY_APPROVED)', () => {
    const ledger = withProgramme();
    const first = v.apply(alice, ALICE);
    ledger.apply([first], T0 + 600);
    ledger.apply([v.deny(hash(first), 'Date of birth does not match the identity card')], T0 + 700);
    const second = v.apply(alice, ALICE, undefined, 'second');
    ledger.apply([second], T0 + 800);
    ledger.apply([v.approve(hash(second), 'A123456(7)')], T0 + 900);
    expectRefused(ledger, [v.apply(alice, ALICE, undefined, 'third')], T0 + 1000, 'TX_VOUCHER_ALREADY_APPROVED', /was approved; its vouchers are in the wallet/);
  });

  it('TX_VOUCHER_PROGRAMME_ENDED after the last expiry; TX_VOUCHER_PROGRAMME_UNKNOWN for another id', () => {
    expectRefused(withProgramme(), [v.apply(alice, ALICE)], T0 + 100 * HOUR_MS, 'TX_VOUCHER_PROGRAMME_ENDED', /takes no more applications/);
    const other = new VoucherTxs(genesis.chainId, authority, 'hk-2030');
    expectRefused(withProgramme(), [other.apply(alice, ALICE)], T0 + 600, 'TX_VOUCHER_PROGRAMME_UNKNOWN');
  });

  it('TX_INVALID_PAYLOAD: plain details instead of a sealed object, a short ciphertext, extra fields', () => {
    const ledger = withProgramme();
    const sealed = testSealed(alice, ALICE);
    expectRefused(ledger, [v.tx(alice, 'voucher.apply', { programme: P, details: { ...ALICE } })], T0 + 600, 'TX_INVALID_PAYLOAD');
    expectRefused(ledger, [v.tx(alice, 'voucher.apply', { programme: P, sealed: { ...sealed, ciphertext: 'abc' } })], T0 + 600, 'TX_INVALID_PAYLOAD', /payload\.sealed\.ciphertext/);
    expectRefused(ledger, [v.tx(alice, 'voucher.apply', { programme: P, sealed: { ...sealed, name: 'Chan' } })], T0 + 600, 'TX_INVALID_PAYLOAD', /payload\.sealed/);
  });
});

describe('voucher.decide', () => {
  it('approval issues one voucher per instalment to the applicant, with release and expiry, ids from the decision hash', () => {
    const ledger = withProgramme();
    const apply = v.apply(alice, ALICE);
    ledger.apply([apply], T0 + 600);
    const approve = v.approve(hash(apply), 'A123456(7)');
    ledger.apply([approve], T0 + 700);
    const ids = [voucherId(hash(approve), 0), voucherId(hash(approve), 1)];
    expect(readWallet(ledger.reader, P, alice.publicKey)).toEqual(ids);
    expect(voucher(ledger, ids[0] as string)).toEqual({
      id: ids[0],
      owner: alice.publicKey,
      amountCents: 200_000,
      releaseAtMs: T0 + HOUR_MS,
      expiresAtMs: T0 + 100 * HOUR_MS,
      issuedBy: hash(approve),
      spentBy: null,
      pendingRedemption: null,
    });
    expect(voucher(ledger, ids[1] as string)).toMatchObject({ amountCents: 300_000, releaseAtMs: T0 + 10 * HOUR_MS });
    expect(readApplication(ledger.reader, P, hash(apply))).toMatchObject({ status: 'approved', decision: hash(approve) });
    expect(ledger.json(identityKey(P, identityHash('A1234567', IDENTITY_SECRET)))).toBe(hash(approve));
    expect(balance(ledger, alice, BEFORE_RELEASE)).toBe(0);
    expect(balance(ledger, alice, FIRST)).toBe(200_000);
    expect(balance(ledger, alice, BOTH)).toBe(500_000);
  });

  it('denial records the reason and issues nothing', () => {
    const ledger = withProgramme();
    const apply = v.apply(alice, ALICE);
    ledger.apply([apply], T0 + 600);
    ledger.apply([v.deny(hash(apply), 'Not a permanent resident')], T0 + 700);
    expect(readApplication(ledger.reader, P, hash(apply))).toMatchObject({ status: 'denied', reason: 'Not a permanent resident' });
    expect(readWallet(ledger.reader, P, alice.publicKey)).toEqual([]);
  });

  it('TX_VOUCHER_IDENTITY_APPROVED: the same HKID again, under another key, in another case or spacing, or in the same block', () => {
    for (const form of ['A123456(7)', 'a123456(7)', 'A 123456 (7)', 'a1234567']) {
      const ledger = withProgramme();
      const a = v.apply(alice, ALICE);
      const b = v.apply(bob, testDetails(form, 'Chan Tai Man'));
      ledger.apply([a, b], T0 + 600);
      ledger.apply([v.approve(hash(a), 'A123456(7)')], T0 + 700);
      expectRefused(ledger, [v.approve(hash(b), form)], T0 + 800, 'TX_VOUCHER_IDENTITY_APPROVED', /already approved .*deny this one/);
      // Denying it instead is accepted.
      ledger.apply([v.deny(hash(b), 'Already received vouchers')], T0 + 800);
    }
    const ledger = withProgramme();
    const a = v.apply(alice, ALICE);
    const b = v.apply(bob, ALICE);
    ledger.apply([a, b], T0 + 600);
    expectRefused(ledger, [v.approve(hash(a), 'A123456(7)'), v.approve(hash(b), 'A123456(7)')], T0 + 700, 'TX_VOUCHER_IDENTITY_APPROVED', /^Transaction 1 /);
  });

  it('TX_UNAUTHORIZED: only a reviewer of the programme, not an authority, operator or the applicant', () => {
    const ledger = withProgramme();
    const apply = v.apply(alice, ALICE);
    ledger.apply([apply], T0 + 600);
    for (const signer of [authority, octopus, alice, outsider]) {
      expectRefused(ledger, [v.approve(hash(apply), 'A123456(7)', signer)], T0 + 700, 'TX_UNAUTHORIZED', /Only a reviewer of programme "hk-2021"/);
    }
  });

  it('TX_UNAUTHORIZED: a reviewer cannot decide their own application', () => {
    const ledger = withProgramme();
    const own = v.apply(reviewer, testDetails('R111111(1)', 'Reviewer'));
    ledger.apply([own], T0 + 600);
    expectRefused(ledger, [v.approve(hash(own), 'R111111(1)')], T0 + 700, 'TX_UNAUTHORIZED', /cannot decide their own application; another reviewer must/);
    expectRefused(ledger, [v.deny(hash(own), 'Conflict of interest')], T0 + 700, 'TX_UNAUTHORIZED');
  });

  it('TX_VOUCHER_APPLICATION_UNKNOWN, and TX_VOUCHER_APPLICATION_DECIDED for a second decision', () => {
    const ledger = withProgramme();
    expectRefused(ledger, [v.approve('0'.repeat(64), 'A123456(7)')], T0 + 700, 'TX_VOUCHER_APPLICATION_UNKNOWN');
    const apply = v.apply(alice, ALICE);
    ledger.apply([apply], T0 + 600);
    ledger.apply([v.deny(hash(apply), 'Incomplete')], T0 + 700);
    expectRefused(ledger, [v.approve(hash(apply), 'A123456(7)')], T0 + 800, 'TX_VOUCHER_APPLICATION_DECIDED', /already denied; a decision is final/);
  });

  it('TX_INVALID_PAYLOAD: approval without an identity hash, denial without a reason, a hash in upper case', () => {
    const ledger = withProgramme();
    const apply = v.apply(alice, ALICE);
    ledger.apply([apply], T0 + 600);
    const base = { programme: P, application: hash(apply) };
    expectRefused(ledger, [v.tx(reviewer, 'voucher.decide', { ...base, decision: 'approve' })], T0 + 700, 'TX_INVALID_PAYLOAD', /identityHash/);
    expectRefused(ledger, [v.tx(reviewer, 'voucher.decide', { ...base, decision: 'deny' })], T0 + 700, 'TX_INVALID_PAYLOAD', /reason/);
    expectRefused(ledger, [v.tx(reviewer, 'voucher.decide', { ...base, decision: 'deny', reason: '   ' })], T0 + 700, 'TX_INVALID_PAYLOAD', /a denial needs a reason/);
    expectRefused(ledger, [v.tx(reviewer, 'voucher.decide', { ...base, decision: 'approve', identityHash: 'A'.repeat(64) })], T0 + 700, 'TX_INVALID_PAYLOAD', /lower-case hex/);
    expectRefused(ledger, [v.tx(reviewer, 'voucher.decide', { ...base, decision: 'approve', identityHash: 'A1234567' })], T0 + 700, 'TX_INVALID_PAYLOAD');
    expectRefused(ledger, [v.tx(reviewer, 'voucher.decide', { ...base, decision: 'maybe', reason: 'x' })], T0 + 700, 'TX_INVALID_PAYLOAD');
  });
});

describe('voucher.request', () => {
  it('a registered operator creates a payment request', () => {
    const ledger = withProgramme();
    const tx = v.request(octopus, 'r-1', 12_050, REQUEST_EXPIRY, 'Wellcome #1234');
    ledger.apply([tx], BOTH);
    expect(readRequest(ledger.reader, P, octopus.publicKey, 'r-1')).toEqual({
      operator: octopus.publicKey,
      requestId: 'r-1',
      amountCents: 12_050,
      reference: 'Wellcome #1234',
      expiresAtMs: REQUEST_EXPIRY,
      createdBy: hash(tx),
      redemption: null,
    });
  });

  it('TX_VOUCHER_OPERATOR_UNKNOWN for an unregistered key; TX_VOUCHER_OPERATOR_SUSPENDED for a suspended operator', () => {
    const ledger = withProgramme();
    expectRefused(ledger, [v.request(payme, 'r-1', 100, REQUEST_EXPIRY)], BOTH, 'TX_VOUCHER_OPERATOR_UNKNOWN', /not a registered operator/);
    expectRefused(ledger, [v.request(alice, 'r-1', 100, REQUEST_EXPIRY)], BOTH, 'TX_VOUCHER_OPERATOR_UNKNOWN');
    ledger.apply([v.suspend(alipay)], BOTH);
    expectRefused(ledger, [v.request(alipay, 'r-1', 100, REQUEST_EXPIRY)], BOTH, 'TX_VOUCHER_OPERATOR_SUSPENDED', /AlipayHK is suspended/);
  });

  it('TX_VOUCHER_REQUEST_EXISTS: the same request id twice from one operator; another operator may use it', () => {
    const ledger = withProgramme();
    ledger.apply([v.request(octopus, 'r-1', 100, REQUEST_EXPIRY)], BOTH);
    expectRefused(ledger, [v.request(octopus, 'r-1', 200, REQUEST_EXPIRY)], BOTH, 'TX_VOUCHER_REQUEST_EXISTS', /use a new request id/);
    ledger.apply([v.request(alipay, 'r-1', 100, REQUEST_EXPIRY)], BOTH);
  });

  it('TX_INVALID_PAYLOAD: zero, negative, fractional or oversized amounts; an expiry already past; a bad request id', () => {
    const ledger = withProgramme();
    for (const amount of [0, -100]) expectRefused(ledger, [v.request(octopus, 'r-1', amount, REQUEST_EXPIRY)], BOTH, 'TX_INVALID_PAYLOAD', /amountCents/);
    expectRefused(ledger, [v.request(octopus, 'r-1', 500_001, REQUEST_EXPIRY)], BOTH, 'TX_INVALID_PAYLOAD', /more than anyone receives/);
    expectRefused(ledger, [v.request(octopus, 'r-1', 100, BOTH)], BOTH, 'TX_INVALID_PAYLOAD', /expires before it could be paid/);
    expectRefused(ledger, [v.request(octopus, 'r 1/..', 100, REQUEST_EXPIRY)], BOTH, 'TX_INVALID_PAYLOAD', /requestId/);
  });
});

describe('voucher.redeem', () => {
  it('pays a request with a whole voucher; the change (earliest expiry) goes back to the payer, locked until accepted', () => {
    const { ledger, alice: [two, three] } = withApproved();
    const redemption = pay(ledger, 'r-1', [three as string], 12_050);
    expect(voucher(ledger, three as string).spentBy).toBe(redemption);
    const change = voucherId(redemption, 0);
    expect(voucher(ledger, change)).toEqual({
      id: change,
      owner: alice.publicKey,
      amountCents: 300_000 - 12_050,
      releaseAtMs: T0 + 10 * HOUR_MS,
      expiresAtMs: T0 + 50 * HOUR_MS,
      issuedBy: redemption,
      spentBy: null,
      pendingRedemption: redemption,
    });
    expect(readRedemption(ledger.reader, P, redemption)).toMatchObject({ payer: alice.publicKey, operator: octopus.publicKey, amountCents: 12_050, consumed: [three], change, status: 'pending' });
    expect(readRequest(ledger.reader, P, octopus.publicKey, 'r-1')?.redemption).toBe(redemption);
    expect(readWallet(ledger.reader, P, alice.publicKey)).toEqual([two, three, change]);
    // Until the operator accepts, only the untouched voucher is spendable.
    expect(balance(ledger, alice, BOTH)).toBe(200_000);
    ledger.apply([v.accept(octopus, redemption)], BOTH);
    expect(balance(ledger, alice, BOTH)).toBe(500_000 - 12_050);
  });

  it('two vouchers: change expires with the earliest of them; an exact payment leaves no change', () => {
    const { ledger, alice: ids } = withApproved();
    const redemption = pay(ledger, 'r-1', ids, 450_000);
    expect(voucher(ledger, voucherId(redemption, 0))).toMatchObject({ amountCents: 50_000, expiresAtMs: T0 + 50 * HOUR_MS });
    const fresh = withApproved();
    const exact = pay(fresh.ledger, 'r-2', [fresh.alice[0] as string], 200_000);
    expect(readRedemption(fresh.ledger.reader, P, exact)?.change).toBeNull();
    expect(fresh.ledger.state.has(`voucher/${P}/voucher/${voucherId(exact, 0)}`)).toBe(false);
  });

  it('TX_VOUCHER_SPENT: a voucher spent twice across blocks, at two operators', () => {
    const { ledger, alice: [two] } = withApproved();
    pay(ledger, 'r-1', [two as string], 1000);
    ledger.apply([v.request(alipay, 'r-2', 1000, REQUEST_EXPIRY)], BOTH);
    expectRefused(ledger, [v.redeem(alice, alipay, 'r-2', [two as string], 1000)], BOTH, 'TX_VOUCHER_SPENT', /already spent .*pay with another voucher/);
  });

  it('TX_VOUCHER_SPENT: the same voucher twice in one block (the second is refused, and with it the block)', () => {
    const { ledger, alice: [two] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 1000, REQUEST_EXPIRY), v.request(alipay, 'r-2', 1000, REQUEST_EXPIRY)], BOTH);
    const error = expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string], 1000), v.redeem(alice, alipay, 'r-2', [two as string], 1000)], BOTH, 'TX_VOUCHER_SPENT');
    expect(error.details['index']).toBe(1);
    // Either one alone is accepted: exactly one of them can become final.
    ledger.apply([v.redeem(alice, alipay, 'r-2', [two as string], 1000)], BOTH);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string], 1000)], BOTH, 'TX_VOUCHER_SPENT');
  });

  it('TX_VOUCHER_REQUEST_REDEEMED: a retry with the same request id charges once; the identical transaction is TX_DUPLICATE', () => {
    const { ledger, alice: [two, three] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 1000, REQUEST_EXPIRY)], BOTH);
    const first = v.redeem(alice, octopus, 'r-1', [two as string], 1000);
    ledger.apply([first], BOTH);
    const error = expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [three as string], 1000)], BOTH, 'TX_VOUCHER_REQUEST_REDEEMED', /already paid .*nothing was charged again/);
    expect(error.details['redemption']).toBe(hash(first));
    expectRefused(ledger, [first], BOTH + 1000, 'TX_DUPLICATE');
    // Retried in the same block with a fresh nonce: refused, not double-charged.
    const fresh = withApproved();
    fresh.ledger.apply([v.request(octopus, 'r-1', 1000, REQUEST_EXPIRY)], BOTH);
    expectRefused(fresh.ledger, [v.redeem(alice, octopus, 'r-1', [fresh.alice[0] as string], 1000), v.redeem(alice, octopus, 'r-1', [fresh.alice[1] as string], 1000, 'retry')], BOTH, 'TX_VOUCHER_REQUEST_REDEEMED');
    expect(balance(ledger, alice, BOTH)).toBe(300_000);
  });

  it('TX_VOUCHER_NOT_RELEASED before the release time; TX_VOUCHER_EXPIRED at and after the expiry', () => {
    const { ledger, alice: [two, three] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 1000, REQUEST_EXPIRY)], BEFORE_RELEASE);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string], 1000)], BEFORE_RELEASE, 'TX_VOUCHER_NOT_RELEASED', /released at 2026-01-01T01:00:00Z/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [three as string], 1000)], FIRST, 'TX_VOUCHER_NOT_RELEASED', /released at 2026-01-01T10:00:00Z/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [three as string], 1000)], T0 + 50 * HOUR_MS, 'TX_VOUCHER_EXPIRED', /expired at 2026-01-03T02:00:00Z/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [three as string], 1000)], AFTER_SECOND_EXPIRY, 'TX_VOUCHER_EXPIRED');
    // At the release millisecond it can be spent.
    ledger.apply([v.redeem(alice, octopus, 'r-1', [three as string], 1000)], T0 + 10 * HOUR_MS);
  });

  it('TX_VOUCHER_REQUEST_EXPIRED, TX_VOUCHER_REQUEST_UNKNOWN', () => {
    const { ledger, alice: [two] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 1000, BOTH + 1000)], BOTH);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string], 1000)], BOTH + 1000, 'TX_VOUCHER_REQUEST_EXPIRED', /ask the operator for a new one/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-9', [two as string], 1000)], BOTH, 'TX_VOUCHER_REQUEST_UNKNOWN', /check the code/);
    expectRefused(ledger, [v.redeem(alice, alipay, 'r-1', [two as string], 1000)], BOTH, 'TX_VOUCHER_REQUEST_UNKNOWN');
  });

  it('TX_VOUCHER_AMOUNT_MISMATCH: a redemption that does not match its request', () => {
    const { ledger, alice: [two] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 12_050, REQUEST_EXPIRY)], BOTH);
    for (const amount of [12_049, 12_051, 1]) {
      expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string], amount)], BOTH, 'TX_VOUCHER_AMOUNT_MISMATCH', /the request is for HK\$120\.50; pay the requested amount/);
    }
  });

  it('TX_VOUCHER_OPERATOR_SUSPENDED: paying a suspended operator, even with a request made before the suspension', () => {
    const { ledger, alice: [two] } = withApproved();
    ledger.apply([v.request(alipay, 'r-1', 1000, REQUEST_EXPIRY)], BOTH);
    ledger.apply([v.suspend(alipay)], BOTH);
    expectRefused(ledger, [v.redeem(alice, alipay, 'r-1', [two as string], 1000)], BOTH, 'TX_VOUCHER_OPERATOR_SUSPENDED', /Pay at another operator/);
  });

  it('TX_UNAUTHORIZED: an operator that is also a resident cannot pay itself', () => {
    const ledger = withProgramme();
    const apply = v.apply(alipay, ALICE);
    ledger.apply([apply], T0 + 600);
    const approve = v.approve(hash(apply), 'A123456(7)');
    ledger.apply([approve, v.request(alipay, 'self', 1000, REQUEST_EXPIRY)], BOTH);
    expectRefused(ledger, [v.redeem(alipay, alipay, 'self', [voucherId(hash(approve), 0)], 1000)], BOTH, 'TX_UNAUTHORIZED', /cannot pay itself/);
  });

  it('TX_VOUCHER_INSUFFICIENT, TX_VOUCHER_TOO_MANY, TX_VOUCHER_UNKNOWN, a voucher listed twice', () => {
    const { ledger, alice: [two, three] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 250_000, REQUEST_EXPIRY), v.request(octopus, 'r-2', 1000, REQUEST_EXPIRY)], BOTH);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string], 250_000)], BOTH, 'TX_VOUCHER_INSUFFICIENT', /hold HK\$2,000\.00, less than the HK\$2,500\.00 requested; add vouchers/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-2', [two as string, three as string], 1000)], BOTH, 'TX_VOUCHER_TOO_MANY', /leave out the ones it does not need/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-2', ['f'.repeat(64)], 1000)], BOTH, 'TX_VOUCHER_UNKNOWN');
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [two as string, two as string], 250_000)], BOTH, 'TX_INVALID_PAYLOAD', /listed twice/);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', [], 250_000)], BOTH, 'TX_INVALID_PAYLOAD', /payload\.vouchers/);
  });

  it('TX_VOUCHER_PENDING: change cannot be spent before the operator accepts the payment it came from', () => {
    const { ledger, alice: [, three] } = withApproved();
    const redemption = pay(ledger, 'r-1', [three as string], 1000);
    ledger.apply([v.request(octopus, 'r-2', 500, REQUEST_EXPIRY)], BOTH);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-2', [voucherId(redemption, 0)], 500)], BOTH, 'TX_VOUCHER_PENDING', /wait for the acceptance/);
    ledger.apply([v.accept(octopus, redemption)], BOTH);
    ledger.apply([v.redeem(alice, octopus, 'r-2', [voucherId(redemption, 0)], 500)], BOTH);
  });
});

describe('non-transferability', () => {
  it('TX_VOUCHER_NOT_OWNER: another resident cannot spend, and so cannot take, your voucher', () => {
    const { ledger, alice: [two] } = withApproved();
    ledger.apply([v.request(octopus, 'r-1', 1000, REQUEST_EXPIRY)], BOTH);
    for (const thief of [bob, carol, authority, reviewer]) {
      expectRefused(ledger, [v.tx(thief, 'voucher.redeem', { programme: P, request: { operator: octopus.publicKey, requestId: 'r-1' }, vouchers: [two as string], amountCents: 1000 })], BOTH, 'TX_VOUCHER_NOT_OWNER', /belongs to another resident; vouchers cannot be transferred/);
    }
    // Nor can an operator, at another operator's request.
    ledger.apply([v.request(alipay, 'r-2', 1000, REQUEST_EXPIRY)], BOTH);
    expectRefused(ledger, [v.redeem(octopus, alipay, 'r-2', [two as string], 1000)], BOTH, 'TX_VOUCHER_NOT_OWNER');
  });

  it('a resident cannot act as an operator to receive vouchers: requests need a registered operator, and only an authority registers', () => {
    const { ledger } = withApproved();
    expectRefused(ledger, [v.request(bob, 'gift', 200_000, REQUEST_EXPIRY)], BOTH, 'TX_VOUCHER_OPERATOR_UNKNOWN');
    expectRefused(ledger, [v.register(bob, 'Bob Ltd', bob)], BOTH, 'TX_UNAUTHORIZED');
  });

  it('no payload can name a recipient: a `to`, `owner` or `recipient` field is refused by every voucher type that moves value', () => {
    const { ledger, alice: [two] } = withApproved();
    const redemption = pay(ledger, 'r-1', [two as string], 1000);
    ledger.apply([v.accept(octopus, redemption)], BOTH);
    const bases: [TestKey, string, Record<string, unknown>][] = [
      [alice, 'voucher.redeem', { programme: P, request: { operator: octopus.publicKey, requestId: 'r-1' }, vouchers: [two], amountCents: 1000 }],
      [octopus, 'voucher.refund', { programme: P, redemption }],
      [octopus, 'voucher.decline', { programme: P, redemption }],
      [octopus, 'voucher.accept', { programme: P, redemption }],
    ];
    for (const [signer, type, base] of bases) {
      for (const field of ['to', 'owner', 'recipient']) {
        expectRefused(ledger, [v.tx(signer, type, { ...base, [field]: bob.publicKey } as never)], BOTH, 'TX_INVALID_PAYLOAD');
      }
    }
  });

  it('after a whole life cycle every voucher is owned by the resident it was first issued to', () => {
    const { ledger, alice: a, bob: b } = withApproved();
    const r1 = pay(ledger, 'r-1', [a[1] as string], 12_050);
    ledger.apply([v.accept(octopus, r1)], BOTH);
    ledger.apply([v.refund(octopus, r1)], BOTH);
    ledger.apply([v.request(alipay, 'r-2', 5000, REQUEST_EXPIRY), v.redeem(bob, alipay, 'r-2', [b[0] as string], 5000)], BOTH);
    const owners = [...ledger.state].filter(([k]) => k.startsWith(`voucher/${P}/voucher/`)).map(([, value]) => (JSON.parse(value) as Voucher).owner);
    expect(new Set(owners)).toEqual(new Set([alice.publicKey, bob.publicKey]));
    for (const id of readWallet(ledger.reader, P, alice.publicKey)) expect(voucher(ledger, id).owner).toBe(alice.publicKey);
    for (const id of readWallet(ledger.reader, P, bob.publicKey)) expect(voucher(ledger, id).owner).toBe(bob.publicKey);
  });
});

describe('voucher.accept and voucher.decline', () => {
  it('accept marks the redemption accepted', () => {
    const { ledger, alice: [two] } = withApproved();
    const redemption = pay(ledger, 'r-1', [two as string], 1000);
    const accept = v.accept(octopus, redemption);
    ledger.apply([accept], BOTH);
    expect(readRedemption(ledger.reader, P, redemption)).toMatchObject({ status: 'accepted', statusTx: hash(accept) });
  });

  it('decline restores the consumed vouchers and removes the change; the request stays paid', () => {
    const { ledger, alice: ids } = withApproved();
    const before = ids.map((id) => voucher(ledger, id));
    const redemption = pay(ledger, 'r-1', ids, 450_000);
    ledger.apply([v.decline(octopus, redemption)], BOTH);
    expect(ids.map((id) => voucher(ledger, id))).toEqual(before);
    expect(ledger.state.has(`voucher/${P}/voucher/${voucherId(redemption, 0)}`)).toBe(false);
    expect(readWallet(ledger.reader, P, alice.publicKey)).toEqual(ids);
    expect(readRedemption(ledger.reader, P, redemption)).toMatchObject({ status: 'declined', change: null });
    expect(balance(ledger, alice, BOTH)).toBe(500_000);
    expectRefused(ledger, [v.redeem(alice, octopus, 'r-1', ids, 450_000, 'again')], BOTH, 'TX_VOUCHER_REQUEST_REDEEMED');
  });

  it('TX_UNAUTHORIZED: only the operator that was paid; TX_VOUCHER_REDEMPTION_DECIDED: a second decision', () => {
    const { ledger, alice: [two] } = withApproved();
    const redemption = pay(ledger, 'r-1', [two as string], 1000);
    for (const signer of [alipay, alice, authority]) {
      expectRefused(ledger, [v.accept(signer, redemption)], BOTH, 'TX_UNAUTHORIZED', /Only the operator the redemption paid may accept/);
      expectRefused(ledger, [v.decline(signer, redemption)], BOTH, 'TX_UNAUTHORIZED');
    }
    ledger.apply([v.accept(octopus, redemption)], BOTH);
    expectRefused(ledger, [v.decline(octopus, redemption)], BOTH, 'TX_VOUCHER_REDEMPTION_DECIDED', /already accepted; it cannot be declined/);
    expectRefused(ledger, [v.accept(octopus, redemption)], BOTH + 1, 'TX_DUPLICATE');
    expectRefused(ledger, [v.tx(octopus, 'voucher.accept', { programme: P, redemption }, 'again')], BOTH, 'TX_VOUCHER_REDEMPTION_DECIDED');
    expectRefused(ledger, [v.accept(octopus, 'e'.repeat(64))], BOTH, 'TX_VOUCHER_REDEMPTION_UNKNOWN');
  });

  it('a suspended operator cannot accept (TX_VOUCHER_OPERATOR_SUSPENDED) but can still decline', () => {
    const { ledger, alice: [two] } = withApproved();
    const redemption = pay(ledger, 'r-1', [two as string], 1000, BOTH, alipay);
    ledger.apply([v.suspend(alipay)], BOTH);
    expectRefused(ledger, [v.accept(alipay, redemption)], BOTH, 'TX_VOUCHER_OPERATOR_SUSPENDED');
    ledger.apply([v.decline(alipay, redemption)], BOTH);
    expect(voucher(ledger, two as string).spentBy).toBeNull();
  });
});

describe('voucher.refund', () => {
  it('returns an accepted redemption’s value to the payer as a new voucher', () => {
    const { ledger, alice: [, three] } = withApproved();
    const redemption = pay(ledger, 'r-1', [three as string], 12_050);
    ledger.apply([v.accept(octopus, redemption)], BOTH);
    const refund = v.refund(octopus, redemption);
    ledger.apply([refund], BOTH);
    const id = voucherId(hash(refund), 0);
    expect(voucher(ledger, id)).toMatchObject({ owner: alice.publicKey, amountCents: 12_050, expiresAtMs: T0 + 50 * HOUR_MS, issuedBy: hash(refund), spentBy: null });
    expect(readRedemption(ledger.reader, P, redemption)).toMatchObject({ status: 'refunded', refundVoucher: id });
    expect(balance(ledger, alice, BOTH)).toBe(500_000);
  });

  it('TX_VOUCHER_REFUND_AFTER_SETTLEMENT once claimed or settled; TX_VOUCHER_NOT_REFUNDABLE when pending, declined or refunded', () => {
    const { ledger, alice: [two, three] } = withApproved();
    const r1 = pay(ledger, 'r-1', [two as string], 1000);
    expectRefused(ledger, [v.refund(octopus, r1)], BOTH, 'TX_VOUCHER_NOT_REFUNDABLE', /Only an accepted redemption can be refunded; this one is pending/);
    ledger.apply([v.accept(octopus, r1)], BOTH);
    const settle = v.settle(octopus, [r1]);
    ledger.apply([settle], BOTH);
    expectRefused(ledger, [v.refund(octopus, r1)], BOTH, 'TX_VOUCHER_REFUND_AFTER_SETTLEMENT', /claimed for settlement/);
    ledger.apply([v.confirm(hash(settle))], BOTH);
    expectRefused(ledger, [v.refund(octopus, r1)], BOTH, 'TX_VOUCHER_REFUND_AFTER_SETTLEMENT', /settled/);
    const r2 = pay(ledger, 'r-2', [three as string], 1000);
    ledger.apply([v.decline(octopus, r2)], BOTH);
    expectRefused(ledger, [v.refund(octopus, r2)], BOTH, 'TX_VOUCHER_NOT_REFUNDABLE', /declined/);
  });

  it('TX_UNAUTHORIZED: a refund by another operator; a refund twice is refused', () => {
    const { ledger, alice: [two] } = withApproved();
    const r1 = pay(ledger, 'r-1', [two as string], 1000);
    ledger.apply([v.accept(octopus, r1)], BOTH);
    expectRefused(ledger, [v.refund(alipay, r1)], BOTH, 'TX_UNAUTHORIZED');
    ledger.apply([v.refund(octopus, r1)], BOTH);
    expectRefused(ledger, [v.tx(octopus, 'voucher.refund', { programme: P, redemption: r1 }, 'again')], BOTH, 'TX_VOUCHER_NOT_REFUNDABLE', /refunded/);
  });
});

describe('voucher.settle and voucher.confirm', () => {
  it('an operator claims its accepted redemptions; an authority confirms; they are settled', () => {
    const { ledger, alice: [two, three] } = withApproved();
    const r1 = pay(ledger, 'r-1', [two as string], 12_050);
    const r2 = pay(ledger, 'r-2', [three as string], 30_000);
    ledger.apply([v.accept(octopus, r1), v.accept(octopus, r2)], BOTH);
    const settle = v.settle(octopus, [r1, r2]);
    ledger.apply([settle], BOTH);
    expect(readClaim(ledger.reader, P, hash(settle))).toEqual({ id: hash(settle), operator: octopus.publicKey, redemptions: [r1, r2], totalCents: 42_050, status: 'claimed', confirmedBy: null });
    expect(readRedemption(ledger.reader, P, r1)).toMatchObject({ status: 'claimed', claim: hash(settle) });
    const confirm = v.confirm(hash(settle));
    ledger.apply([confirm], BOTH);
    expect(readClaim(ledger.reader, P, hash(settle))).toMatchObject({ status: 'confirmed', confirmedBy: hash(confirm) });
    expect(readRedemption(ledger.reader, P, r2)?.status).toBe('settled');
  });

  it('TX_VOUCHER_NOT_SETTLEABLE: pending, declined, refunded or already claimed redemptions; TX_UNAUTHORIZED: another operator’s', () => {
    const { ledger, alice: [two, three] } = withApproved();
    const r1 = pay(ledger, 'r-1', [two as string], 1000);
    expectRefused(ledger, [v.settle(octopus, [r1])], BOTH, 'TX_VOUCHER_NOT_SETTLEABLE', /is pending; only accepted, unclaimed/);
    ledger.apply([v.accept(octopus, r1)], BOTH);
    expectRefused(ledger, [v.settle(alipay, [r1])], BOTH, 'TX_UNAUTHORIZED', /paid to another operator/);
    ledger.apply([v.settle(octopus, [r1])], BOTH);
    expectRefused(ledger, [v.tx(octopus, 'voucher.settle', { programme: P, redemptions: [r1] }, 'again')], BOTH, 'TX_VOUCHER_NOT_SETTLEABLE', /claimed/);
    const r2 = pay(ledger, 'r-2', [three as string], 1000);
    ledger.apply([v.accept(octopus, r2), v.refund(octopus, r2)], BOTH);
    expectRefused(ledger, [v.settle(octopus, [r2])], BOTH, 'TX_VOUCHER_NOT_SETTLEABLE', /refunded/);
    expectRefused(ledger, [v.settle(octopus, [r2, r2])], BOTH, 'TX_INVALID_PAYLOAD', /listed twice/);
    expectRefused(ledger, [v.settle(octopus, [])], BOTH, 'TX_INVALID_PAYLOAD');
  });

  it('TX_UNAUTHORIZED: only an authority confirms; TX_VOUCHER_CLAIM_UNKNOWN; TX_VOUCHER_CLAIM_CONFIRMED', () => {
    const { ledger, alice: [two] } = withApproved();
    const r1 = pay(ledger, 'r-1', [two as string], 1000);
    ledger.apply([v.accept(octopus, r1)], BOTH);
    const settle = v.settle(octopus, [r1]);
    ledger.apply([settle], BOTH);
    for (const signer of [octopus, reviewer]) expectRefused(ledger, [v.confirm(hash(settle), signer)], BOTH, 'TX_UNAUTHORIZED', /Only an authority may confirm a settlement/);
    expectRefused(ledger, [v.confirm('d'.repeat(64))], BOTH, 'TX_VOUCHER_CLAIM_UNKNOWN');
    ledger.apply([v.confirm(hash(settle))], BOTH);
    expectRefused(ledger, [v.tx(authority, 'voucher.confirm', { programme: P, claim: hash(settle) }, 'again')], BOTH, 'TX_VOUCHER_CLAIM_CONFIRMED');
  });
});

describe('determinism', () => {
  it('two nodes applying the same blocks hold byte-identical voucher state', () => {
    const blocks: [Transaction[], number][] = [];
    const record = (ledger: TestLedger, txs: Transaction[], timeMs: number): void => {
      ledger.apply(txs, timeMs);
      blocks.push([txs, timeMs]);
    };
    const first = new TestLedger(genesis);
    const applyA = v.apply(alice, ALICE);
    record(first, [v.programme(programme), v.register(alipay, 'AlipayHK'), applyA], T0 + 500);
    const approve = v.approve(hash(applyA), 'A123456(7)');
    record(first, [approve, v.request(octopus, 'r-1', 12_050, REQUEST_EXPIRY)], BOTH);
    const redeem = v.redeem(alice, octopus, 'r-1', [voucherId(hash(approve), 1)], 12_050);
    record(first, [redeem, v.accept(octopus, hash(redeem)), v.refund(octopus, hash(redeem))], BOTH);
    const second = new TestLedger(genesis);
    for (const [txs, timeMs] of blocks) second.apply(txs, timeMs);
    expect([...second.state]).toEqual([...first.state]);
  });
});

describe('the HK$5,000 journey', () => {
  it('apply, approve, pay HK$120.50 at Octopus, accept, settle, confirm: balances add up at every step', () => {
    const { ledger, alice: [two, three], bob: bobIds } = withApproved();
    expect(balance(ledger, alice, BOTH)).toBe(500_000);
    const redemption = pay(ledger, 'octopus-0001', [two as string], 12_050);
    ledger.apply([v.accept(octopus, redemption)], BOTH);
    expect(balance(ledger, alice, BOTH)).toBe(500_000 - 12_050);
    expect(spendableVouchers(ledger.reader, P, alice.publicKey, BOTH).vouchers.map((x) => x.id)).toEqual([three, voucherId(redemption, 0)]);
    expect(balance(ledger, bob, BOTH)).toBe(500_000);
    expect(bobIds).toHaveLength(2);
    const settle = v.settle(octopus, [redemption]);
    ledger.apply([settle, v.confirm(hash(settle))], BOTH);
    expect(readRedemption(ledger.reader, P, redemption)?.status).toBe('settled');
    // After the second instalment expires only the first's change remains.
    expect(balance(ledger, alice, AFTER_SECOND_EXPIRY)).toBe(200_000 - 12_050);
  });
});
