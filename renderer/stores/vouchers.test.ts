import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { fakeClient, PROGRAMME, settled } from './fakeClient';
import { useVouchersStore } from './vouchers';

function storeWith(client: CivichainClient) {
  const app = createApp({});
  app.provide(CLIENT_KEY, client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return useVouchersStore();
}

describe('useVouchersStore', () => {
  it('fetches the programmes once connected and again after each voucher.changed', async () => {
    let pending = 0;
    const fake = fakeClient({ 'voucher.programmes': () => ({ programmes: [{ ...PROGRAMME, counts: { ...PROGRAMME.counts, applicants: { pending, approved: 0, denied: 0 } } }] }) }, 'connecting');
    const store = storeWith(fake.client);
    store.start();
    store.start();
    await settled();
    expect(fake.calls).toHaveLength(0);
    fake.setConnection('open');
    await settled();
    expect(store.loaded).toBe(true);
    expect(store.byId('hk-consumption-2026')?.counts.applicants.pending).toBe(0);

    pending = 1;
    fake.emit('voucher.changed', { programme: 'hk-consumption-2026', height: 3 });
    await settled();
    expect(store.byId('hk-consumption-2026')?.counts.applicants.pending).toBe(1);
    expect(store.changes).toBe(1);
    expect(fake.calls).toHaveLength(2);
  });

  it('keeps the last list and shows the error when a refresh fails', async () => {
    let fail = false;
    const fake = fakeClient({
      'voucher.programmes': () => {
        if (fail) throw new TypeError('boom');
        return { programmes: [PROGRAMME] };
      },
    });
    const store = storeWith(fake.client);
    store.start();
    await settled();
    fail = true;
    fake.emit('voucher.changed', { programme: 'hk-consumption-2026', height: 3 });
    await settled();
    expect(store.programmes).toHaveLength(1);
    expect(store.error).not.toBeNull();
  });
});
