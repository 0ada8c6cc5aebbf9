/**
 * Vouchers (DESIGN.md §6): programme, operator, apply, decide, request, redeem, accept, decline, refund,
 * settle, confirm. One rule per type. Money is integer cents; times are block times in ms. The state they
 * keep, by programme id p (values are JSON):
 *   voucher/programmes                      the programme ids, in order of creation
 *   voucher/<p>                             the programme as created (immutable)
 *   voucher/<p>/operator/<key>              {name, status: active|suspended, since}: an operator
 *   voucher/<p>/applicant/<key>             {application, status}: the applicant key's latest application
 *   voucher/<p>/application/<tx>            {applicant, sealed, status: pending|approved|denied, decision, reason}
 *   voucher/<p>/identity/<identityHash>     the approving decision's transaction hash (one grant a person)
 *   voucher/<p>/voucher/<id>                Voucher: owner, amount, release, expiry, spentBy
 *   voucher/<p>/wallet/<key>                the ids of every voucher ever issued to the key, in order
 *   voucher/<p>/request/<operator>/<rid>    PaymentRequest, with the redemption that paid it
 *   voucher/<p>/redemption/<tx>             Redemption: payer, request, consumed, change, status
 *   voucher/<p>/claim/<tx>                  SettlementClaim: operator, redemptions, total, status
 * Nothing here is personal data: an applicant is a public key, their details are sealed to the reviewers
 * (vouchers/seal.ts), and an approval names a person only by a keyed hash of their identity number.
 *
 * Non-transferability: a voucher's owner is set when it is issued (to the applicant at approval, to the
 * payer as change or refund) and never changed; no transaction names another resident as a recipient.
 */
import { z } from 'zod';
import { CivichainError } from '../errors';
import { HEX_32 } from '../crypto/ed25519';
import { hashCanonical } from '../encoding/hash';
import type { Transaction } from '../ledger/transaction';
import { BASE64URL_12, BASE64URL_32, TAG_BYTES, isLowOrderKey } from '../vouchers/seal';
import type { RuleContext, StateReader, TxRule } from './types';

export const PROGRAMME_ID = /^[a-z0-9][a-z0-9-]{2,47}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;
const REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Largest sealed application: 4 KiB of details, base64url. */
const MAX_SEALED_CHARS = 5600;
/** Most vouchers one redemption may consume. */
export const MAX_VOUCHERS_PER_REDEMPTION = 64;
export const MAX_REDEMPTIONS_PER_CLAIM = 1000;

const programmeId = z.string().regex(PROGRAMME_ID, 'must be 3–48 characters of a–z, 0–9 and -');
const publicKey = z.string().regex(HEX_32, 'must be an Ed25519 public key in hex');
const cents = z.number().int().positive().max(1_000_000_000_00);
const timeMs = z.number().int().nonnegative();

const instalment = z.object({ amountCents: cents, releaseAtMs: timeMs, expiresAtMs: timeMs }).strict();

const programmeSchema = z
  .object({
    id: programmeId,
    title: z.string().min(1).max(200),
    amountPerPersonCents: cents,
    instalments: z.array(instalment).min(1).max(24),
    operators: z.array(publicKey).max(1000),
    reviewersSealingKey: z.string().regex(BASE64URL_32, 'must be an X25519 public key: 32 bytes in base64url'),
    reviewers: z.array(publicKey).min(1).max(1000),
  })
  .strict();
export type VoucherProgramme = z.infer<typeof programmeSchema>;

const operatorSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('register'), programme: programmeId, operator: publicKey, name: z.string().min(1).max(120) }).strict(),
  z.object({ action: z.literal('suspend'), programme: programmeId, operator: publicKey }).strict(),
]);

const sealedSchema = z
  .object({
    recipient: z.string().regex(BASE64URL_32, 'must be 32 bytes in base64url'),
    ephemeralPublicKey: z.string().regex(BASE64URL_32, 'must be 32 bytes in base64url'),
    nonce: z.string().regex(BASE64URL_12, 'must be 12 bytes in base64url'),
    ciphertext: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url')
      .min(Math.ceil((TAG_BYTES * 4) / 3) + 1)
      .max(MAX_SEALED_CHARS),
  })
  .strict();
const applySchema = z.object({ programme: programmeId, sealed: sealedSchema }).strict();

const decideSchema = z.discriminatedUnion('decision', [
  z.object({ programme: programmeId, application: z.string().regex(HEX_HASH), decision: z.literal('approve'), identityHash: z.string().regex(HEX_HASH, 'must be an HMAC-SHA256 in lower-case hex') }).strict(),
  z.object({ programme: programmeId, application: z.string().regex(HEX_HASH), decision: z.literal('deny'), reason: z.string().trim().min(1, 'a denial needs a reason').max(500) }).strict(),
]);

const requestSchema = z
  .object({ programme: programmeId, requestId: z.string().regex(REQUEST_ID, 'must be 1–64 characters of A–Z, a–z, 0–9, _ and -'), amountCents: cents, reference: z.string().max(200), expiresAtMs: timeMs })
  .strict();

const requestRef = z.object({ operator: publicKey, requestId: z.string().regex(REQUEST_ID) }).strict();
const redeemSchema = z
  .object({ programme: programmeId, request: requestRef, vouchers: z.array(z.string().regex(HEX_HASH)).min(1).max(MAX_VOUCHERS_PER_REDEMPTION), amountCents: cents })
  .strict();
const redemptionRef = z.object({ programme: programmeId, redemption: z.string().regex(HEX_HASH) }).strict();
const declineSchema = redemptionRef.extend({ reason: z.string().max(500).optional() }).strict();
const settleSchema = z.object({ programme: programmeId, redemptions: z.array(z.string().regex(HEX_HASH)).min(1).max(MAX_REDEMPTIONS_PER_CLAIM) }).strict();
const confirmSchema = z.object({ programme: programmeId, claim: z.string().regex(HEX_HASH) }).strict();

export interface OperatorRecord {
  readonly name: string | null;
  readonly status: 'active' | 'suspended';
  /** The transaction that registered, suspended or reinstated it last. */
  readonly since: string;
}
export interface ApplicantRecord {
  readonly application: string;
  readonly status: ApplicationStatus;
}
export type ApplicationStatus = 'pending' | 'approved' | 'denied';
export interface ApplicationRecord {
  readonly applicant: string;
  readonly sealed: z.infer<typeof sealedSchema>;
  readonly appliedAtMs: number;
  readonly status: ApplicationStatus;
  readonly decision: string | null;
  readonly reason: string | null;
}
export interface Voucher {
  readonly id: string;
  readonly owner: string;
  readonly amountCents: number;
  readonly releaseAtMs: number;
  readonly expiresAtMs: number;
  /** The approval, redemption (change) or refund that issued it. */
  readonly issuedBy: string;
  /** The redemption that consumed it, or null while it can be spent. */
  readonly spentBy: string | null;
  /** Change from a redemption the operator has not accepted yet: not spendable until then. */
  readonly pendingRedemption: string | null;
}
export interface PaymentRequest {
  readonly operator: string;
  readonly requestId: string;
  readonly amountCents: number;
  readonly reference: string;
  readonly expiresAtMs: number;
  readonly createdBy: string;
  /** The redemption that paid it; a request is paid at most once. */
  readonly redemption: string | null;
}
export type RedemptionStatus = 'pending' | 'accepted' | 'declined' | 'refunded' | 'claimed' | 'settled';
export interface Redemption {
  readonly id: string;
  readonly payer: string;
  readonly operator: string;
  readonly requestId: string;
  readonly amountCents: number;
  readonly consumed: readonly string[];
  readonly change: string | null;
  readonly status: RedemptionStatus;
  readonly redeemedAtMs: number;
  /** The accept, decline, refund or claim transaction that set the status. */
  readonly statusTx: string | null;
  readonly refundVoucher: string | null;
  readonly claim: string | null;
}
export interface SettlementClaim {
  readonly id: string;
  readonly operator: string;
  readonly redemptions: readonly string[];
  readonly totalCents: number;
  readonly status: 'claimed' | 'confirmed';
  readonly confirmedBy: string | null;
}

export const VOUCHER_PROGRAMMES_KEY = 'voucher/programmes';
export const programmeKey = (p: string): string => `voucher/${p}`;
export const operatorKey = (p: string, key: string): string => `voucher/${p}/operator/${key}`;
export const applicantKey = (p: string, key: string): string => `voucher/${p}/applicant/${key}`;
export const applicationKey = (p: string, tx: string): string => `voucher/${p}/application/${tx}`;
export const identityKey = (p: string, hash: string): string => `voucher/${p}/identity/${hash}`;
export const voucherKey = (p: string, id: string): string => `voucher/${p}/voucher/${id}`;
export const walletKey = (p: string, key: string): string => `voucher/${p}/wallet/${key}`;
export const requestKey = (p: string, operator: string, requestId: string): string => `voucher/${p}/request/${operator}/${requestId}`;
export const redemptionKey = (p: string, tx: string): string => `voucher/${p}/redemption/${tx}`;
export const claimKey = (p: string, tx: string): string => `voucher/${p}/claim/${tx}`;

/** A voucher's id: SHA-256 of JCS(["civichain/v1/voucher", issuing tx hash, index]), hex. */
export function voucherId(issuingTx: string, index: number): string {
  return hashCanonical(['civichain/v1/voucher', issuingTx, index]);
}

function readJson<T>(state: StateReader, key: string): T | null {
  const stored = state.get(key);
  return stored === null ? null : (JSON.parse(stored) as T);
}

export const readProgramme = (state: StateReader, p: string): VoucherProgramme | null => readJson(state, programmeKey(p));
export const readOperator = (state: StateReader, p: string, key: string): OperatorRecord | null => readJson(state, operatorKey(p, key));
export const readApplication = (state: StateReader, p: string, tx: string): ApplicationRecord | null => readJson(state, applicationKey(p, tx));
export const readVoucher = (state: StateReader, p: string, id: string): Voucher | null => readJson(state, voucherKey(p, id));
export const readRequest = (state: StateReader, p: string, operator: string, requestId: string): PaymentRequest | null => readJson(state, requestKey(p, operator, requestId));
export const readRedemption = (state: StateReader, p: string, tx: string): Redemption | null => readJson(state, redemptionKey(p, tx));
export const readClaim = (state: StateReader, p: string, tx: string): SettlementClaim | null => readJson(state, claimKey(p, tx));
export const listProgrammeIds = (state: StateReader): string[] => readJson<string[]>(state, VOUCHER_PROGRAMMES_KEY) ?? [];
export const readWallet = (state: StateReader, p: string, key: string): string[] => readJson<string[]>(state, walletKey(p, key)) ?? [];

/** The vouchers a key holds that are unspent, released and unexpired at `timeMs`, and their total. */
export function spendableVouchers(state: StateReader, p: string, owner: string, timeMs: number): { vouchers: Voucher[]; totalCents: number } {
  const vouchers = readWallet(state, p, owner)
    .map((id) => readVoucher(state, p, id))
    .filter((v): v is Voucher => v !== null && v.spentBy === null && v.pendingRedemption === null && v.releaseAtMs <= timeMs && timeMs < v.expiresAtMs);
  return { vouchers, totalCents: vouchers.reduce((sum, v) => sum + v.amountCents, 0) };
}

type Write = (key: string, value: string | null) => void;
const put = (write: Write, key: string, value: unknown): void => write(key, JSON.stringify(value));

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new CivichainError(code, message, details);
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function money(amountCents: number): string {
  // Grouped by hand, not by locale: the same message on every node, whatever its ICU data.
  const dollars = String(Math.floor(amountCents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `HK$${dollars}.${String(amountCents % 100).padStart(2, '0')}`;
}

function isAuthority(context: RuleContext, signer: string): boolean {
  return context.genesis.authorities.some((a) => a.publicKey === signer);
}

function requireAuthority(context: RuleContext, tx: Transaction, what: string): void {
  if (!isAuthority(context, tx.signer)) fail('TX_UNAUTHORIZED', `Only an authority may ${what}.`, { signer: tx.signer });
}

function programmeOf(context: RuleContext, p: string): VoucherProgramme {
  const programme = readProgramme(context.state, p);
  if (!programme) fail('TX_VOUCHER_PROGRAMME_UNKNOWN', `There is no voucher programme "${p}" on this chain; check the programme id.`, { programme: p });
  return programme;
}

/** The operator, registered and not suspended: a suspended operator may not take new payments. */
function activeOperator(context: RuleContext, p: string, key: string, what: string): OperatorRecord {
  const operator = readOperator(context.state, p, key);
  if (!operator) fail('TX_VOUCHER_OPERATOR_UNKNOWN', `${key.slice(0, 12)}… is not a registered operator of programme "${p}"; ${what} is not possible.`, { programme: p, operator: key });
  if (operator.status === 'suspended') {
    fail('TX_VOUCHER_OPERATOR_SUSPENDED', `Operator ${operator.name ?? key.slice(0, 12) + '…'} is suspended in programme "${p}"; ${what} is not possible. Pay at another operator.`, {
      programme: p,
      operator: key,
    });
  }
  return operator;
}

function redemptionOf(context: RuleContext, p: string, id: string): Redemption {
  const redemption = readRedemption(context.state, p, id);
  if (!redemption) fail('TX_VOUCHER_REDEMPTION_UNKNOWN', `There is no redemption ${id.slice(0, 12)}… in programme "${p}".`, { programme: p, redemption: id });
  return redemption;
}

function requireRequestOperator(tx: Transaction, redemption: Redemption, what: string): void {
  if (tx.signer !== redemption.operator) {
    fail('TX_UNAUTHORIZED', `Only the operator the redemption paid may ${what} it.`, { signer: tx.signer, redemption: redemption.id });
  }
}

function issue(write: Write, context: RuleContext, p: string, voucher: Voucher): void {
  put(write, voucherKey(p, voucher.id), voucher);
  put(write, walletKey(p, voucher.owner), [...readWallet(context.state, p, voucher.owner), voucher.id]);
}

export const voucherProgrammeRule: TxRule<VoucherProgramme> = {
  type: 'voucher.programme',
  payload: programmeSchema,
  check(context, tx, payload) {
    requireAuthority(context, tx, 'create a voucher programme');
    if (readProgramme(context.state, payload.id)) {
      fail('TX_VOUCHER_PROGRAMME_EXISTS', `A voucher programme with the id "${payload.id}" already exists; choose another id.`, { programme: payload.id });
    }
    // Every instalment together is what one person receives: no more, no less.
    const total = payload.instalments.reduce((sum, i) => sum + i.amountCents, 0);
    if (total !== payload.amountPerPersonCents) {
      fail('TX_INVALID_PAYLOAD', `The instalments add up to ${total} cents, not the ${payload.amountPerPersonCents} cents per person; make them equal.`, { field: 'payload.instalments' });
    }
    payload.instalments.forEach((i, index) => {
      if (i.expiresAtMs <= i.releaseAtMs) fail('TX_INVALID_PAYLOAD', `Instalment ${index + 1} must expire after it is released.`, { field: `payload.instalments.${index}.expiresAtMs` });
      if (i.expiresAtMs <= context.blockTimeMs) fail('TX_INVALID_PAYLOAD', `Instalment ${index + 1} has already expired.`, { field: `payload.instalments.${index}.expiresAtMs` });
    });
    if (new Set(payload.operators).size !== payload.operators.length) fail('TX_INVALID_PAYLOAD', 'An operator is listed twice.', { field: 'payload.operators' });
    if (new Set(payload.reviewers).size !== payload.reviewers.length) fail('TX_INVALID_PAYLOAD', 'A reviewer is listed twice.', { field: 'payload.reviewers' });
    if (isLowOrderKey(payload.reviewersSealingKey)) {
      fail('TX_INVALID_PAYLOAD', 'The reviewers\' sealing key is a low-order X25519 point; generate a real key pair.', { field: 'payload.reviewersSealingKey' });
    }
  },
  apply(context, _tx, payload, write) {
    put(write, programmeKey(payload.id), payload);
    put(write, VOUCHER_PROGRAMMES_KEY, [...listProgrammeIds(context.state), payload.id]);
    for (const key of payload.operators) put(write, operatorKey(payload.id, key), { name: null, status: 'active', since: context.txHash } satisfies OperatorRecord);
  },
};

export const voucherOperatorRule: TxRule<z.infer<typeof operatorSchema>> = {
  type: 'voucher.operator',
  payload: operatorSchema,
  check(context, tx, payload) {
    requireAuthority(context, tx, `${payload.action} a payment operator`);
    programmeOf(context, payload.programme);
    const operator = readOperator(context.state, payload.programme, payload.operator);
    if (payload.action === 'register') {
      // Registering a suspended operator reinstates it; an active one is already registered.
      if (operator?.status === 'active') {
        fail('TX_VOUCHER_OPERATOR_EXISTS', `This operator is already registered in programme "${payload.programme}".`, { programme: payload.programme, operator: payload.operator });
      }
    } else if (!operator) {
      fail('TX_VOUCHER_OPERATOR_UNKNOWN', `${payload.operator.slice(0, 12)}… is not an operator of programme "${payload.programme}"; there is nothing to suspend.`, {
        programme: payload.programme,
        operator: payload.operator,
      });
    } else if (operator.status === 'suspended') {
      fail('TX_VOUCHER_OPERATOR_SUSPENDED', `This operator is already suspended in programme "${payload.programme}".`, { programme: payload.programme, operator: payload.operator });
    }
  },
  apply(context, _tx, payload, write) {
    const previous = readOperator(context.state, payload.programme, payload.operator);
    const record: OperatorRecord =
      payload.action === 'register'
        ? { name: payload.name, status: 'active', since: context.txHash }
        : { name: previous?.name ?? null, status: 'suspended', since: context.txHash };
    put(write, operatorKey(payload.programme, payload.operator), record);
  },
};

export const voucherApplyRule: TxRule<z.infer<typeof applySchema>> = {
  type: 'voucher.apply',
  payload: applySchema,
  check(context, tx, payload) {
    const programme = programmeOf(context, payload.programme);
    // Sealed to any other key, the reviewers could not read it and no one should.
    if (payload.sealed.recipient !== programme.reviewersSealingKey) {
      fail('TX_VOUCHER_NOT_SEALED_TO_REVIEWERS', `The application is not sealed to the reviewers' key of programme "${programme.id}"; seal it again with the programme's key.`, {
        programme: programme.id,
      });
    }
    // A low-order ephemeral key gives an all-zero shared secret: the details would not be secret (RFC 7748 §6.1).
    if (isLowOrderKey(payload.sealed.ephemeralPublicKey)) {
      fail('TX_VOUCHER_NOT_SEALED_TO_REVIEWERS', 'The application\'s ephemeral key is a low-order X25519 point, so it is not sealed to anyone; seal it again from the wallet.', {
        programme: programme.id,
      });
    }
    const lastExpiry = Math.max(...programme.instalments.map((i) => i.expiresAtMs));
    if (context.blockTimeMs >= lastExpiry) fail('TX_VOUCHER_PROGRAMME_ENDED', `Programme "${programme.id}" ended at ${time(lastExpiry)}; it takes no more applications.`, { programme: programme.id });
    const previous = readJson<ApplicantRecord>(context.state, applicantKey(programme.id, tx.signer));
    // One open application per key; a denied applicant may apply again, an approved one has their vouchers.
    if (previous?.status === 'pending') {
      fail('TX_VOUCHER_APPLICATION_OPEN', `This key already has an application in programme "${programme.id}" waiting for review; wait for the decision.`, {
        programme: programme.id,
        application: previous.application,
      });
    }
    if (previous?.status === 'approved') {
      fail('TX_VOUCHER_ALREADY_APPROVED', `This key's application to programme "${programme.id}" was approved; its vouchers are in the wallet.`, { programme: programme.id, application: previous.application });
    }
  },
  apply(context, tx, payload, write) {
    const record: ApplicationRecord = { applicant: tx.signer, sealed: payload.sealed, appliedAtMs: context.blockTimeMs, status: 'pending', decision: null, reason: null };
    put(write, applicationKey(payload.programme, context.txHash), record);
    put(write, applicantKey(payload.programme, tx.signer), { application: context.txHash, status: 'pending' } satisfies ApplicantRecord);
  },
};

export const voucherDecideRule: TxRule<z.infer<typeof decideSchema>> = {
  type: 'voucher.decide',
  payload: decideSchema,
  check(context, tx, payload) {
    const programme = programmeOf(context, payload.programme);
    if (!programme.reviewers.includes(tx.signer)) fail('TX_UNAUTHORIZED', `Only a reviewer of programme "${programme.id}" may decide applications.`, { signer: tx.signer });
    const application = readApplication(context.state, programme.id, payload.application);
    if (!application) {
      fail('TX_VOUCHER_APPLICATION_UNKNOWN', `There is no application ${payload.application.slice(0, 12)}… in programme "${programme.id}".`, { programme: programme.id, application: payload.application });
    }
    // Nobody decides their own grant.
    if (application.applicant === tx.signer) fail('TX_UNAUTHORIZED', 'A reviewer cannot decide their own application; another reviewer must.', { signer: tx.signer });
    if (application.status !== 'pending') {
      fail('TX_VOUCHER_APPLICATION_DECIDED', `This application was already ${application.status}; a decision is final.`, { programme: programme.id, application: payload.application, status: application.status });
    }
    if (payload.decision === 'approve') {
      // One person, one grant: the keyed hash of the identity number is approved once, whatever the key.
      const approved = context.state.get(identityKey(programme.id, payload.identityHash));
      if (approved !== null) {
        fail('TX_VOUCHER_IDENTITY_APPROVED', `This identity number was already approved in programme "${programme.id}" (under another application); deny this one.`, {
          programme: programme.id,
          decision: JSON.parse(approved) as string,
        });
      }
    }
  },
  apply(context, _tx, payload, write) {
    const p = payload.programme;
    const programme = readProgramme(context.state, p) as VoucherProgramme;
    const application = readApplication(context.state, p, payload.application) as ApplicationRecord;
    const status: ApplicationStatus = payload.decision === 'approve' ? 'approved' : 'denied';
    put(write, applicationKey(p, payload.application), { ...application, status, decision: context.txHash, reason: payload.decision === 'deny' ? payload.reason : null } satisfies ApplicationRecord);
    put(write, applicantKey(p, application.applicant), { application: payload.application, status } satisfies ApplicantRecord);
    if (payload.decision !== 'approve') return;
    put(write, identityKey(p, payload.identityHash), context.txHash);
    // Approval issues one voucher per instalment to the applicant's key, in the same transaction.
    const ids = programme.instalments.map((instalment, index) => {
      const voucher: Voucher = {
        id: voucherId(context.txHash, index),
        owner: application.applicant,
        amountCents: instalment.amountCents,
        releaseAtMs: instalment.releaseAtMs,
        expiresAtMs: instalment.expiresAtMs,
        issuedBy: context.txHash,
        spentBy: null,
        pendingRedemption: null,
      };
      put(write, voucherKey(p, voucher.id), voucher);
      return voucher.id;
    });
    put(write, walletKey(p, application.applicant), [...readWallet(context.state, p, application.applicant), ...ids]);
  },
};

export const voucherRequestRule: TxRule<z.infer<typeof requestSchema>> = {
  type: 'voucher.request',
  payload: requestSchema,
  check(context, tx, payload) {
    const programme = programmeOf(context, payload.programme);
    activeOperator(context, programme.id, tx.signer, 'creating a payment request');
    if (readRequest(context.state, programme.id, tx.signer, payload.requestId)) {
      fail('TX_VOUCHER_REQUEST_EXISTS', `Payment request "${payload.requestId}" already exists; use a new request id for a new payment.`, { programme: programme.id, requestId: payload.requestId });
    }
    if (payload.amountCents > programme.amountPerPersonCents) {
      fail('TX_INVALID_PAYLOAD', `A payment of ${money(payload.amountCents)} is more than anyone receives in programme "${programme.id}" (${money(programme.amountPerPersonCents)}).`, {
        field: 'payload.amountCents',
      });
    }
    if (payload.expiresAtMs <= context.blockTimeMs) fail('TX_INVALID_PAYLOAD', 'The payment request expires before it could be paid; give it a later expiry.', { field: 'payload.expiresAtMs' });
  },
  apply(context, tx, payload, write) {
    const request: PaymentRequest = {
      operator: tx.signer,
      requestId: payload.requestId,
      amountCents: payload.amountCents,
      reference: payload.reference,
      expiresAtMs: payload.expiresAtMs,
      createdBy: context.txHash,
      redemption: null,
    };
    put(write, requestKey(payload.programme, tx.signer, payload.requestId), request);
  },
};

export const voucherRedeemRule: TxRule<z.infer<typeof redeemSchema>> = {
  type: 'voucher.redeem',
  payload: redeemSchema,
  check(context, tx, payload) {
    const p = programmeOf(context, payload.programme).id;
    const { operator, requestId } = payload.request;
    const request = readRequest(context.state, p, operator, requestId);
    if (!request) fail('TX_VOUCHER_REQUEST_UNKNOWN', `There is no payment request "${requestId}" from this operator; check the code you scanned or entered.`, { programme: p, requestId });
    // A request is paid once: a retry (after a timeout, say) finds it paid and charges nothing more.
    if (request.redemption !== null) {
      fail('TX_VOUCHER_REQUEST_REDEEMED', `Payment request "${requestId}" is already paid (redemption ${request.redemption.slice(0, 12)}…); nothing was charged again.`, {
        programme: p,
        requestId,
        redemption: request.redemption,
      });
    }
    activeOperator(context, p, operator, 'paying this operator');
    // An operator paid with its own vouchers would turn them into a settlement claim on the government.
    if (operator === tx.signer) fail('TX_UNAUTHORIZED', 'An operator cannot pay itself with vouchers; pay at another operator.', { signer: tx.signer });
    if (context.blockTimeMs >= request.expiresAtMs) {
      fail('TX_VOUCHER_REQUEST_EXPIRED', `Payment request "${requestId}" expired at ${time(request.expiresAtMs)}; ask the operator for a new one.`, { programme: p, requestId });
    }
    if (payload.amountCents !== request.amountCents) {
      fail('TX_VOUCHER_AMOUNT_MISMATCH', `The redemption is for ${money(payload.amountCents)} but the request is for ${money(request.amountCents)}; pay the requested amount.`, {
        programme: p,
        requestId,
        requestCents: request.amountCents,
        amountCents: payload.amountCents,
      });
    }
    if (new Set(payload.vouchers).size !== payload.vouchers.length) fail('TX_INVALID_PAYLOAD', 'A voucher is listed twice.', { field: 'payload.vouchers' });
    let total = 0;
    let smallest = Number.MAX_SAFE_INTEGER;
    for (const id of payload.vouchers) {
      const voucher = readVoucher(context.state, p, id);
      const details = { programme: p, voucher: id };
      if (!voucher) fail('TX_VOUCHER_UNKNOWN', `There is no voucher ${id.slice(0, 12)}… in programme "${p}".`, details);
      // Non-transferable: only the key it was issued to can spend it.
      if (voucher.owner !== tx.signer) fail('TX_VOUCHER_NOT_OWNER', `Voucher ${id.slice(0, 12)}… belongs to another resident; vouchers cannot be transferred or spent by anyone else.`, details);
      if (voucher.spentBy !== null) fail('TX_VOUCHER_SPENT', `Voucher ${id.slice(0, 12)}… is already spent (redemption ${voucher.spentBy.slice(0, 12)}…); pay with another voucher.`, { ...details, spentBy: voucher.spentBy });
      if (voucher.pendingRedemption !== null) {
        fail('TX_VOUCHER_PENDING', `Voucher ${id.slice(0, 12)}… is change from a payment the operator has not accepted yet; wait for the acceptance or pay with another voucher.`, details);
      }
      if (context.blockTimeMs < voucher.releaseAtMs) fail('TX_VOUCHER_NOT_RELEASED', `Voucher ${id.slice(0, 12)}… is released at ${time(voucher.releaseAtMs)}; it cannot be spent before then.`, details);
      if (context.blockTimeMs >= voucher.expiresAtMs) fail('TX_VOUCHER_EXPIRED', `Voucher ${id.slice(0, 12)}… expired at ${time(voucher.expiresAtMs)}; it can no longer be spent.`, details);
      total += voucher.amountCents;
      smallest = Math.min(smallest, voucher.amountCents);
    }
    if (total < payload.amountCents) {
      fail('TX_VOUCHER_INSUFFICIENT', `The vouchers given hold ${money(total)}, less than the ${money(payload.amountCents)} requested; add vouchers.`, { programme: p, totalCents: total });
    }
    // Whole vouchers are consumed; one that the payment does not need would only be turned into change.
    if (payload.vouchers.length > 1 && total - smallest >= payload.amountCents) {
      fail('TX_VOUCHER_TOO_MANY', 'The payment does not need every voucher given; leave out the ones it does not need.', { programme: p, totalCents: total });
    }
  },
  apply(context, tx, payload, write) {
    const p = payload.programme;
    const vouchers = payload.vouchers.map((id) => readVoucher(context.state, p, id) as Voucher);
    const total = vouchers.reduce((sum, v) => sum + v.amountCents, 0);
    for (const v of vouchers) put(write, voucherKey(p, v.id), { ...v, spentBy: context.txHash } satisfies Voucher);
    let change: string | null = null;
    if (total > payload.amountCents) {
      // Change goes back to the payer, expiring with the earliest of the vouchers it came from.
      change = voucherId(context.txHash, 0);
      issue(write, context, p, {
        id: change,
        owner: tx.signer,
        amountCents: total - payload.amountCents,
        releaseAtMs: Math.min(...vouchers.map((v) => v.releaseAtMs)),
        expiresAtMs: Math.min(...vouchers.map((v) => v.expiresAtMs)),
        issuedBy: context.txHash,
        spentBy: null,
        pendingRedemption: context.txHash,
      });
    }
    const request = readRequest(context.state, p, payload.request.operator, payload.request.requestId) as PaymentRequest;
    put(write, requestKey(p, request.operator, request.requestId), { ...request, redemption: context.txHash } satisfies PaymentRequest);
    const redemption: Redemption = {
      id: context.txHash,
      payer: tx.signer,
      operator: request.operator,
      requestId: request.requestId,
      amountCents: payload.amountCents,
      consumed: payload.vouchers,
      change,
      status: 'pending',
      redeemedAtMs: context.blockTimeMs,
      statusTx: null,
      refundVoucher: null,
      claim: null,
    };
    put(write, redemptionKey(p, context.txHash), redemption);
  },
};

function requirePending(redemption: Redemption, what: string): void {
  if (redemption.status !== 'pending') {
    fail('TX_VOUCHER_REDEMPTION_DECIDED', `This redemption is already ${redemption.status}; it cannot be ${what}.`, { redemption: redemption.id, status: redemption.status });
  }
}

export const voucherAcceptRule: TxRule<z.infer<typeof redemptionRef>> = {
  type: 'voucher.accept',
  payload: redemptionRef,
  check(context, tx, payload) {
    const redemption = redemptionOf(context, programmeOf(context, payload.programme).id, payload.redemption);
    requireRequestOperator(tx, redemption, 'accept');
    activeOperator(context, payload.programme, tx.signer, 'accepting a payment');
    requirePending(redemption, 'accepted');
  },
  apply(context, _tx, payload, write) {
    const p = payload.programme;
    const redemption = readRedemption(context.state, p, payload.redemption) as Redemption;
    put(write, redemptionKey(p, redemption.id), { ...redemption, status: 'accepted', statusTx: context.txHash } satisfies Redemption);
    if (redemption.change !== null) {
      const change = readVoucher(context.state, p, redemption.change) as Voucher;
      put(write, voucherKey(p, change.id), { ...change, pendingRedemption: null } satisfies Voucher);
    }
  },
};

export const voucherDeclineRule: TxRule<z.infer<typeof declineSchema>> = {
  type: 'voucher.decline',
  payload: declineSchema,
  check(context, tx, payload) {
    const redemption = redemptionOf(context, programmeOf(context, payload.programme).id, payload.redemption);
    // A suspended operator may still decline: that only gives the resident their vouchers back.
    requireRequestOperator(tx, redemption, 'decline');
    requirePending(redemption, 'declined');
  },
  apply(context, _tx, payload, write) {
    const p = payload.programme;
    const redemption = readRedemption(context.state, p, payload.redemption) as Redemption;
    // The consumed vouchers come back as they were; the change (never spendable while pending) goes.
    for (const id of redemption.consumed) {
      const voucher = readVoucher(context.state, p, id) as Voucher;
      put(write, voucherKey(p, id), { ...voucher, spentBy: null } satisfies Voucher);
    }
    if (redemption.change !== null) {
      write(voucherKey(p, redemption.change), null);
      put(write, walletKey(p, redemption.payer), readWallet(context.state, p, redemption.payer).filter((id) => id !== redemption.change));
    }
    put(write, redemptionKey(p, redemption.id), { ...redemption, status: 'declined', statusTx: context.txHash, change: null } satisfies Redemption);
  },
};

export const voucherRefundRule: TxRule<z.infer<typeof redemptionRef>> = {
  type: 'voucher.refund',
  payload: redemptionRef,
  check(context, tx, payload) {
    const redemption = redemptionOf(context, programmeOf(context, payload.programme).id, payload.redemption);
    requireRequestOperator(tx, redemption, 'refund');
    if (redemption.status === 'claimed' || redemption.status === 'settled') {
      fail('TX_VOUCHER_REFUND_AFTER_SETTLEMENT', `This redemption is ${redemption.status} for settlement; it can no longer be refunded on the ledger.`, { redemption: redemption.id, status: redemption.status });
    }
    if (redemption.status !== 'accepted') {
      fail('TX_VOUCHER_NOT_REFUNDABLE', `Only an accepted redemption can be refunded; this one is ${redemption.status}.`, { redemption: redemption.id, status: redemption.status });
    }
  },
  apply(context, _tx, payload, write) {
    const p = payload.programme;
    const redemption = readRedemption(context.state, p, payload.redemption) as Redemption;
    const consumed = redemption.consumed.map((id) => readVoucher(context.state, p, id) as Voucher);
    // The value goes back to the payer, and only to them, expiring as the change did.
    const refund: Voucher = {
      id: voucherId(context.txHash, 0),
      owner: redemption.payer,
      amountCents: redemption.amountCents,
      releaseAtMs: Math.min(...consumed.map((v) => v.releaseAtMs)),
      expiresAtMs: Math.min(...consumed.map((v) => v.expiresAtMs)),
      issuedBy: context.txHash,
      spentBy: null,
      pendingRedemption: null,
    };
    issue(write, context, p, refund);
    put(write, redemptionKey(p, redemption.id), { ...redemption, status: 'refunded', statusTx: context.txHash, refundVoucher: refund.id } satisfies Redemption);
  },
};

export const voucherSettleRule: TxRule<z.infer<typeof settleSchema>> = {
  type: 'voucher.settle',
  payload: settleSchema,
  check(context, tx, payload) {
    const p = programmeOf(context, payload.programme).id;
    if (new Set(payload.redemptions).size !== payload.redemptions.length) fail('TX_INVALID_PAYLOAD', 'A redemption is listed twice.', { field: 'payload.redemptions' });
    for (const id of payload.redemptions) {
      const redemption = redemptionOf(context, p, id);
      if (redemption.operator !== tx.signer) fail('TX_UNAUTHORIZED', `Redemption ${id.slice(0, 12)}… was paid to another operator; claim only your own.`, { redemption: id });
      if (redemption.status !== 'accepted') {
        fail('TX_VOUCHER_NOT_SETTLEABLE', `Redemption ${id.slice(0, 12)}… is ${redemption.status}; only accepted, unclaimed redemptions can be claimed.`, { redemption: id, status: redemption.status });
      }
    }
  },
  apply(context, tx, payload, write) {
    const p = payload.programme;
    let totalCents = 0;
    for (const id of payload.redemptions) {
      const redemption = readRedemption(context.state, p, id) as Redemption;
      totalCents += redemption.amountCents;
      put(write, redemptionKey(p, id), { ...redemption, status: 'claimed', claim: context.txHash } satisfies Redemption);
    }
    put(write, claimKey(p, context.txHash), { id: context.txHash, operator: tx.signer, redemptions: payload.redemptions, totalCents, status: 'claimed', confirmedBy: null } satisfies SettlementClaim);
  },
};

export const voucherConfirmRule: TxRule<z.infer<typeof confirmSchema>> = {
  type: 'voucher.confirm',
  payload: confirmSchema,
  check(context, tx, payload) {
    requireAuthority(context, tx, 'confirm a settlement');
    const p = programmeOf(context, payload.programme).id;
    const claim = readClaim(context.state, p, payload.claim);
    if (!claim) fail('TX_VOUCHER_CLAIM_UNKNOWN', `There is no settlement claim ${payload.claim.slice(0, 12)}… in programme "${p}".`, { programme: p, claim: payload.claim });
    if (claim.status === 'confirmed') fail('TX_VOUCHER_CLAIM_CONFIRMED', 'This settlement claim is already confirmed.', { programme: p, claim: payload.claim });
  },
  apply(context, _tx, payload, write) {
    const p = payload.programme;
    const claim = readClaim(context.state, p, payload.claim) as SettlementClaim;
    for (const id of claim.redemptions) {
      const redemption = readRedemption(context.state, p, id) as Redemption;
      put(write, redemptionKey(p, id), { ...redemption, status: 'settled' } satisfies Redemption);
    }
    put(write, claimKey(p, claim.id), { ...claim, status: 'confirmed', confirmedBy: context.txHash } satisfies SettlementClaim);
  },
};

export const VOUCHER_RULES = [
  voucherProgrammeRule,
  voucherOperatorRule,
  voucherApplyRule,
  voucherDecideRule,
  voucherRequestRule,
  voucherRedeemRule,
  voucherAcceptRule,
  voucherDeclineRule,
  voucherRefundRule,
  voucherSettleRule,
  voucherConfirmRule,
] as const;
