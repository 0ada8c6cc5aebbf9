/**
 * The government desk (DESIGN.md §1, §6): for one voucher programme, the application queue with the details
 * this node opened and the likely duplicates the node flagged; the reviewer's decisions (approve, deny with a
 * reason), each answered once final; the operators (register, suspend, reinstate) and the settlement claims
 * waiting for the authority's confirmation. The programme itself and its dashboard counts come from the
 * vouchers store; the queue and the settlement claims (counted by the node) are fetched again whenever it
 * reports a change.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { VoucherClaimJSON, VoucherOperatorSummary, VoucherQueueItem } from '../../preload/contract';
import { coalesced } from '../app/coalesce';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';
import { matchesSearch } from '../app/applicants';
import { useVouchersStore } from './vouchers';

export const STATUS_FILTERS = ['pending', 'approved', 'denied', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** The queue's list draws this many applications at a time (10,000 waiting stay quick to draw and move through). */
export const QUEUE_PAGE = 50;

/** How many the list must draw for the application at `index` to be drawn: whole pages. */
function pagesThrough(index: number): number {
  return Math.ceil((index + 1) / QUEUE_PAGE) * QUEUE_PAGE;
}
export type Decision = 'approve' | 'deny';

/** A settlement claim: the redemptions an operator claimed in one transaction, waiting for the authority. */
export type SettlementClaim = VoucherClaimJSON;

/** The confirmed claims, summed. */
export interface Settled {
  readonly claims: number;
  readonly redemptions: number;
  readonly totalCents: number;
}

const NOTHING_SETTLED: Settled = { claims: 0, redemptions: 0, totalCents: 0 };

/** What the desk is waiting for the node to make final, and since when (for the seconds shown). */
export type Waiting =
  | { readonly kind: 'decision'; readonly application: string; readonly decision: Decision; readonly sinceMs: number }
  | { readonly kind: 'operator'; readonly operator: string; readonly action: 'register' | 'suspend' | 'reinstate'; readonly sinceMs: number }
  | { readonly kind: 'confirm'; readonly claim: string; readonly sinceMs: number };

/** The last thing done, said once it is final. */
export interface Done {
  readonly message: string;
  readonly height: number;
}

export const useGovernmentDeskStore = defineStore('governmentDesk', () => {
  const client = useClient();
  const vouchers = useVouchersStore();

  /** The programme chosen; the first on the chain until someone chooses. */
  const programmeId = ref<string | null>(null);
  const programme = computed(() => vouchers.byId(programmeId.value) ?? vouchers.programmes[0] ?? null);
  const canReview = computed(() => programme.value?.office.canReview ?? false);
  const canAuthorise = computed(() => programme.value?.office.canAuthorise ?? false);

  const applications = shallowRef<readonly VoucherQueueItem[]>([]);
  const queueLoaded = ref(false);
  const queueError = shallowRef<ShownError | null>(null);
  const statusFilter = ref<StatusFilter>('pending');
  const search = ref('');
  /** The application the desk shows; the first one shown when null or filtered out. */
  const selectedId = ref<string | null>(null);

  /** Claims waiting for confirmation, oldest first, and the confirmed ones summed (voucher.claims). */
  const claims = shallowRef<readonly SettlementClaim[]>([]);
  const settled = shallowRef<Settled>(NOTHING_SETTLED);
  const claimsError = shallowRef<ShownError | null>(null);

  const waiting = shallowRef<Waiting | null>(null);
  const decisionError = shallowRef<ShownError | null>(null);
  const decisionDone = shallowRef<Done | null>(null);
  const operatorError = shallowRef<ShownError | null>(null);
  const operatorDone = shallowRef<Done | null>(null);
  const settlementError = shallowRef<ShownError | null>(null);
  const settlementDone = shallowRef<Done | null>(null);
  let started = false;

  const counts = computed(() => {
    const byStatus = { pending: 0, approved: 0, denied: 0, all: applications.value.length };
    for (const item of applications.value) byStatus[item.status] += 1;
    return byStatus;
  });

  /** The queue as filtered by status and search, in the order the applications reached the ledger. */
  const shown = computed(() =>
    applications.value.filter((item) => (statusFilter.value === 'all' || item.status === statusFilter.value) && matchesSearch(item, search.value)),
  );
  const selected = computed(() => shown.value.find((item) => item.application === selectedId.value) ?? shown.value[0] ?? null);
  const selectedIndex = computed(() => (selected.value ? shown.value.indexOf(selected.value) : -1));
  /** How many of the shown applications the list draws: pages of QUEUE_PAGE, always down to the selected one. */
  const listLimit = ref(QUEUE_PAGE);
  const listed = computed(() => shown.value.slice(0, Math.max(listLimit.value, pagesThrough(selectedIndex.value))));
  /** Shown by the filter and search but not drawn yet (the list offers them a page at a time). */
  const notListed = computed(() => shown.value.length - listed.value.length);
  // Another filter or search starts from the top again.
  watch([statusFilter, search], () => {
    listLimit.value = QUEUE_PAGE;
  });

  function find(application: string): VoucherQueueItem | null {
    return applications.value.find((item) => item.application === application) ?? null;
  }

  const refreshQueue = coalesced(async () => {
    const p = programme.value;
    if (!p || !p.office.canReview) {
      applications.value = [];
      queueLoaded.value = p !== null;
      return;
    }
    try {
      applications.value = (await client.call('voucher.queue', { programme: p.id })).applications;
      queueLoaded.value = true;
      queueError.value = null;
    } catch (caught) {
      queueError.value = toShownError(caught);
    }
  });

  const refreshClaims = coalesced(async () => {
    const p = programme.value;
    if (!p) return;
    try {
      const answer = await client.call('voucher.claims', { programme: p.id });
      claims.value = answer.waiting;
      settled.value = answer.settled;
      claimsError.value = null;
    } catch (caught) {
      claimsError.value = toShownError(caught);
    }
  });

  async function refreshAll(): Promise<void> {
    await Promise.all([refreshQueue(), refreshClaims()]);
  }

  /** Subscribes once; safe to call from every mount of the desk. */
  function start(): void {
    if (started) return;
    started = true;
    vouchers.start();
    client.onConnectionChange((state) => {
      if (state === 'open') void refreshAll();
    });
    if (client.connection === 'open' && programme.value) void refreshAll();
  }

  // Another programme, this node's powers in it, or a final block that changed a programme: fetch again.
  // Set up with the store, so that it lives as long as the store and not as long as the first view.
  watch(
    () => [programme.value?.id ?? null, canReview.value, vouchers.changes] as const,
    ([id], [previousId]) => {
      if (!started) return;
      if (id !== previousId) {
        selectedId.value = null;
        queueLoaded.value = false;
      }
      void refreshAll();
    },
  );

  function choose(id: string): void {
    programmeId.value = id;
  }

  function select(item: VoucherQueueItem): void {
    selectedId.value = item.application;
  }

  /** Shows an application (a duplicate named in another's detail), whatever the filter and search hid. */
  function showApplication(application: string): void {
    if (!shown.value.some((item) => item.application === application)) {
      statusFilter.value = 'all';
      search.value = '';
    }
    selectedId.value = application;
  }

  /** j / k: the next or previous application shown (the list draws the next page when j goes past it). */
  function move(step: 1 | -1): void {
    if (shown.value.length === 0) return;
    const index = Math.min(shown.value.length - 1, Math.max(0, selectedIndex.value + step));
    const item = shown.value[index];
    if (!item) return;
    listLimit.value = Math.max(listLimit.value, pagesThrough(index));
    select(item);
  }

  /** The list draws the next QUEUE_PAGE applications. */
  function listMore(): void {
    listLimit.value = listed.value.length + QUEUE_PAGE;
  }

  /**
   * Approves or denies one application and waits until the decision is final; then shows the application
   * that took its place in the list (the next one), so that the reviewer goes on down the queue.
   */
  async function decide(item: VoucherQueueItem, decision: Decision, reason?: string): Promise<boolean> {
    const p = programme.value;
    if (!p || waiting.value) return false;
    const index = shown.value.findIndex((shownItem) => shownItem.application === item.application);
    const wasSelected = selected.value?.application === item.application;
    waiting.value = { kind: 'decision', application: item.application, decision, sinceMs: Date.now() };
    decisionError.value = null;
    decisionDone.value = null;
    try {
      const { height } = await client.call('voucher.decide', {
        programme: p.id,
        application: item.application,
        decision,
        ...(decision === 'deny' ? { reason: reason ?? '' } : {}),
      });
      const who = item.details?.name ?? 'The application';
      decisionDone.value = { message: decision === 'approve' ? `${who} is approved: vouchers issued.` : `${who} is denied; the resident can read your reason.`, height };
      await Promise.all([refreshQueue(), vouchers.refresh()]);
      if (wasSelected) {
        const stillShown = shown.value.findIndex((shownItem) => shownItem.application === item.application);
        const next = stillShown >= 0 ? (shown.value[stillShown + 1] ?? shown.value[stillShown]) : shown.value[Math.min(index, shown.value.length - 1)];
        selectedId.value = next?.application ?? null;
      }
      return true;
    } catch (caught) {
      decisionError.value = toShownError(caught);
      await refreshQueue();
      return false;
    } finally {
      waiting.value = null;
    }
  }

  async function operatorAction(run: () => Promise<{ height: number }>, what: Waiting & { kind: 'operator' }, message: string): Promise<boolean> {
    if (waiting.value) return false;
    waiting.value = what;
    operatorError.value = null;
    operatorDone.value = null;
    try {
      const { height } = await run();
      operatorDone.value = { message, height };
      await vouchers.refresh();
      return true;
    } catch (caught) {
      operatorError.value = toShownError(caught);
      return false;
    } finally {
      waiting.value = null;
    }
  }

  /** Registers a payment operator by its public key (hex) and name; the authority signs. */
  function registerOperator(publicKey: string, name: string): Promise<boolean> {
    const p = programme.value;
    if (!p) return Promise.resolve(false);
    return operatorAction(
      () => client.call('voucher.operator', { programme: p.id, action: 'register', operator: publicKey, name }),
      { kind: 'operator', operator: publicKey, action: 'register', sinceMs: Date.now() },
      `${name} is registered: residents can pay it from now on.`,
    );
  }

  /** Suspends an active operator, or reinstates a suspended one (a register again, under its name). */
  function setOperatorStatus(operator: VoucherOperatorSummary, action: 'suspend' | 'reinstate'): Promise<boolean> {
    const p = programme.value;
    if (!p) return Promise.resolve(false);
    const name = operator.name ?? `Operator ${operator.publicKey.slice(0, 8)}`;
    return operatorAction(
      () =>
        action === 'suspend'
          ? client.call('voucher.operator', { programme: p.id, action: 'suspend', operator: operator.publicKey })
          : client.call('voucher.operator', { programme: p.id, action: 'register', operator: operator.publicKey, name }),
      { kind: 'operator', operator: operator.publicKey, action, sinceMs: Date.now() },
      action === 'suspend' ? `${name} is suspended: residents cannot pay it until it is reinstated.` : `${name} is reinstated.`,
    );
  }

  /** The authority confirms a settlement claim. */
  async function confirmClaim(claim: SettlementClaim): Promise<boolean> {
    const p = programme.value;
    if (!p || waiting.value) return false;
    waiting.value = { kind: 'confirm', claim: claim.claim, sinceMs: Date.now() };
    settlementError.value = null;
    settlementDone.value = null;
    try {
      const { height } = await client.call('voucher.confirm', { programme: p.id, claim: claim.claim });
      settlementDone.value = { message: `The claim of ${claim.operatorName ?? 'the operator'} is confirmed.`, height };
      await refreshClaims();
      return true;
    } catch (caught) {
      settlementError.value = toShownError(caught);
      await refreshClaims();
      return false;
    } finally {
      waiting.value = null;
    }
  }

  return {
    programmeId,
    programme,
    canReview,
    canAuthorise,
    applications,
    queueLoaded,
    queueError,
    statusFilter,
    search,
    counts,
    shown,
    listed,
    notListed,
    selected,
    selectedIndex,
    claims,
    claimsError,
    settled,
    waiting,
    decisionError,
    decisionDone,
    operatorError,
    operatorDone,
    settlementError,
    settlementDone,
    start,
    choose,
    select,
    find,
    showApplication,
    move,
    listMore,
    decide,
    registerOperator,
    setOperatorStatus,
    confirmClaim,
    refreshAll,
  };
});
