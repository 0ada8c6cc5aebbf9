import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createApp } from 'vue';
import type { BlockDetail, EvidenceJSON, NodeStatus, PendingBlock, RejectionJSON } from '../../preload/contract';
import type { CivichainClient } from '../api/client';
import { CLIENT_KEY } from '../app/injection';
import { useNodeStore } from './node';
import { fakeClient, settled, type FakeHandlers } from '../api/fakeClient';
import { useValidatorDeskStore } from './validatorDesk';

const V1 = '11'.repeat(32);
const V2 = '22'.repeat(32);
const OTHER = '99'.repeat(32);
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

const STATUS = { approvalMode: 'manual', localValidators: [V1, V2] } as unknown as NodeStatus;

function pendingBlock(height: number, round: number): PendingBlock {
  return {
    height,
    round,
    blockHash: hashOf(height * 10 + round),
    header: { chainId: 'c', height, previousHash: hashOf(0), timeMs: 1, txRoot: hashOf(0), txCount: 0, proposer: OTHER, round, difficulty: 8, nonce: 1 },
    transactions: [],
    checks: [{ name: 'Proof-of-work', ok: true, detail: '8 bits' }],
    validators: [V1, V2],
    receivedAtMs: 1,
  };
}

function rejection(validator: string, height: number, round: number, reason: string): RejectionJSON {
  return { height, round, blockHash: hashOf(height * 10 + round), validator, reason, signature: 'ab', recordedAtMs: 5 };
}

function setUp(handlers: FakeHandlers) {
  const fake = fakeClient({ 'node.status': () => STATUS, 'node.identity': () => ({}) as never, ...handlers });
  const app = createApp({});
  app.provide(CLIENT_KEY, fake.client as CivichainClient);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { fake, node: useNodeStore(), desk: useValidatorDeskStore() };
}

const baseHandlers = (pending: PendingBlock[], rejections: RejectionJSON[] = [], evidence: EvidenceJSON[] = []): FakeHandlers => ({
  'validator.pending': () => ({ blocks: pending }),
  'validator.rejections': () => ({ rejections }),
  'chain.evidence': () => ({ evidence }),
  'chain.blocks': () => ({ blocks: [], height: 0 }),
});

describe('useValidatorDeskStore', () => {
  it('loads the queue oldest first, shows the first block, and moves with j/k within the queue', async () => {
    const { node, desk } = setUp(baseHandlers([pendingBlock(5, 1), pendingBlock(5, 0)]));
    node.start();
    desk.start();
    await settled();
    expect(desk.pending.map((b) => b.round)).toEqual([0, 1]);
    expect(desk.selected?.round).toBe(0);
    desk.move(1);
    expect(desk.selected?.round).toBe(1);
    desk.move(1);
    expect(desk.selected?.round).toBe(1);
    desk.move(-1);
    expect(desk.selected?.round).toBe(0);
  });

  it('approves and rejects the block it is given, with the reason, and keeps the node’s error when refused', async () => {
    const approved: unknown[] = [];
    const rejected: unknown[] = [];
    const { node, desk } = setUp({
      ...baseHandlers([pendingBlock(5, 0)]),
      'validator.approve': (p) => {
        approved.push(p);
        return { approved: [V1, V2] };
      },
      'validator.reject': (p) => {
        rejected.push(p);
        return { rejected: [V1, V2] };
      },
    });
    node.start();
    desk.start();
    await settled();
    const block = desk.selected as PendingBlock;
    expect(await desk.approve(block)).toBe(true);
    expect(approved).toEqual([{ height: 5, round: 0, blockHash: block.blockHash }]);
    expect(await desk.reject(block, 'Wrong time')).toBe(true);
    expect(rejected).toEqual([{ height: 5, round: 0, blockHash: block.blockHash, reason: 'Wrong time' }]);
  });

  it('NOT_PENDING from the node is shown as the action’s error, never thrown', async () => {
    const { node, desk } = setUp({
      ...baseHandlers([pendingBlock(5, 0)]),
      'validator.approve': () => {
        throw Object.assign(new Error('x'), { code: 'NOT_PENDING', message: 'That block is not waiting for approval here.' });
      },
    });
    node.start();
    desk.start();
    await settled();
    expect(await desk.approve(desk.selected as PendingBlock)).toBe(false);
    expect(desk.actionError).toEqual({ code: 'NOT_PENDING', message: 'That block is not waiting for approval here.' });
  });

  it('history: this node’s rejections grouped per proposal with their reason, and approvals from final certificates', async () => {
    const certificate = (height: number, validators: string[]): BlockDetail =>
      ({
        hash: hashOf(height),
        header: { height, timeMs: height * 1000 },
        certificate: { height, round: 0, blockHash: hashOf(height), approvals: validators.map((validator) => ({ validator, signature: 'ab' })) },
      }) as unknown as BlockDetail;
    const { fake, node, desk } = setUp({
      ...baseHandlers([], [rejection(V1, 3, 0, 'Too early'), rejection(V2, 3, 0, 'Too early'), rejection(OTHER, 3, 0, 'Not mine')]),
      'chain.blocks': () => ({ blocks: [{ height: 3 } as never], height: 3 }),
      'chain.block': (p) => certificate(p.height ?? 0, p.height === 4 ? [OTHER] : [V2, OTHER]),
    });
    node.start();
    desk.start();
    await settled();
    expect(desk.history).toEqual([
      expect.objectContaining({ kind: 'approved', height: 3, validators: [V2] }),
      expect.objectContaining({ kind: 'rejected', height: 3, round: 0, validators: [V1, V2], reason: 'Too early' }),
    ]);
    // A final block without this node's approval adds nothing.
    fake.emit('block.final', { height: 4, round: 0, blockHash: hashOf(4), txCount: 0 });
    await settled();
    expect(desk.history).toHaveLength(2);
  });

  it('collects double-sign evidence as it arrives, and tells listeners of each block that starts waiting', async () => {
    const { fake, node, desk } = setUp(baseHandlers([]));
    node.start();
    desk.start();
    await settled();
    const told: number[] = [];
    desk.onAwaiting((block) => told.push(block.height));
    fake.emit('approval.pending', { height: 9, round: 0, blockHash: hashOf(9) });
    const evidence: EvidenceJSON = { validator: OTHER, height: 9, round: 0, kind: 'approval', firstBlockHash: hashOf(1), secondBlockHash: hashOf(2), recordedAtMs: 1 };
    fake.emit('evidence', evidence);
    expect(told).toEqual([9]);
    expect(desk.evidence).toEqual([evidence]);
  });
});

describe('useValidatorDeskStore under a busy chain', () => {
  it('a burst of block.final events costs a few requests, not one per block', async () => {
    const { fake, node, desk } = setUp({
      ...baseHandlers([]),
      'chain.blocks': () => ({ blocks: [], height: 0 }),
      'chain.block': (p) =>
        ({
          hash: hashOf(p.height ?? 0),
          header: { height: p.height, timeMs: 1 },
          certificate: { height: p.height, round: 0, blockHash: hashOf(p.height ?? 0), approvals: [{ validator: V1, signature: 'ab' }] },
        }) as unknown as BlockDetail,
    });
    node.start();
    desk.start();
    await settled();
    const before = fake.calls.length;
    for (let height = 1; height <= 500; height++) fake.emit('block.final', { height, round: 0, blockHash: hashOf(height), txCount: 0 });
    await settled();
    await settled();
    const made = fake.calls.slice(before);
    expect(made.filter((c) => c.method === 'validator.pending').length).toBeLessThanOrEqual(2);
    expect(made.filter((c) => c.method === 'chain.block').length).toBeLessThanOrEqual(20);
    // The newest blocks are the ones looked at.
    expect(desk.history[0]).toMatchObject({ kind: 'approved', height: 500 });
  });
});
