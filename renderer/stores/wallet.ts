/**
 * The Wallet of one resident (DESIGN.md §6): which of this node's resident identities is open, its
 * application to the programme, its vouchers and payments, and the two things a resident does — apply and pay.
 *
 * The passphrase that opened the identity stays in this store's closure for the session, never in reactive
 * state (so no devtools, no persisted state, no component sees it), and goes with "Close wallet". The methods
 * that sign take it again each time; the node keeps nothing unlocked.
 *
 * Eligibility is the node's: before applying, the details go to `voucher.checkDetails` (a dry run of
 * `voucher.apply`'s checks), and the field errors shown are the node's words. The application, the wallet and
 * an open payment preview are fetched again after every `voucher.changed` (the vouchers store's `changes`).
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type {
  IdentitySummary,
  VoucherApplicantDetails,
  VoucherApplicationStatus,
  VoucherDetailsField,
  VoucherPaymentRequestView,
  VoucherResidency,
  VoucherWallet,
} from '../../preload/contract';
import { ApiError } from '../api/client';
import { coalesced } from '../app/coalesce';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';
import { useVouchersStore } from './vouchers';

/** The apply form as typed: the residency is empty until the resident chooses one. */
export interface DetailsForm {
  readonly hkid: string;
  readonly name: string;
  readonly dateOfBirth: string;
  readonly residency: VoucherResidency | '';
}

export type FieldErrors = Partial<Record<VoucherDetailsField, string>>;

/** A payment request looked up by its code, with the balance at that moment: what the resident confirms. */
export interface PaymentPreview {
  readonly request: VoucherPaymentRequestView;
  readonly spendableCents: number;
}

export interface PaymentDone {
  readonly request: VoucherPaymentRequestView;
  readonly redemption: string;
  readonly height: number;
  /** The request had been paid by this resident already (a retry): charged once, not again. */
  readonly alreadyPaid: boolean;
}

const CHOOSE_RESIDENCY = 'Choose your residency status.';

export const useWalletStore = defineStore('wallet', () => {
  const client = useClient();
  const vouchers = useVouchersStore();

  // Identities ----------------------------------------------------------------------------------------------
  const identities = shallowRef<readonly IdentitySummary[]>([]);
  const identitiesLoaded = ref(false);
  const identitiesError = shallowRef<ShownError | null>(null);

  async function loadIdentities(): Promise<void> {
    try {
      identities.value = (await client.call('keystore.list', { role: 'resident' })).identities;
      identitiesLoaded.value = true;
      identitiesError.value = null;
    } catch (caught) {
      identitiesError.value = toShownError(caught);
    }
  }

  // The open identity -------------------------------------------------------------------------------------
  const identity = shallowRef<IdentitySummary | null>(null);
  /** The identity open last (no secret): the open form offers it again after Close wallet. */
  const lastIdentityId = ref<string | null>(null);
  /** Only here, in memory, for the session. */
  let passphrase: string | null = null;
  /** Bumped on every open and close: answers that arrive for an earlier session are dropped. */
  let session = 0;
  const opening = ref(false);
  const openError = shallowRef<ShownError | null>(null);
  const creating = ref(false);
  const createError = shallowRef<ShownError | null>(null);

  function begin(opened: IdentitySummary, secret: string): void {
    session += 1;
    identity.value = opened;
    lastIdentityId.value = opened.id;
    passphrase = secret;
    resetApplication();
    resetPayment();
    void refresh();
  }

  /** Opens an identity of this node with its passphrase; false (and `openError`) when it does not open. */
  async function open(id: string, secret: string): Promise<boolean> {
    if (opening.value) return false;
    opening.value = true;
    openError.value = null;
    try {
      begin(await client.call('keystore.open', { id, passphrase: secret }), secret);
      return true;
    } catch (caught) {
      openError.value = toShownError(caught);
      return false;
    } finally {
      opening.value = false;
    }
  }

  /** Creates a resident identity sealed with the passphrase, and opens it. */
  async function create(label: string, secret: string): Promise<boolean> {
    if (creating.value) return false;
    creating.value = true;
    createError.value = null;
    try {
      const created = await client.call('keystore.create', { label, passphrase: secret });
      begin(created, secret);
      await loadIdentities();
      return true;
    } catch (caught) {
      createError.value = toShownError(caught);
      return false;
    } finally {
      creating.value = false;
    }
  }

  /** Forgets the passphrase and everything shown for the identity. */
  function close(): void {
    session += 1;
    identity.value = null;
    passphrase = null;
    application.value = null;
    wallet.value = null;
    error.value = null;
    resetApplication();
    resetPayment();
  }

  // The programme, the application and the wallet ---------------------------------------------------------
  /** The programme chosen, or the first on the chain. */
  const chosenProgramme = ref<string | null>(null);
  const programme = computed(() => vouchers.byId(chosenProgramme.value) ?? vouchers.programmes[0] ?? null);
  const application = shallowRef<VoucherApplicationStatus | null>(null);
  const wallet = shallowRef<VoucherWallet | null>(null);
  const error = shallowRef<ShownError | null>(null);

  const refresh = coalesced(async () => {
    const opened = identity.value;
    const p = programme.value;
    if (!opened || !p) return;
    const at = session;
    try {
      const [status, held] = await Promise.all([
        client.call('voucher.application', { programme: p.id, resident: opened.id }),
        client.call('voucher.wallet', { programme: p.id, resident: opened.id }),
      ]);
      if (at !== session) return;
      application.value = status;
      wallet.value = held;
      error.value = null;
    } catch (caught) {
      if (at === session) error.value = toShownError(caught);
    }
  });

  function chooseProgramme(id: string): void {
    chosenProgramme.value = id;
    application.value = null;
    wallet.value = null;
    resetApplication();
    resetPayment();
    void refresh();
  }

  // Applying ------------------------------------------------------------------------------------------------
  const applyState = ref<'idle' | 'checking' | 'submitting'>('idle');
  const fieldErrors = shallowRef<FieldErrors>({});
  const applyError = shallowRef<ShownError | null>(null);

  function resetApplication(): void {
    applyState.value = 'idle';
    fieldErrors.value = {};
    applyError.value = null;
  }

  /** The node's problems with the details (a residency not chosen yet is checked here: the node needs one). */
  async function problemsOf(form: DetailsForm): Promise<FieldErrors> {
    const p = programme.value;
    if (!p) return {};
    const details: VoucherApplicantDetails = { hkid: form.hkid, name: form.name, dateOfBirth: form.dateOfBirth, residency: form.residency || 'permanent' };
    const { problems } = await client.call('voucher.checkDetails', { programme: p.id, details });
    const errors: Record<string, string> = {};
    for (const problem of problems) errors[problem.field] ??= problem.message;
    if (form.residency === '') errors['residency'] = CHOOSE_RESIDENCY;
    return errors as FieldErrors;
  }

  /**
   * Checks the details with the node; with any problem, shows them beside their fields and submits nothing.
   * Otherwise applies (sealed to the reviewers) and waits until the application is final.
   */
  async function apply(form: DetailsForm): Promise<boolean> {
    const opened = identity.value;
    const p = programme.value;
    if (!opened || !p || applyState.value !== 'idle') return false;
    const at = session;
    applyError.value = null;
    applyState.value = 'checking';
    try {
      const errors = await problemsOf(form);
      if (at !== session) return false;
      fieldErrors.value = errors;
      if (Object.keys(errors).length > 0 || form.residency === '') return false;
      applyState.value = 'submitting';
      await client.call('voucher.apply', {
        programme: p.id,
        resident: opened.id,
        ...(passphrase === null ? {} : { passphrase }),
        details: { hkid: form.hkid, name: form.name, dateOfBirth: form.dateOfBirth, residency: form.residency },
      });
      if (at !== session) return false;
      await refresh();
      return true;
    } catch (caught) {
      if (at !== session) return false;
      const field = caught instanceof ApiError ? caught.details['field'] : undefined;
      if (caught instanceof ApiError && caught.code === 'VOUCHER_DETAILS_INVALID' && typeof field === 'string') {
        fieldErrors.value = { ...fieldErrors.value, [field]: caught.message };
      } else {
        applyError.value = toShownError(caught);
      }
      return false;
    } finally {
      if (at === session) applyState.value = 'idle';
    }
  }

  // Paying ----------------------------------------------------------------------------------------------------
  const payState = ref<'idle' | 'looking' | 'paying'>('idle');
  const preview = shallowRef<PaymentPreview | null>(null);
  /** A code that could not be looked up: shown beside the code field. */
  const lookupError = shallowRef<ShownError | null>(null);
  const payError = shallowRef<ShownError | null>(null);
  const paid = shallowRef<PaymentDone | null>(null);

  function resetPayment(): void {
    payState.value = 'idle';
    preview.value = null;
    lookupError.value = null;
    payError.value = null;
    paid.value = null;
  }

  /** Reads the request behind a typed or scanned code, for the resident to see before paying. */
  async function lookup(code: string): Promise<boolean> {
    const opened = identity.value;
    const p = programme.value;
    if (!opened || !p || payState.value !== 'idle') return false;
    const at = session;
    resetPayment();
    payState.value = 'looking';
    try {
      const [request] = await Promise.all([
        client.call('voucher.paymentRequest', { programme: p.id, code: code.trim(), resident: opened.id }),
        refresh(),
      ]);
      if (at !== session) return false;
      preview.value = { request, spendableCents: wallet.value?.spendableCents ?? 0 };
      return true;
    } catch (caught) {
      if (at === session) lookupError.value = toShownError(caught);
      return false;
    } finally {
      if (at === session) payState.value = 'idle';
    }
  }

  /** Pays the previewed request, waiting until the payment is final; a refusal lands in `payError`. */
  async function pay(): Promise<boolean> {
    const opened = identity.value;
    const shown = preview.value;
    if (!opened || !shown || payState.value !== 'idle') return false;
    const at = session;
    payError.value = null;
    payState.value = 'paying';
    try {
      const answer = await client.call('voucher.pay', {
        programme: shown.request.programme,
        resident: opened.id,
        ...(passphrase === null ? {} : { passphrase }),
        code: shown.request.code,
      });
      if (at !== session) return false;
      paid.value = { request: shown.request, redemption: answer.redemption, height: answer.height, alreadyPaid: answer.alreadyPaid };
      preview.value = null;
      await refresh();
      return true;
    } catch (caught) {
      if (at !== session) return false;
      payError.value = toShownError(caught);
      // Whatever happened, show the balance as the ledger has it now.
      await refresh();
      return false;
    } finally {
      if (at === session) payState.value = 'idle';
    }
  }

  // Live ------------------------------------------------------------------------------------------------------
  // Made with the store (not in start()), so they live as long as the store, not as the first window's view.
  watch(
    () => vouchers.changes,
    () => void refresh(),
  );
  // The programme list may arrive after the identity was opened.
  watch(
    () => programme.value?.id,
    (id, before) => {
      if (id && id !== before) void refresh();
    },
  );

  let started = false;
  function start(): void {
    if (started) return;
    started = true;
    vouchers.start();
    client.onConnectionChange((state) => {
      if (state === 'open') {
        void loadIdentities();
        void refresh();
      }
    });
    if (client.connection === 'open') void loadIdentities();
  }

  return {
    identities,
    identitiesLoaded,
    identitiesError,
    loadIdentities,
    identity,
    lastIdentityId,
    opening,
    openError,
    creating,
    createError,
    open,
    create,
    close,
    programme,
    chooseProgramme,
    application,
    wallet,
    error,
    refresh,
    applyState,
    fieldErrors,
    applyError,
    apply,
    payState,
    preview,
    lookupError,
    payError,
    paid,
    lookup,
    pay,
    resetPayment,
    start,
  };
});
