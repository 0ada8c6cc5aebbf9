import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from 'vue';
import type { NodeIdentity, TransactionStatus } from '../../preload/contract';
import { ApiError, type CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { useBoothStore } from './booth';
import { useElectionsStore } from './elections';
import { ELECTION, fakeClient, settled, type Handlers } from './fakeClient';
import { useNodeStore } from './node';

// The crypto is ballotClient's (tested through the node in test/elections); here, what the booth does with it.
const sessions = vi.hoisted(() => ({ started: 0, signed: 0 }));
vi.mock('../windows/booth/ballotClient', () => ({
  BallotSession: {
    start: async () => {
      sessions.started += 1;
      return {
        blindedMessage: 'blinded',
        credentialFrom: (blindSignature: string) => `credential-of-${blindSignature}`,
        sign: async (choices: readonly string[], credential: string) => {
          sessions.signed += 1;
          return { transaction: { type: 'election.ballot', payload: { choices, credential } }, hash: 'ab'.repeat(32) };
        },
      };
    },
  },
  shortTrackingCode: (hash: string) => hash.slice(0, 16).toUpperCase(),
}));

const IDENTITY: NodeIdentity = {
  nodePublicKey: 'cd'.repeat(32),
  dataDir: '/data',
  genesisHash: 'ef'.repeat(32),
  chainId: 'civichain-demo-1',
  networkName: 'Civichain Demo',
  demo: true,
  runtime: 'headless',
};

async function boothWith(handlers: Handlers) {
  const fake = fakeClient({
    'election.list': () => ({ elections: [ELECTION] }),
    'node.identity': () => IDENTITY,
    ...handlers,
  });
  const app = createApp({});
  app.provide(CLIENT_KEY, fake.client as CivichainClient);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  useNodeStore().identity = IDENTITY;
  const booth = useBoothStore();
  booth.start();
  await useElectionsStore().refresh();
  return { booth, fake };
}

beforeEach(() => {
  sessions.started = 0;
  sessions.signed = 0;
});

describe('useBoothStore', () => {
  it('exchanges the typed pass, normalised, and a blinded key for the credential, then shows the ballot', async () => {
    const { booth, fake } = await boothWith({ 'election.credential': () => ({ blindSignature: 'sig' }) });
    booth.go('pass');
    expect(await booth.redeemPass('abcd efgh jk')).toBe(true);
    expect(fake.calls.find((c) => c.method === 'election.credential')?.params).toEqual({
      election: ELECTION.id,
      pass: 'ABCD-EFGH-JK',
      blindedMessage: 'blinded',
    });
    expect(booth.screen).toBe('ballot');
  });

  it('PASS_INVALID keeps the voter on the pass screen with the node’s message', async () => {
    const { booth } = await boothWith({
      'election.credential': () => {
        throw new ApiError({ code: 'PASS_INVALID', message: 'This booth pass is not valid.', details: {} });
      },
    });
    booth.go('pass');
    expect(await booth.redeemPass('ZZZZ-ZZZZ-ZZ')).toBe(false);
    expect(booth.screen).toBe('pass');
    expect(booth.error).toEqual({ code: 'PASS_INVALID', message: 'This booth pass is not valid.' });
  });

  it('refuses to cast without a credential', async () => {
    const { booth, fake } = await boothWith({});
    await booth.cast();
    expect(booth.error?.code).toBe('NO_CREDENTIAL');
    expect(fake.calls.some((c) => c.method === 'tx.submit')).toBe(false);
  });

  it('casts the chosen ballot, follows its status by block events, and Next voter forgets everything', async () => {
    let status: TransactionStatus = { state: 'pending' };
    const { booth, fake } = await boothWith({
      'election.credential': () => ({ blindSignature: 'sig' }),
      'tx.submit': () => ({ hash: 'ab'.repeat(32), duplicate: false }),
      'tx.get': () => ({ hash: 'ab'.repeat(32), transaction: null, status }),
    });
    await booth.redeemPass('ABCD-EFGH-JK');
    booth.toggle('republican');
    booth.go('confirm');
    await booth.cast();
    const submitted = fake.calls.find((c) => c.method === 'tx.submit')?.params as { transaction: { payload: unknown } };
    expect(submitted.transaction.payload).toEqual({ choices: ['republican'], credential: 'credential-of-sig' });
    expect(booth.screen).toBe('receipt');
    expect(booth.receipt?.shortCode).toBe('ABABABABABABABAB');

    status = { state: 'proposed', height: 7, round: 0 };
    fake.emit('block.proposed', { height: 7, round: 0, blockHash: 'cd'.repeat(32), proposer: 'ef'.repeat(32) });
    await settled();
    expect(booth.receipt?.status).toEqual(status);
    status = { state: 'final', height: 7, index: 0, blockHash: 'cd'.repeat(32) };
    fake.emit('block.final', { height: 7, round: 0, blockHash: 'cd'.repeat(32), txCount: 1 });
    await settled();
    expect(booth.receipt?.status?.state).toBe('final');

    // Final is final: no more lookups.
    const lookups = fake.calls.filter((c) => c.method === 'tx.get').length;
    fake.emit('block.final', { height: 8, round: 0, blockHash: 'ee'.repeat(32), txCount: 0 });
    await settled();
    expect(fake.calls.filter((c) => c.method === 'tx.get')).toHaveLength(lookups);

    booth.reset();
    expect(booth.screen).toBe('start');
    expect(booth.receipt).toBeNull();
    expect(booth.chosen).toEqual([]);
    await booth.cast();
    expect(booth.error?.code).toBe('NO_CREDENTIAL');
  });

  it('retries a refused submission with the very same signed ballot', async () => {
    let fail = true;
    const { booth } = await boothWith({
      'election.credential': () => ({ blindSignature: 'sig' }),
      'tx.submit': () => {
        if (fail) throw new ApiError({ code: 'DISCONNECTED', message: 'The connection to the node was lost.', details: {} });
        return { hash: 'ab'.repeat(32), duplicate: false };
      },
      'tx.get': () => ({ hash: 'ab'.repeat(32), transaction: null, status: { state: 'pending' } }),
    });
    await booth.redeemPass('ABCD-EFGH-JK');
    booth.toggle('democratic');
    await booth.cast();
    expect(booth.error?.code).toBe('DISCONNECTED');
    fail = false;
    await booth.cast();
    expect(booth.screen).toBe('receipt');
    expect(sessions.signed).toBe(1);
  });
});
