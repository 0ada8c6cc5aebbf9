/**
 * The voucher office of a node (DESIGN.md §6): the wallet's side (apply, status, balance, pay), the
 * government desk (the queue with opened details, duplicates, decisions, operators, settlement confirms),
 * the operator desk (payment requests, redemptions, accept, decline, refund, settlement claims) and the
 * programme dashboard. Like the election office, everything it writes goes through the mempool as a signed
 * transaction and it answers once the transaction is final; what must stay off the ledger (the reviewers'
 * private key, the identity secret, personal details) lives in the data folder or only in the answer.
 *
 * Listing applications, redemptions and operators needs their ids; the ledger state has no scan, so the
 * office indexes the voucher transactions of final blocks (rebuilt from the chain after a restart: nothing
 * only in memory).
 */
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import type {
  TransactionStatus,
  VoucherApplicantDetails,
  VoucherApplicationStatus,
  VoucherClaimJSON,
  VoucherDetailsProblem,
  VoucherJSON,
  VoucherPaymentRequest,
  VoucherPaymentRequestView,
  VoucherProgrammeSummary,
  VoucherQueueItem,
  VoucherRedemptionJSON,
  VoucherWallet,
} from '../../../preload/contract';
import { CivichainError } from '../../core/errors';
import type { Genesis } from '../../core/genesis';
import type { Block } from '../../core/ledger/block';
import type { CommitCertificate } from '../../core/ledger/votes';
import { buildProgrammeRecord, type ProgrammeRecord } from '../elections/record';
import { signTransaction, transactionHash, type Transaction } from '../../core/ledger/transaction';
import {
  applicantKey,
  identityKey,
  listProgrammeIds,
  readApplication,
  readClaim,
  readOperator,
  readProgramme,
  readRedemption,
  readRequest,
  readVoucher,
  readWallet,
  type ApplicantRecord,
  type Redemption,
  type Voucher,
  type VoucherProgramme,
} from '../../core/rules/vouchers';
import type { StateReader } from '../../core/rules/types';
import { identityHash } from '../../core/vouchers/identity';
import { ProgrammeTally } from '../../core/vouchers/totals';
import { openApplication, sealApplication, sealRandomness } from '../../core/vouchers/seal';
import type { RoleKey } from '../elections/electionOffice';
import type { OpenResult, OpenTask } from '../workers/verifyTasks';
import { ageYears, assertEligible, assertHkid, eligibilityProblems, eligibilityReport } from './eligibility';
import type { ReviewerSecrets } from './reviewerSecrets';

export interface VoucherOfficeDependencies {
  readonly genesis: Genesis;
  readonly state: () => StateReader;
  readonly head: () => number;
  readonly committed: (height: number) => { block: Block; certificate: CommitCertificate } | null;
  readonly submit: (tx: Transaction) => Promise<{ hash: string }>;
  readonly txStatus: (hash: string) => TransactionStatus | null;
  /** Resolves with the height once the transaction is final; TX_DROPPED or NOT_FINAL_YET otherwise (main/node/finality.ts). */
  readonly waitFinal: (hash: string, timeoutMs: number) => Promise<number>;
  /** Role keys this node acts with: authority, reviewer, operator. */
  readonly keys: readonly RoleKey[];
  /** A keystore identity: its public key, and its private key unsealed with a passphrase. */
  readonly identity: (id: string) => { publicKey: string; role: string } | null;
  /** The keystore's label for a public key, if this node holds that identity. */
  readonly labelOf: (publicKey: string) => string | null;
  readonly unlock: (id: string, passphrase: string) => Promise<KeyObject>;
  /** The demo passphrase on a demo workspace; otherwise the caller must give one. */
  readonly defaultPassphrase: string | null;
  readonly secrets: ReviewerSecrets | null;
  /** Opens sealed applications off the main thread (the verification worker pool); inline when absent. */
  readonly openApplications?: (items: readonly OpenTask[]) => Promise<OpenResult[]>;
  readonly now: () => number;
  readonly finalityTimeoutMs?: number;
}

const CODE_PREFIX = 'cvr1';
const HEX_KEY = /^[0-9a-f]{64}$/;

function fail(code: string, message: string, details: Record<string, unknown> = {}): never {
  throw new CivichainError(code, message, details);
}

interface ProgrammeIndex {
  applications: string[];
  redemptions: string[];
  /** The same redemptions by payer and by the operator paid: a wallet or a desk reads its own, not all. */
  readonly redemptionsOfPayer: Map<string, string[]>;
  readonly redemptionsToOperator: Map<string, string[]>;
  /** Settlement claims (`voucher.settle` hashes) in the order they became final, with that block's time. */
  readonly claims: { readonly id: string; readonly atMs: number }[];
  /** Operators registered by a `voucher.operator` transaction (those the programme lists are in its record). */
  operators: string[];
}

function pushTo(lists: Map<string, string[]>, key: string, id: string): void {
  const list = lists.get(key);
  if (list) list.push(id);
  else lists.set(key, [id]);
}

interface OpenedApplication {
  readonly details: VoucherApplicantDetails | null;
  readonly openError: string | null;
  readonly hash: string | null;
}

/**
 * Opened applications kept in memory, so that the Government desk's queue, asked for again after every
 * block, does not decrypt every application each time (only on reviewer nodes, which hold the key anyway).
 */
const OPENED_CACHE_ENTRIES = 200_000;

const emptyIndex = (): ProgrammeIndex => ({ applications: [], redemptions: [], redemptionsOfPayer: new Map(), redemptionsToOperator: new Map(), claims: [], operators: [] });

export class VoucherOffice {
  private indexedHeight = 0;
  private readonly index = new Map<string, ProgrammeIndex>();
  /** The dashboard's totals, moved by each indexed block rather than counted again for every request. */
  private readonly tally = new ProgrammeTally();
  private readonly openedCache = new Map<string, OpenedApplication>();

  constructor(private readonly deps: VoucherOfficeDependencies) {}

  /** Brings the index of voucher transactions up to the final head. */
  private indexed(p: string): ProgrammeIndex {
    const head = this.deps.head();
    let moved = false;
    for (let h = this.indexedHeight + 1; h <= head; h++) {
      const block = this.deps.committed(h)?.block;
      for (const tx of block?.transactions ?? []) {
        if (!tx.type.startsWith('voucher.')) continue;
        const hash = transactionHash(tx);
        this.tally.observe(tx, hash);
        if (tx.type !== 'voucher.apply' && tx.type !== 'voucher.redeem' && tx.type !== 'voucher.settle' && tx.type !== 'voucher.operator') continue;
        const programme = String(tx.payload['programme']);
        let entry = this.index.get(programme);
        if (!entry) this.index.set(programme, (entry = emptyIndex()));
        if (tx.type === 'voucher.apply') entry.applications.push(hash);
        else if (tx.type === 'voucher.redeem') {
          // A final redeem is a redemption: paid by its signer to the operator of the request it paid.
          entry.redemptions.push(hash);
          pushTo(entry.redemptionsOfPayer, tx.signer, hash);
          pushTo(entry.redemptionsToOperator, String((tx.payload['request'] as { operator?: unknown } | undefined)?.operator), hash);
        } else if (tx.type === 'voucher.settle') entry.claims.push({ id: hash, atMs: block?.header.timeMs ?? 0 });
        else if (tx.payload['action'] === 'register' && !entry.operators.includes(String(tx.payload['operator']))) entry.operators.push(String(tx.payload['operator']));
      }
      this.indexedHeight = h;
      moved = true;
    }
    if (moved) this.tally.update(this.deps.state());
    return this.index.get(p) ?? emptyIndex();
  }

  private programme(p: string): VoucherProgramme {
    return readProgramme(this.deps.state(), p) ?? fail('VOUCHER_PROGRAMME_UNKNOWN', `There is no voucher programme "${p}" on this chain.`, { programme: p });
  }

  private authority(): RoleKey | null {
    const authorities = this.deps.genesis.authorities.map((a) => a.publicKey);
    return this.deps.keys.find((k) => authorities.includes(k.publicKey)) ?? null;
  }

  private reviewer(programme: VoucherProgramme): RoleKey | null {
    return this.deps.keys.find((k) => programme.reviewers.includes(k.publicKey)) ?? null;
  }

  private operatorKey(holder: string): RoleKey {
    return (
      this.deps.keys.find((k) => k.role === 'operator' && (k.id === holder || k.publicKey === holder)) ??
      fail('NOT_AN_OPERATOR_HERE', `This node holds no operator key "${holder}". Use the operator's own node.`, { operator: holder })
    );
  }

  /** A resident named by keystore id or by public key. */
  private residentKey(holder: string): string {
    if (HEX_KEY.test(holder)) return holder;
    return this.deps.identity(holder)?.publicKey ?? fail('IDENTITY_UNKNOWN', `There is no identity "${holder}" in this node's keystore.`, { resident: holder });
  }

  private async residentSigner(holder: string, passphrase: string | undefined): Promise<RoleKey> {
    const identity = this.deps.identity(holder) ?? fail('IDENTITY_UNKNOWN', `There is no identity "${holder}" in this node's keystore. Create or import the resident's identity first.`, { resident: holder });
    const secret = passphrase ?? this.deps.defaultPassphrase ?? fail('PASSPHRASE_REQUIRED', `Give the passphrase of identity "${holder}".`, { field: 'passphrase' });
    return { id: holder, role: identity.role, publicKey: identity.publicKey, privateKey: await this.deps.unlock(holder, secret) };
  }

  private sign(key: RoleKey, type: string, payload: Transaction['payload'], nonce = randomBytes(12).toString('base64url')): Transaction {
    return signTransaction({ type, chainId: this.deps.genesis.chainId, signer: key.publicKey, nonce, payload }, key.privateKey);
  }

  /** Resolves once the transaction is final; fails when it left the mempool without a block, or on timeout. */
  private async waitFinal(hash: string): Promise<number> {
    const timeoutMs = this.deps.finalityTimeoutMs ?? 60_000;
    try {
      return await this.deps.waitFinal(hash, timeoutMs);
    } catch (error) {
      if (error instanceof CivichainError && error.code === 'NOT_FINAL_YET') {
        throw new CivichainError('NOT_FINAL_YET', `Submitted but not final after ${timeoutMs / 1000} s (are the validators running?). Asking again waits for the same transaction.`, { hash });
      }
      throw error;
    }
  }

  /** Submits a signed transaction and waits for it to be final. */
  async submitFinal(tx: Transaction): Promise<{ txHash: string; height: number }> {
    const { hash } = await this.deps.submit(tx);
    return { txHash: hash, height: await this.waitFinal(hash) };
  }

  // Dashboard ----------------------------------------------------------------------------------------------

  summary(p: string): VoucherProgrammeSummary {
    const state = this.deps.state();
    const programme = this.programme(p);
    const index = this.indexed(p);
    const totals = this.tally.totals(state, p);
    // The programme's own list, those registered since (a new operator's key is nowhere else), this node's own.
    const operatorKeys = new Set([...programme.operators, ...index.operators, ...this.deps.keys.filter((k) => k.role === 'operator').map((k) => k.publicKey)]);
    const operators = [...operatorKeys].flatMap((key) => {
      const record = readOperator(state, p, key);
      if (!record) return [];
      return [{ publicKey: key, name: this.operatorName(state, p, key), status: record.status, ...(totals.byOperator.get(key) ?? { redemptions: 0, redeemedCents: 0 }) }];
    });
    return {
      id: programme.id,
      title: programme.title,
      amountPerPersonCents: programme.amountPerPersonCents,
      instalments: programme.instalments,
      reviewers: programme.reviewers,
      operators,
      counts: { applicants: totals.applicants, issuedCents: totals.issuedCents, redeemedCents: totals.redeemedCents, outstandingCents: totals.outstandingCents },
      office: {
        canReview: this.reviewer(programme) !== null && this.deps.secrets !== null,
        canAuthorise: this.authority() !== null,
        operators: this.deps.keys.filter((k) => k.role === 'operator' && readOperator(state, p, k.publicKey)).map((k) => k.id),
      },
    };
  }

  /** The programme record: every final block with its certificate, for `civichain verify --record`. */
  exportRecord(p: string): ProgrammeRecord {
    this.programme(p);
    return buildProgrammeRecord({ head: this.deps.head, committed: this.deps.committed }, this.deps.genesis, p);
  }

  list(): VoucherProgrammeSummary[] {
    return listProgrammeIds(this.deps.state()).map((p) => this.summary(p));
  }

  // Wallet -------------------------------------------------------------------------------------------------

  async apply(input: { programme: string; resident: string; passphrase?: string | undefined; details: VoucherApplicantDetails }): Promise<{ application: string; applicant: string; height: number }> {
    const programme = this.programme(input.programme);
    const details = assertEligible(input.details, this.deps.now());
    const key = await this.residentSigner(input.resident, input.passphrase);
    const sealed = sealApplication({ ...details }, programme.reviewersSealingKey, sealRandomness(), { programme: programme.id, applicant: key.publicKey });
    const { txHash, height } = await this.submitFinal(this.sign(key, 'voucher.apply', { programme: programme.id, sealed: { ...sealed } }));
    return { application: txHash, applicant: key.publicKey, height };
  }

  /** The wallet's dry run of `apply`'s checks: every field's problem at once; nothing is sealed or sent. */
  checkDetails(p: string, details: VoucherApplicantDetails): VoucherDetailsProblem[] {
    this.programme(p);
    return eligibilityProblems(details, this.deps.now());
  }

  /**
   * A payment request by its code, as the ledger holds it now, for the wallet to show before paying: who is
   * paid and how much, and whether it can still be paid. Reads only; `pay` checks everything again.
   */
  paymentRequest(input: { programme: string; code: string; resident?: string | undefined }): VoucherPaymentRequestView {
    const { programme: p, operator, requestId } = parseCode(input.code);
    if (p !== input.programme) fail('VOUCHER_CODE_INVALID', `This payment code is for programme "${p}", not "${input.programme}".`, { field: 'code' });
    this.programme(p);
    const payer = input.resident === undefined ? null : this.residentKey(input.resident);
    const state = this.deps.state();
    const request = readRequest(state, p, operator, requestId) ?? fail('VOUCHER_REQUEST_UNKNOWN', `There is no payment request "${requestId}" from this operator (yet); check the code.`, { requestId });
    const paid = request.redemption ? readRedemption(state, p, request.redemption) : null;
    return {
      code: `${CODE_PREFIX}:${p}:${operator}:${requestId}`,
      programme: p,
      operator,
      operatorName: this.operatorName(state, p, operator),
      operatorStatus: readOperator(state, p, operator)?.status ?? 'unregistered',
      requestId,
      amountCents: request.amountCents,
      reference: request.reference,
      expiresAtMs: request.expiresAtMs,
      state: request.redemption ? 'paid' : this.deps.now() >= request.expiresAtMs ? 'expired' : 'open',
      redemption: request.redemption,
      paidAtMs: paid?.redeemedAtMs ?? null,
      paidByResident: paid && payer !== null ? paid.payer === payer : null,
    };
  }

  application(p: string, resident: string): VoucherApplicationStatus {
    this.programme(p);
    const applicant = this.residentKey(resident);
    const state = this.deps.state();
    const latest = JSON.parse(state.get(applicantKey(p, applicant)) ?? 'null') as ApplicantRecord | null;
    if (!latest) return { applicant, application: null, status: 'none', reason: null };
    return { applicant, application: latest.application, status: latest.status, reason: readApplication(state, p, latest.application)?.reason ?? null };
  }

  wallet(p: string, resident: string): VoucherWallet {
    this.programme(p);
    const owner = this.residentKey(resident);
    const state = this.deps.state();
    const now = this.deps.now();
    const vouchers: VoucherJSON[] = readWallet(state, p, owner).flatMap((id) => {
      const v = readVoucher(state, p, id);
      if (!v) return [];
      return [{ id: v.id, amountCents: v.amountCents, releaseAtMs: v.releaseAtMs, expiresAtMs: v.expiresAtMs, issuedBy: v.issuedBy, spentBy: v.spentBy, pendingRedemption: v.pendingRedemption, spendableNow: spendable(v, now) }];
    });
    const history = (this.indexed(p).redemptionsOfPayer.get(owner) ?? [])
      .map((id) => readRedemption(state, p, id))
      .filter((r): r is Redemption => r !== null)
      .reverse()
      .map((r) => this.redemptionJSON(state, p, r));
    return { owner, spendableCents: vouchers.filter((v) => v.spendableNow).reduce((sum, v) => sum + v.amountCents, 0), vouchers, history };
  }

  /**
   * Pays a payment request: the earliest-expiring spendable vouchers first, whole vouchers, change back to
   * the payer. The nonce is derived from the request and the payer, so a retry before the first is final
   * signs the very same transaction (the mempool answers it as a duplicate) and after it is final finds
   * the request paid by this payer: either way one charge.
   */
  async pay(input: { programme: string; resident: string; passphrase?: string | undefined; code: string }): Promise<{ redemption: string; height: number; alreadyPaid: boolean; vouchers: string[] }> {
    const { programme: p, operator, requestId } = parseCode(input.code);
    if (p !== input.programme) fail('VOUCHER_CODE_INVALID', `This payment code is for programme "${p}", not "${input.programme}".`, { field: 'code' });
    this.programme(p);
    const key = await this.residentSigner(input.resident, input.passphrase);
    const paidBefore = (): { redemption: string; height: number; alreadyPaid: boolean; vouchers: string[] } | null => {
      const request = readRequest(this.deps.state(), p, operator, requestId);
      const paid = request?.redemption ? readRedemption(this.deps.state(), p, request.redemption) : null;
      if (!request?.redemption) return null;
      if (paid?.payer !== key.publicKey) fail('VOUCHER_REQUEST_PAID', `Payment request "${requestId}" was already paid by someone else; ask the operator for a new one.`, { requestId });
      const status = this.deps.txStatus(paid.id);
      return { redemption: paid.id, height: status?.state === 'final' ? status.height : 0, alreadyPaid: true, vouchers: [...paid.consumed] };
    };
    const state = this.deps.state();
    const request = readRequest(state, p, operator, requestId) ?? fail('VOUCHER_REQUEST_UNKNOWN', `There is no payment request "${requestId}" from this operator (yet); check the code.`, { requestId });
    const before = paidBefore();
    if (before) return before;
    const now = this.deps.now();
    if (now >= request.expiresAtMs) fail('VOUCHER_REQUEST_EXPIRED', `Payment request "${requestId}" expired at ${new Date(request.expiresAtMs).toISOString()}; ask the operator for a new one.`, { requestId });
    const chosen = chooseVouchers(readWallet(state, p, key.publicKey).map((id) => readVoucher(state, p, id)).filter((v): v is Voucher => v !== null && spendable(v, now)), request.amountCents);
    // The same request, payer and vouchers give the same signed transaction: a concurrent retry is a duplicate.
    const nonce = createHash('sha256').update(`civichain/v1/voucher-pay/${p}/${operator}/${requestId}/${key.publicKey}`).digest('base64url').slice(0, 22);
    const tx = this.sign(key, 'voucher.redeem', { programme: p, request: { operator, requestId }, vouchers: chosen.map((v) => v.id), amountCents: request.amountCents }, nonce);
    try {
      const { txHash, height } = await this.submitFinal(tx);
      return { redemption: txHash, height, alreadyPaid: false, vouchers: chosen.map((v) => v.id) };
    } catch (error) {
      // A retry racing the first payment to finality finds it paid: that is the answer, not an error.
      const paid = error instanceof CivichainError && (error.code === 'TX_VOUCHER_REQUEST_REDEEMED' || error.code === 'TX_DROPPED' || error.code === 'TX_DUPLICATE') ? paidBefore() : null;
      if (paid) return paid;
      if (error instanceof CivichainError && (error.code === 'TX_DROPPED' || error.code === 'TX_VOUCHER_SPENT')) this.explainSpentElsewhere(p, chosen, transactionHash(tx));
      throw error;
    }
  }

  /**
   * When a payment lost because a voucher it chose was spent at the same moment by another payment (at
   * another operator, through another node), says so in the resident's words; otherwise returns.
   */
  private explainSpentElsewhere(p: string, chosen: readonly Voucher[], own: string): void {
    const state = this.deps.state();
    for (const v of chosen) {
      const now = readVoucher(state, p, v.id);
      const by = now?.spentBy ?? null;
      if (!by || by === own) continue;
      const other = readRedemption(state, p, by);
      const where = other ? ` (${money(other.amountCents)} to ${this.operatorName(state, p, other.operator) ?? 'another operator'})` : '';
      fail(
        'VOUCHER_SPENT_ELSEWHERE',
        `This payment was not made and nothing was charged for it: your ${money(v.amountCents)} voucher was used at the same moment by another payment${where}, which went through first. Pay again to use your other vouchers.`,
        { voucher: v.id, spentBy: by },
      );
    }
  }

  // Government desk ----------------------------------------------------------------------------------------

  private opened(programme: VoucherProgramme, application: string): OpenedApplication {
    const secrets = this.deps.secrets ?? fail('NOT_A_REVIEWER_NODE', "This node holds no reviewers' key, so it cannot open applications. Use a government node.");
    // An application's sealed details never change (its id is its transaction's hash): opened once, kept a while.
    const cached = this.openedCache.get(application);
    if (cached) return cached;
    const record = readApplication(this.deps.state(), programme.id, application) ?? fail('VOUCHER_APPLICATION_UNKNOWN', `There is no application ${application.slice(0, 12)}….`, { application });
    let opened: OpenedApplication;
    try {
      const details = openApplication(record.sealed, secrets.sealing.privateKey, { programme: programme.id, applicant: record.applicant }) as unknown as VoucherApplicantDetails;
      opened = { details, openError: null, hash: identityHash(assertHkid(String(details.hkid)), secrets.identitySecret) };
    } catch (error) {
      if (!(error instanceof CivichainError)) throw error;
      opened = { details: null, openError: error.message, hash: null };
    }
    this.rememberOpened(application, opened);
    return opened;
  }

  /** Opens the applications not opened yet in the worker threads, all at once, into the cache `opened` reads. */
  private async openMany(programme: VoucherProgramme, applications: readonly string[]): Promise<void> {
    const secrets = this.deps.secrets;
    const open = this.deps.openApplications;
    if (!secrets || !open) return;
    const state = this.deps.state();
    const records = applications.flatMap((id) => {
      if (this.openedCache.has(id)) return [];
      const record = readApplication(state, programme.id, id);
      return record ? [{ id, record }] : [];
    });
    if (records.length === 0) return;
    const results = await open(records.map(({ record }) => ({ sealed: record.sealed, binding: { programme: programme.id, applicant: record.applicant }, reviewersKey: secrets.sealingPrivateKey })));
    records.forEach(({ id }, i) => {
      const result = results[i];
      if (!result || this.openedCache.has(id)) return;
      if ('error' in result) return this.rememberOpened(id, { details: null, openError: result.error, hash: null });
      const details = result.details as unknown as VoucherApplicantDetails;
      try {
        this.rememberOpened(id, { details, openError: null, hash: identityHash(assertHkid(String(details.hkid)), secrets.identitySecret) });
      } catch (error) {
        if (!(error instanceof CivichainError)) throw error;
        this.rememberOpened(id, { details: null, openError: error.message, hash: null });
      }
    });
  }

  private rememberOpened(application: string, opened: OpenedApplication): void {
    if (this.openedCache.size >= OPENED_CACHE_ENTRIES) {
      const oldest = this.openedCache.keys().next().value;
      if (oldest !== undefined) this.openedCache.delete(oldest);
    }
    this.openedCache.set(application, opened);
  }

  async queue(p: string, status?: 'pending' | 'approved' | 'denied'): Promise<VoucherQueueItem[]> {
    const programme = this.programme(p);
    if (this.reviewer(programme) && this.deps.secrets) await this.openMany(programme, this.indexed(p).applications);
    if (!this.reviewer(programme) || !this.deps.secrets) fail('NOT_A_REVIEWER_NODE', `This node holds no reviewer key and reviewers' secrets of programme "${p}"; open the queue on a government node.`);
    const state = this.deps.state();
    const items = this.indexed(p).applications.flatMap((id) => {
      const record = readApplication(state, p, id);
      return record ? [{ id, record, ...this.opened(programme, id) }] : [];
    });
    // Applications by identity hash, denied ones left out: one pass, not a scan of the queue per item.
    const byIdentity = new Map<string, (typeof items)[number][]>();
    for (const item of items) {
      if (item.hash === null || item.record.status === 'denied') continue;
      const same = byIdentity.get(item.hash);
      if (same) same.push(item);
      else byIdentity.set(item.hash, [item]);
    }
    const now = this.deps.now();
    return items
      .filter((item) => !status || item.record.status === status)
      .map((item) => {
        const duplicates = (item.hash === null ? [] : (byIdentity.get(item.hash) ?? []))
          .filter((other) => other.id !== item.id)
          .map((other) => ({ application: other.id, status: other.record.status as 'pending' | 'approved' }));
        const eligibility = item.details ? eligibilityReport(item.details, now) : [];
        const dob = item.details?.dateOfBirth ?? '';
        const age = /^\d{4}-\d{2}-\d{2}$/.test(dob) && !Number.isNaN(Date.parse(dob)) ? ageYears(dob, now) : null;
        return { application: item.id, applicant: item.record.applicant, appliedAtMs: item.record.appliedAtMs, status: item.record.status, reason: item.record.reason, details: item.details, openError: item.openError, duplicates, eligibility, ageYears: age };
      });
  }

  async decide(input: { programme: string; application: string; decision: 'approve' | 'deny'; reason?: string | undefined }): Promise<{ txHash: string; height: number }> {
    const programme = this.programme(input.programme);
    const reviewer = this.reviewer(programme) ?? fail('NOT_A_REVIEWER_NODE', `This node holds no reviewer key of programme "${programme.id}".`);
    if (input.decision === 'deny') {
      const reason = input.reason?.trim() || fail('VOUCHER_REASON_REQUIRED', 'A denial needs a reason the resident will read.', { field: 'reason' });
      return this.submitFinal(this.sign(reviewer, 'voucher.decide', { programme: programme.id, application: input.application, decision: 'deny', reason }));
    }
    await this.openMany(programme, [input.application]);
    const opened = this.opened(programme, input.application);
    if (!opened.details || !opened.hash) fail('VOUCHER_SEAL_INVALID', opened.openError ?? 'The application cannot be opened; deny it.', { application: input.application });
    // The reviewers check eligibility on the opened details, as the wallet did before sealing them.
    assertEligible(opened.details, this.deps.now());
    const approved = this.deps.state().get(identityKey(programme.id, opened.hash));
    if (approved) {
      fail('VOUCHER_IDENTITY_APPROVED', `This HKID was already approved in programme "${programme.id}" (decision ${(JSON.parse(approved) as string).slice(0, 12)}…): one person, one grant. Deny this application.`, {
        application: input.application,
      });
    }
    return this.submitFinal(this.sign(reviewer, 'voucher.decide', { programme: programme.id, application: input.application, decision: 'approve', identityHash: opened.hash }));
  }

  async operator(input: { programme: string; action: 'register' | 'suspend'; operator: string; name?: string | undefined }): Promise<{ txHash: string; height: number }> {
    const authority = this.authority() ?? fail('NOT_AN_AUTHORITY', 'This node holds no authority key; register and suspend operators on the authority’s node.');
    const payload: Transaction['payload'] =
      input.action === 'register'
        ? { programme: input.programme, action: 'register', operator: input.operator, name: input.name ?? fail('VOUCHER_NAME_REQUIRED', 'Registering an operator needs its name.', { field: 'name' }) }
        : { programme: input.programme, action: 'suspend', operator: input.operator };
    return this.submitFinal(this.sign(authority, 'voucher.operator', payload));
  }

  async confirm(input: { programme: string; claim: string }): Promise<{ txHash: string; height: number }> {
    const authority = this.authority() ?? fail('NOT_AN_AUTHORITY', 'This node holds no authority key; confirm settlements on the authority’s node.');
    return this.submitFinal(this.sign(authority, 'voucher.confirm', { programme: input.programme, claim: input.claim }));
  }

  // Operator desk ------------------------------------------------------------------------------------------

  async request(input: { programme: string; operator: string; amountCents: number; reference: string; requestId?: string | undefined; expiresInMs: number }): Promise<VoucherPaymentRequest> {
    const programme = this.programme(input.programme);
    const key = this.operatorKey(input.operator);
    const requestId = input.requestId ?? randomBytes(9).toString('base64url');
    const expiresAtMs = this.deps.now() + input.expiresInMs;
    const { txHash } = await this.submitFinal(this.sign(key, 'voucher.request', { programme: programme.id, requestId, amountCents: input.amountCents, reference: input.reference, expiresAtMs }));
    return { code: `${CODE_PREFIX}:${programme.id}:${key.publicKey}:${requestId}`, operator: key.publicKey, requestId, amountCents: input.amountCents, reference: input.reference, expiresAtMs, txHash };
  }

  /** The ledger's name for an operator, or (for one listed in the programme, unnamed) this keystore's label. */
  private operatorName(state: StateReader, p: string, key: string): string | null {
    return readOperator(state, p, key)?.name ?? this.deps.labelOf(key);
  }

  private redemptionJSON(state: StateReader, p: string, r: Redemption): VoucherRedemptionJSON {
    const reference = readRequest(state, p, r.operator, r.requestId)?.reference ?? '';
    return { id: r.id, payer: r.payer, operator: r.operator, operatorName: this.operatorName(state, p, r.operator), requestId: r.requestId, reference, amountCents: r.amountCents, status: r.status, redeemedAtMs: r.redeemedAtMs, claim: r.claim };
  }

  redemptions(p: string, operator?: string): VoucherRedemptionJSON[] {
    this.programme(p);
    const state = this.deps.state();
    const key = operator === undefined ? null : HEX_KEY.test(operator) ? operator : this.operatorKey(operator).publicKey;
    const index = this.indexed(p);
    return (key === null ? index.redemptions : (index.redemptionsToOperator.get(key) ?? []))
      .map((id) => readRedemption(state, p, id))
      .filter((r): r is Redemption => r !== null)
      .reverse()
      .map((r) => this.redemptionJSON(state, p, r));
  }

  /**
   * The settlement claims waiting for the authority, oldest first, and the confirmed ones summed, for the
   * Government desk: read from the claims' own records (a few per operator and period), not from every
   * redemption of the programme.
   */
  claims(p: string): { waiting: VoucherClaimJSON[]; settled: { claims: number; redemptions: number; totalCents: number } } {
    this.programme(p);
    const state = this.deps.state();
    const waiting: VoucherClaimJSON[] = [];
    const settled = { claims: 0, redemptions: 0, totalCents: 0 };
    for (const { id, atMs } of this.indexed(p).claims) {
      const claim = readClaim(state, p, id);
      if (!claim) continue;
      if (claim.status === 'confirmed') {
        settled.claims += 1;
        settled.redemptions += claim.redemptions.length;
        settled.totalCents += claim.totalCents;
        continue;
      }
      waiting.push({ claim: id, operator: claim.operator, operatorName: this.operatorName(state, p, claim.operator), redemptions: claim.redemptions.length, totalCents: claim.totalCents, claimedAtMs: atMs, status: claim.status });
    }
    return { waiting, settled };
  }

  private redemptionOperator(p: string, redemption: string): RoleKey {
    const r = readRedemption(this.deps.state(), p, redemption) ?? fail('VOUCHER_REDEMPTION_UNKNOWN', `There is no redemption ${redemption.slice(0, 12)}… in programme "${p}".`, { redemption });
    return this.operatorKey(r.operator);
  }

  async accept(input: { programme: string; redemption: string }): Promise<{ txHash: string; height: number }> {
    return this.submitFinal(this.sign(this.redemptionOperator(input.programme, input.redemption), 'voucher.accept', { programme: input.programme, redemption: input.redemption }));
  }

  async decline(input: { programme: string; redemption: string; reason?: string | undefined }): Promise<{ txHash: string; height: number }> {
    const payload = { programme: input.programme, redemption: input.redemption, ...(input.reason ? { reason: input.reason } : {}) };
    return this.submitFinal(this.sign(this.redemptionOperator(input.programme, input.redemption), 'voucher.decline', payload));
  }

  async refund(input: { programme: string; redemption: string }): Promise<{ txHash: string; height: number }> {
    return this.submitFinal(this.sign(this.redemptionOperator(input.programme, input.redemption), 'voucher.refund', { programme: input.programme, redemption: input.redemption }));
  }

  async settle(input: { programme: string; operator: string; redemptions?: readonly string[] | undefined }): Promise<{ txHash: string; height: number; redemptions: number; totalCents: number }> {
    const key = this.operatorKey(input.operator);
    const state = this.deps.state();
    const ids = input.redemptions ?? this.redemptions(input.programme, key.publicKey).filter((r) => r.status === 'accepted').map((r) => r.id);
    if (ids.length === 0) fail('VOUCHER_NOTHING_TO_SETTLE', 'There are no accepted, unclaimed redemptions to claim.');
    const totalCents = ids.reduce((sum, id) => sum + (readRedemption(state, input.programme, id)?.amountCents ?? 0), 0);
    const result = await this.submitFinal(this.sign(key, 'voucher.settle', { programme: input.programme, redemptions: [...ids] }));
    return { ...result, redemptions: ids.length, totalCents };
  }
}

/** HK$1,234.50, grouped by hand as the rules do, so every node words it the same. */
function money(amountCents: number): string {
  const dollars = String(Math.floor(amountCents / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `HK$${dollars}.${String(amountCents % 100).padStart(2, '0')}`;
}

function spendable(v: Voucher, nowMs: number): boolean {
  return v.spentBy === null && v.pendingRedemption === null && v.releaseAtMs <= nowMs && nowMs < v.expiresAtMs;
}

/**
 * Whole vouchers, earliest expiry first, until they cover the amount; then vouchers that the total does not
 * need are left out again (the ledger refuses a redemption with a voucher it does not need).
 */
export function chooseVouchers(vouchers: readonly Voucher[], amountCents: number): Voucher[] {
  const available = vouchers.reduce((sum, v) => sum + v.amountCents, 0);
  if (available < amountCents) {
    fail('VOUCHER_INSUFFICIENT', `The wallet holds ${money(available)} spendable now, less than the ${money(amountCents)} requested; nothing was paid.`, {
      spendableCents: available,
      amountCents,
    });
  }
  const sorted = [...vouchers].sort((a, b) => a.expiresAtMs - b.expiresAtMs || a.amountCents - b.amountCents);
  const chosen: Voucher[] = [];
  let total = 0;
  for (const v of sorted) {
    if (total >= amountCents) break;
    chosen.push(v);
    total += v.amountCents;
  }
  // Drop any voucher the rest already covers (smallest first), as the ledger requires.
  for (const v of [...chosen].sort((a, b) => a.amountCents - b.amountCents)) {
    if (chosen.length > 1 && total - v.amountCents >= amountCents) {
      chosen.splice(chosen.indexOf(v), 1);
      total -= v.amountCents;
    }
  }
  return chosen;
}

export function parseCode(code: string): { programme: string; operator: string; requestId: string } {
  const match = /^cvr1:([a-z0-9][a-z0-9-]{2,47}):([0-9a-f]{64}):([A-Za-z0-9_-]{1,64})$/.exec(code.trim());
  if (!match) fail('VOUCHER_CODE_INVALID', 'This is not a payment code: it looks like "cvr1:<programme>:<operator key>:<request id>". Scan or enter it again.', { field: 'code' });
  return { programme: match[1] as string, operator: match[2] as string, requestId: match[3] as string };
}
