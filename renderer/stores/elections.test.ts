import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { useElectionsStore } from './elections';
import { ELECTION, fakeClient, settled } from './fakeClient';

function storeWith(client: CivichainClient) {
  const app = createApp({});
  app.provide(CLIENT_KEY, client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return useElectionsStore();
}

describe('useElectionsStore', () => {
  it('fetches the elections once connected and again after each election.changed', async () => {
    let credentials = 0;
    const fake = fakeClient({ 'election.list': () => ({ elections: [{ ...ELECTION, credentials }] }) }, 'connecting');
    const store = storeWith(fake.client);
    store.start();
    store.start();
    await settled();
    expect(fake.calls).toHaveLength(0);
    fake.setConnection('open');
    await settled();
    expect(store.loaded).toBe(true);
    expect(store.byId('demo-general-2026')?.credentials).toBe(0);
    expect(store.open).toHaveLength(1);

    credentials = 1;
    fake.emit('election.changed', { election: 'demo-general-2026', height: 2 });
    await settled();
    expect(store.byId('demo-general-2026')?.credentials).toBe(1);
    expect(store.changes).toBe(1);
    expect(fake.calls).toHaveLength(2);
  });

  it('never fetches twice at once: refreshes asked for meanwhile run once, after', async () => {
    let running = 0;
    let most = 0;
    const fake = fakeClient({
      'election.list': async () => {
        running += 1;
        most = Math.max(most, running);
        await settled();
        running -= 1;
        return { elections: [ELECTION] };
      },
    });
    const store = storeWith(fake.client);
    await Promise.all([store.refresh(), store.refresh(), store.refresh()]);
    expect(most).toBe(1);
    expect(fake.calls).toHaveLength(2);
  });

  it('keeps the code and message of a failed fetch', async () => {
    const fake = fakeClient({});
    const store = storeWith(fake.client);
    await store.refresh();
    expect(store.error?.code).toBe('METHOD_NOT_FOUND');
    expect(store.loaded).toBe(false);
  });
});
