/**
 * The Operator desk (DESIGN.md §1, §6): which of this node's payment operators the staff act as, the payment
 * request they just made, the redemptions paid to that operator (newest first) with accept, decline and
 * refund, the settlement claim of the accepted ones, and the redemption report.
 *
 * The redemptions are fetched for the operator shown and again after every `voucher.changed` (a final block
 * changed a programme), so a payment appears, and a status changes, as soon as its block is final. Every
 * action answers once its transaction is final; a refusal is kept as the action's error, never thrown.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { VoucherPaymentRequest, VoucherRedemptionJSON } from '../../preload/contract';
import { coalesced } from '../app/coalesce';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';
import {
  inPeriod,
  periodBounds,
  periodLabel,
  periodProblem,
  reportCsvRows,
  reportFileName,
  reportTotals,
  type ReportPeriod,
} from '../app/redemptionReport';
import { useKeystoreStore } from './keystore';
import { useVouchersStore } from './vouchers';

/** An operator identity this node holds, as the desk shows it. */
export interface DeskOperator {
  /** The keystore id the API takes (`operator-octopus`). */
  readonly id: string;
  readonly publicKey: string;
  /** The ledger's name, else the keystore's label. */
  readonly name: string;
  readonly status: 'active' | 'suspended';
}

/** A payment request made at this desk, with who made it. */
export interface DeskRequest extends VoucherPaymentRequest {
  readonly programme: string;
  readonly operatorId: string;
}

export type RedemptionAction = 'accept' | 'decline' | 'refund';

export interface ActionFailure {
  readonly redemption: VoucherRedemptionJSON;
  readonly action: RedemptionAction;
  readonly error: ShownError;
}

/** One settlement claim, gathered from the redemptions it claims: settled once the government confirmed it. */
export interface DeskClaim {
  readonly id: string;
  readonly count: number;
  readonly totalCents: number;
  readonly status: 'claimed' | 'settled';
  /** The newest redemption it claims (the ledger keeps no claim time in the redemptions). */
  readonly latestRedeemedAtMs: number;
}

export const useOperatorDeskStore = defineStore('operatorDesk', () => {
  const client = useClient();
  const vouchers = useVouchersStore();
  const keystore = useKeystoreStore();
  let started = false;

  // --- Who the desk acts as ---------------------------------------------------------------------------

  const chosenProgramme = ref<string | null>(null);
  const chosenOperator = ref<string | null>(null);

  /** The programmes in which this node holds an operator key. */
  const programmes = computed(() => vouchers.programmes.filter((p) => p.office.operators.length > 0));
  const programme = computed(() => programmes.value.find((p) => p.id === chosenProgramme.value) ?? programmes.value[0] ?? null);
  const operatorKeys = computed(() => keystore.of('operator'));

  const operators = computed((): DeskOperator[] => {
    const p = programme.value;
    const keys = operatorKeys.value;
    if (!p || keys.state !== 'loaded') return [];
    const held = p.office.operators.flatMap((id) => {
      const identity = keys.identities.find((i) => i.id === id);
      if (!identity) return [];
      const summary = p.operators.find((o) => o.publicKey === identity.publicKey);
      return [{ id, publicKey: identity.publicKey, name: summary?.name ?? identity.label, status: summary?.status ?? 'active' } satisfies DeskOperator];
    });
    // In the programme's own order (Octopus, AlipayHK, PayMe in the demo).
    const rank = (o: DeskOperator) => {
      const index = p.operators.findIndex((s) => s.publicKey === o.publicKey);
      return index === -1 ? Number.MAX_SAFE_INTEGER : index;
    };
    return held.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  });
  const operator = computed(() => operators.value.find((o) => o.id === chosenOperator.value) ?? operators.value[0] ?? null);
  /** Loaded enough to say who the desk can act as (or that it can act as no one). */
  const ready = computed(() => vouchers.loaded && (programmes.value.length === 0 || operatorKeys.value.state !== 'loading'));
  const setupError = computed((): ShownError | null => vouchers.error ?? (operatorKeys.value.state === 'failed' ? operatorKeys.value.error : null));

  function chooseProgramme(id: string): void {
    chosenProgramme.value = id;
  }

  function chooseOperator(id: string): void {
    chosenOperator.value = id;
    requestError.value = null;
    actionFailure.value = null;
    settleError.value = null;
    lastClaim.value = null;
  }

  // --- Redemptions ------------------------------------------------------------------------------------

  const deskKey = computed(() => (programme.value && operator.value ? `${programme.value.id}/${operator.value.id}` : null));
  const fetched = shallowRef<{ readonly key: string; readonly list: readonly VoucherRedemptionJSON[] } | null>(null);
  const error = shallowRef<ShownError | null>(null);
  /** The operator shown's redemptions, newest first; never another operator's while a fetch is on its way. */
  const redemptions = computed(() => (fetched.value && fetched.value.key === deskKey.value ? fetched.value.list : []));
  const redemptionsLoaded = computed(() => deskKey.value !== null && fetched.value?.key === deskKey.value);
  const pendingCount = computed(() => redemptions.value.filter((r) => r.status === 'pending').length);

  /** One fetch at a time; a change of operator meanwhile fetches once more, for the operator then shown. */
  const refreshRedemptions = coalesced(async () => {
    const key = deskKey.value;
    const p = programme.value;
    const o = operator.value;
    if (!key || !p || !o) return;
    try {
      const { redemptions: list } = await client.call('voucher.redemptions', { programme: p.id, operator: o.id });
      fetched.value = { key, list };
      error.value = null;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  });

  watch([deskKey, () => vouchers.changes], () => {
    if (started && client.connection === 'open') void refreshRedemptions();
  });

  function start(): void {
    if (started) return;
    started = true;
    vouchers.start();
    const whenOpen = (): void => {
      void keystore.load('operator');
      void refreshRedemptions();
    };
    client.onConnectionChange((state) => {
      if (state === 'open') whenOpen();
    });
    if (client.connection === 'open') whenOpen();
  }

  // --- Payment requests -------------------------------------------------------------------------------

  const requesting = ref(false);
  const requestError = shallowRef<ShownError | null>(null);
  const lastRequest = shallowRef<DeskRequest | null>(null);
  /** The request just made, while the desk still shows the operator that made it. */
  const currentRequest = computed(() => {
    const request = lastRequest.value;
    return request && request.operatorId === operator.value?.id && request.programme === programme.value?.id ? request : null;
  });
  /** The redemption that paid the current request, once its block is final. */
  const currentRedemption = computed(() => {
    const request = currentRequest.value;
    if (!request) return null;
    return redemptions.value.find((r) => r.requestId === request.requestId && r.operator === request.operator) ?? null;
  });

  async function createRequest(input: { amountCents: number; reference: string; expiresInMs: number }): Promise<boolean> {
    const p = programme.value;
    const o = operator.value;
    if (!p || !o || requesting.value) return false;
    requesting.value = true;
    requestError.value = null;
    try {
      const answer = await client.call('voucher.request', { programme: p.id, operator: o.id, amountCents: input.amountCents, reference: input.reference, expiresInMs: input.expiresInMs });
      lastRequest.value = { ...answer, programme: p.id, operatorId: o.id };
      return true;
    } catch (caught) {
      requestError.value = toShownError(caught);
      return false;
    } finally {
      requesting.value = false;
    }
  }

  /** Back to the form for the next customer. */
  function newRequest(): void {
    lastRequest.value = null;
    requestError.value = null;
  }

  // --- Accept, decline, refund ------------------------------------------------------------------------

  /** The redemptions with an action on its way to finality, and which. */
  const working = shallowRef<ReadonlyMap<string, RedemptionAction>>(new Map());
  const actionFailure = shallowRef<ActionFailure | null>(null);

  async function act(redemption: VoucherRedemptionJSON, action: RedemptionAction, run: () => Promise<unknown>): Promise<boolean> {
    const p = programme.value;
    if (!p || working.value.has(redemption.id)) return false;
    working.value = new Map(working.value).set(redemption.id, action);
    actionFailure.value = null;
    try {
      await run();
      return true;
    } catch (caught) {
      actionFailure.value = { redemption, action, error: toShownError(caught) };
      return false;
    } finally {
      const next = new Map(working.value);
      next.delete(redemption.id);
      working.value = next;
      await refreshRedemptions();
    }
  }

  function accept(redemption: VoucherRedemptionJSON): Promise<boolean> {
    return act(redemption, 'accept', () => client.call('voucher.accept', { programme: programmeId(), redemption: redemption.id }));
  }

  function decline(redemption: VoucherRedemptionJSON, reason: string): Promise<boolean> {
    const trimmed = reason.trim();
    return act(redemption, 'decline', () =>
      client.call('voucher.decline', { programme: programmeId(), redemption: redemption.id, ...(trimmed ? { reason: trimmed } : {}) }),
    );
  }

  function refund(redemption: VoucherRedemptionJSON): Promise<boolean> {
    return act(redemption, 'refund', () => client.call('voucher.refund', { programme: programmeId(), redemption: redemption.id }));
  }

  function programmeId(): string {
    return programme.value?.id ?? '';
  }

  // --- Settlement -------------------------------------------------------------------------------------

  /** Accepted and not yet claimed: what a settlement claim would claim now. */
  const claimable = computed(() => redemptions.value.filter((r) => r.status === 'accepted' && r.claim === null));
  const claimableTotalCents = computed(() => claimable.value.reduce((total, r) => total + r.amountCents, 0));
  const claims = computed((): DeskClaim[] => {
    const byId = new Map<string, { count: number; totalCents: number; settled: boolean; latestRedeemedAtMs: number }>();
    for (const r of redemptions.value) {
      if (!r.claim) continue;
      const entry = byId.get(r.claim) ?? { count: 0, totalCents: 0, settled: true, latestRedeemedAtMs: 0 };
      byId.set(r.claim, {
        count: entry.count + 1,
        totalCents: entry.totalCents + r.amountCents,
        settled: entry.settled && r.status === 'settled',
        latestRedeemedAtMs: Math.max(entry.latestRedeemedAtMs, r.redeemedAtMs),
      });
    }
    return [...byId.entries()]
      .map(([id, c]) => ({ id, count: c.count, totalCents: c.totalCents, status: c.settled ? ('settled' as const) : ('claimed' as const), latestRedeemedAtMs: c.latestRedeemedAtMs }))
      .sort((a, b) => b.latestRedeemedAtMs - a.latestRedeemedAtMs);
  });
  const settling = ref(false);
  const settleError = shallowRef<ShownError | null>(null);
  const lastClaim = shallowRef<{ readonly txHash: string; readonly redemptions: number; readonly totalCents: number } | null>(null);

  /**
   * Claims exactly the redemptions the person saw and confirmed (not "every accepted one" at the moment the
   * node answers, which may hold one accepted since).
   */
  async function settle(ids: readonly string[]): Promise<boolean> {
    const p = programme.value;
    const o = operator.value;
    if (!p || !o || settling.value || ids.length === 0) return false;
    settling.value = true;
    settleError.value = null;
    lastClaim.value = null;
    try {
      const answer = await client.call('voucher.settle', { programme: p.id, operator: o.id, redemptions: [...ids] });
      lastClaim.value = { txHash: answer.txHash, redemptions: answer.redemptions, totalCents: answer.totalCents };
      return true;
    } catch (caught) {
      settleError.value = toShownError(caught);
      return false;
    } finally {
      settling.value = false;
      await refreshRedemptions();
    }
  }

  // --- Report -----------------------------------------------------------------------------------------

  const period = shallowRef<ReportPeriod>({ kind: 'month' });
  /** The moment "today" and "this month" are counted from: when the period was chosen. */
  const periodAtMs = ref(Date.now());

  function setPeriod(next: ReportPeriod, atMs: number = Date.now()): void {
    period.value = next;
    periodAtMs.value = atMs;
  }

  const report = computed(() => {
    const problem = periodProblem(period.value);
    const bounds = periodBounds(period.value, periodAtMs.value);
    const rows = problem ? [] : redemptions.value.filter((r) => inPeriod(r, bounds));
    return {
      problem,
      label: periodLabel(period.value, periodAtMs.value),
      rows,
      totals: reportTotals(rows),
      csvRows: reportCsvRows(rows),
      fileName: reportFileName(operator.value?.name ?? 'operator', period.value, periodAtMs.value),
    };
  });

  return {
    programmes,
    programme,
    operators,
    operator,
    ready,
    setupError,
    chooseProgramme,
    chooseOperator,
    redemptions,
    redemptionsLoaded,
    pendingCount,
    error,
    start,
    refreshRedemptions,
    requesting,
    requestError,
    currentRequest,
    currentRedemption,
    createRequest,
    newRequest,
    working,
    actionFailure,
    accept,
    decline,
    refund,
    claimable,
    claimableTotalCents,
    claims,
    settling,
    settleError,
    lastClaim,
    settle,
    period,
    periodAtMs,
    setPeriod,
    report,
  };
});
