import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { IdentitySummary, VoucherApplicationStatus, VoucherPaymentRequestView, VoucherWallet } from '../../preload/contract';
import { ApiError, type CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { fakeClient, PROGRAMME, settled, type Handlers } from './fakeClient';
import { useWalletStore, type DetailsForm } from './wallet';

const CHAN: IdentitySummary = { id: 'resident-chan', label: 'Chan Tai Man', role: 'resident', publicKey: 'c1'.repeat(32) };
const LEE: IdentitySummary = { id: 'resident-lee', label: 'Lee Ka Yan', role: 'resident', publicKey: 'c3'.repeat(32) };
const SECRET = 'correct horse battery';
const FORM: DetailsForm = { hkid: 'A123456(3)', name: 'Chan Tai Man', dateOfBirth: '1980-05-01', residency: 'permanent' };
const OCTOPUS = PROGRAMME.operators[0]!.publicKey;
const CODE = `cvr1:${PROGRAMME.id}:${OCTOPUS}:r-1`;
const REQUEST: VoucherPaymentRequestView = {
  code: CODE,
  programme: PROGRAMME.id,
  operator: OCTOPUS,
  operatorName: 'Octopus',
  operatorStatus: 'active',
  requestId: 'r-1',
  amountCents: 12_050,
  reference: 'Wellcome #8812',
  expiresAtMs: 2_000_000_000_000,
  state: 'open',
  redemption: null,
  paidAtMs: null,
  paidByResident: null,
};

const refusal = (code: string, message: string, details: Record<string, unknown> = {}) => new ApiError({ code, message, details });

function walletOf(spendableCents: number): VoucherWallet {
  return { owner: CHAN.publicKey, spendableCents, vouchers: [], history: [] };
}

/** A node with Chan's identity (opened by SECRET), the demo programme, and answers a test can change. */
function demoNode(overrides: Handlers = {}) {
  const node = {
    status: { applicant: CHAN.publicKey, application: null, status: 'none', reason: null } as VoucherApplicationStatus,
    wallet: walletOf(0),
  };
  const handlers: Handlers = {
    'keystore.list': () => ({ identities: [CHAN] }),
    'keystore.open': ({ id, passphrase }) => {
      if (passphrase !== SECRET) throw refusal('WRONG_PASSPHRASE', 'The passphrase does not open the key "Chan Tai Man". Check the passphrase and try again.', { id });
      return id === LEE.id ? LEE : CHAN;
    },
    'voucher.programmes': () => ({ programmes: [PROGRAMME] }),
    'voucher.application': () => node.status,
    'voucher.wallet': () => node.wallet,
    'voucher.checkDetails': () => ({ problems: [] }),
    ...overrides,
  };
  const fake = fakeClient(handlers);
  return { ...fake, node, store: storeWith(fake.client) };
}

function storeWith(client: CivichainClient) {
  const app = createApp({});
  app.provide(CLIENT_KEY, client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  const store = useWalletStore();
  store.start();
  return store;
}

const callsOf = (calls: readonly { method: string; params: unknown }[], method: string) => calls.filter((c) => c.method === method).map((c) => c.params);

describe('useWalletStore: identities', () => {
  it('lists the resident identities, opens one with its passphrase and fetches its application and wallet', async () => {
    const { store, calls } = demoNode();
    await settled();
    expect(store.identities).toEqual([CHAN]);
    expect(callsOf(calls, 'keystore.list')).toEqual([{ role: 'resident' }]);

    expect(await store.open('resident-chan', SECRET)).toBe(true);
    await settled();
    expect(store.identity).toEqual(CHAN);
    expect(store.application?.status).toBe('none');
    expect(store.wallet?.spendableCents).toBe(0);
    expect(callsOf(calls, 'voucher.wallet')).toEqual([{ programme: PROGRAMME.id, resident: 'resident-chan' }]);
  });

  it('WRONG_PASSPHRASE: the identity stays closed and the node’s words are kept to show', async () => {
    const { store } = demoNode();
    expect(await store.open('resident-chan', 'not it')).toBe(false);
    expect(store.identity).toBeNull();
    expect(store.openError).toEqual({ code: 'WRONG_PASSPHRASE', message: expect.stringContaining('does not open') });
    expect(await store.open('resident-chan', SECRET)).toBe(true);
    expect(store.openError).toBeNull();
  });

  it('creates an identity with a name and passphrase, opens it and lists it', async () => {
    const listed: IdentitySummary[] = [CHAN];
    const { store, calls } = demoNode({
      'keystore.list': () => ({ identities: [...listed] }),
      'keystore.create': ({ label }) => {
        const created: IdentitySummary = { id: 'resident-ho-wing', label, role: 'resident', publicKey: 'c9'.repeat(32) };
        listed.push(created);
        return created;
      },
    });
    expect(await store.create('Ho Wing', SECRET)).toBe(true);
    expect(callsOf(calls, 'keystore.create')).toEqual([{ label: 'Ho Wing', passphrase: SECRET }]);
    expect(store.identity?.id).toBe('resident-ho-wing');
    expect(store.identities.map((i) => i.id)).toEqual(['resident-chan', 'resident-ho-wing']);
  });

  it('keeps a failed creation’s error and opens nothing', async () => {
    const { store } = demoNode({
      'keystore.create': () => {
        throw refusal('INVALID_PARAMS', 'Invalid parameters for keystore.create: passphrase: must be at least 8 characters');
      },
    });
    expect(await store.create('Ho Wing', 'short')).toBe(false);
    expect(store.createError?.code).toBe('INVALID_PARAMS');
    expect(store.identity).toBeNull();
  });

  it('the passphrase is never in the store’s state; it signs apply and pay, and Close wallet forgets it', async () => {
    const { store, calls } = demoNode({
      'voucher.apply': () => ({ application: 'a1'.repeat(32), applicant: CHAN.publicKey, height: 3 }),
      'voucher.paymentRequest': () => REQUEST,
      'voucher.pay': () => ({ redemption: 'b1'.repeat(32), height: 4, alreadyPaid: false, vouchers: [] }),
    });
    await store.open('resident-chan', SECRET);
    expect(JSON.stringify(store.$state)).not.toContain(SECRET);
    await store.apply(FORM);
    await store.lookup(CODE);
    await store.pay();
    expect(callsOf(calls, 'voucher.apply')[0]).toMatchObject({ resident: 'resident-chan', passphrase: SECRET });
    expect(callsOf(calls, 'voucher.pay')[0]).toEqual({ programme: PROGRAMME.id, resident: 'resident-chan', passphrase: SECRET, code: CODE });

    store.close();
    expect(store.identity).toBeNull();
    expect(store.lastIdentityId).toBe('resident-chan');
    expect(store.wallet).toBeNull();
    expect(store.paid).toBeNull();
    expect(await store.apply(FORM)).toBe(false);
    expect(await store.pay()).toBe(false);
    expect(callsOf(calls, 'voucher.apply')).toHaveLength(1);
  });
});

describe('useWalletStore: applying', () => {
  it('shows the node’s problems beside their fields and submits nothing', async () => {
    const { store, calls } = demoNode({
      'voucher.checkDetails': () => ({ problems: [{ field: 'hkid', message: 'The check digit of HKID "A123456(4)" is wrong: check the number on the identity card.' }] }),
      'voucher.apply': () => {
        throw new TypeError('must not be called');
      },
    });
    await store.open('resident-chan', SECRET);
    expect(await store.apply({ ...FORM, hkid: 'A123456(4)', residency: '' })).toBe(false);
    expect(store.fieldErrors).toEqual({ hkid: expect.stringContaining('check digit'), residency: 'Choose your residency status.' });
    expect(callsOf(calls, 'voucher.checkDetails')[0]).toEqual({ programme: PROGRAMME.id, details: { ...FORM, hkid: 'A123456(4)', residency: 'permanent' } });
    expect(callsOf(calls, 'voucher.apply')).toHaveLength(0);
    expect(store.applyState).toBe('idle');
  });

  it('applies details the node finds eligible, waits until final, then shows the pending application', async () => {
    const { store, node, calls } = demoNode({
      'voucher.apply': () => {
        node.status = { applicant: CHAN.publicKey, application: 'a1'.repeat(32), status: 'pending', reason: null };
        return { application: 'a1'.repeat(32), applicant: CHAN.publicKey, height: 3 };
      },
    });
    await store.open('resident-chan', SECRET);
    const applying = store.apply(FORM);
    expect(store.applyState).toBe('checking');
    expect(await applying).toBe(true);
    expect(callsOf(calls, 'voucher.apply')[0]).toEqual({ programme: PROGRAMME.id, resident: 'resident-chan', passphrase: SECRET, details: FORM });
    expect(store.application?.status).toBe('pending');
    expect(store.fieldErrors).toEqual({});
  });

  it('VOUCHER_DETAILS_INVALID from apply itself goes beside its field; any other refusal is shown above the form', async () => {
    let answer: ApiError = refusal('VOUCHER_DETAILS_INVALID', 'The applicant must be aged 18 or over; with this date of birth they are not.', { field: 'dateOfBirth' });
    const { store } = demoNode({
      'voucher.apply': () => {
        throw answer;
      },
    });
    await store.open('resident-chan', SECRET);
    expect(await store.apply(FORM)).toBe(false);
    expect(store.fieldErrors).toEqual({ dateOfBirth: expect.stringContaining('18 or over') });
    expect(store.applyError).toBeNull();

    answer = refusal('TX_VOUCHER_APPLICATION_OPEN', 'This key already has an application waiting for review; wait for the decision.');
    expect(await store.apply(FORM)).toBe(false);
    expect(store.applyError?.code).toBe('TX_VOUCHER_APPLICATION_OPEN');
  });

});

describe('useWalletStore: live', () => {
  it('voucher.changed fetches the application and wallet again: approved, HK$5,000 in two instalments', async () => {
    const { store, node, emit } = demoNode();
    await store.open('resident-chan', SECRET);
    await settled();
    node.status = { applicant: CHAN.publicKey, application: 'a1'.repeat(32), status: 'approved', reason: null };
    node.wallet = {
      ...walletOf(500_000),
      vouchers: [
        { id: 'v1', amountCents: 200_000, releaseAtMs: 0, expiresAtMs: 1, issuedBy: 'a', spentBy: null, pendingRedemption: null, spendableNow: true },
        { id: 'v2', amountCents: 300_000, releaseAtMs: 0, expiresAtMs: 2, issuedBy: 'a', spentBy: null, pendingRedemption: null, spendableNow: true },
      ],
    };
    emit('voucher.changed', { programme: PROGRAMME.id, height: 5 });
    await settled();
    expect(store.application?.status).toBe('approved');
    expect(store.wallet?.spendableCents).toBe(500_000);
    expect(store.wallet?.vouchers.map((v) => v.amountCents)).toEqual([200_000, 300_000]);
  });

  it('a denial comes with its reason', async () => {
    const { store, node, emit } = demoNode();
    await store.open('resident-chan', SECRET);
    node.status = { applicant: CHAN.publicKey, application: 'a1'.repeat(32), status: 'denied', reason: 'This HKID already received the vouchers.' };
    emit('voucher.changed', { programme: PROGRAMME.id, height: 6 });
    await settled();
    expect(store.application).toMatchObject({ status: 'denied', reason: 'This HKID already received the vouchers.' });
  });

  it('drops answers that arrive after the wallet was closed or switched', async () => {
    let release: () => void = () => undefined;
    const { store } = demoNode({
      'voucher.paymentRequest': () =>
        new Promise<VoucherPaymentRequestView>((resolve) => {
          release = () => resolve(REQUEST);
        }),
    });
    await store.open('resident-chan', SECRET);
    const looking = store.lookup(CODE);
    store.close();
    await store.open('resident-lee', SECRET);
    release();
    expect(await looking).toBe(false);
    expect(store.identity?.id).toBe('resident-lee');
    expect(store.preview).toBeNull();
    expect(store.payState).toBe('idle');
  });
});

describe('useWalletStore: paying', () => {
  it('looks the code up with the balance at that moment, then pays it and shows the balance after', async () => {
    const { store, node, calls } = demoNode({
      'voucher.paymentRequest': () => REQUEST,
      'voucher.pay': () => {
        node.wallet = walletOf(300_000);
        return { redemption: 'b1'.repeat(32), height: 7, alreadyPaid: false, vouchers: ['v1'] };
      },
    });
    node.wallet = walletOf(500_000);
    await store.open('resident-chan', SECRET);
    expect(await store.lookup(`  ${CODE}  `)).toBe(true);
    expect(callsOf(calls, 'voucher.paymentRequest')).toEqual([{ programme: PROGRAMME.id, code: CODE, resident: 'resident-chan' }]);
    expect(store.preview).toEqual({ request: REQUEST, spendableCents: 500_000 });

    const paying = store.pay();
    expect(store.payState).toBe('paying');
    expect(await paying).toBe(true);
    expect(store.paid).toEqual({ request: REQUEST, redemption: 'b1'.repeat(32), height: 7, alreadyPaid: false });
    expect(store.preview).toBeNull();
    expect(store.wallet?.spendableCents).toBe(300_000);
  });

  it('a retry answered alreadyPaid is shown as charged once', async () => {
    const { store } = demoNode({
      'voucher.paymentRequest': () => REQUEST,
      'voucher.pay': () => ({ redemption: 'b1'.repeat(32), height: 7, alreadyPaid: true, vouchers: ['v1'] }),
    });
    await store.open('resident-chan', SECRET);
    await store.lookup(CODE);
    await store.pay();
    expect(store.paid?.alreadyPaid).toBe(true);
  });

  it('VOUCHER_CODE_INVALID and VOUCHER_REQUEST_UNKNOWN stay with the code field; nothing is previewed', async () => {
    const { store } = demoNode({
      'voucher.paymentRequest': ({ code }) => {
        throw refusal(code.startsWith('cvr1') ? 'VOUCHER_REQUEST_UNKNOWN' : 'VOUCHER_CODE_INVALID', 'not a code', { field: 'code' });
      },
    });
    await store.open('resident-chan', SECRET);
    expect(await store.lookup('hello')).toBe(false);
    expect(store.lookupError?.code).toBe('VOUCHER_CODE_INVALID');
    expect(store.preview).toBeNull();
    expect(await store.lookup(CODE)).toBe(false);
    expect(store.lookupError?.code).toBe('VOUCHER_REQUEST_UNKNOWN');
  });

  it('a refusal (a voucher spent at another operator meanwhile) keeps the preview, says why and shows the balance as it is', async () => {
    const { store, node } = demoNode({
      'voucher.paymentRequest': () => REQUEST,
      'voucher.pay': () => {
        node.wallet = walletOf(300_000);
        throw refusal('TX_DROPPED', 'The transaction left the mempool without being included: the ledger refused it in the meantime.');
      },
    });
    node.wallet = walletOf(500_000);
    await store.open('resident-chan', SECRET);
    await store.lookup(CODE);
    expect(await store.pay()).toBe(false);
    expect(store.payError?.code).toBe('TX_DROPPED');
    expect(store.paid).toBeNull();
    expect(store.preview?.request).toEqual(REQUEST);
    expect(store.wallet?.spendableCents).toBe(300_000);
    store.resetPayment();
    expect(store.payError).toBeNull();
    expect(store.preview).toBeNull();
  });
});
