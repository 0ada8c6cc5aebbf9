/**
 * The ledger through a real headless node (a process, a real SQLite store, worker threads, the WebSocket
 * API): transactions become final, duplicates are included once, bad input is refused with its own code and
 * changes nothing, and manual approval waits for a person.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signTransaction, type Transaction } from '../core/ledger/transaction';
import { testKey } from '../core/ledger/testFixtures';
import type { TestApiClient } from '../../test/support/apiClient';
import { startNodeProcess, type CliProcess, testResources } from '../../test/support/cli';
import { makeTempDir } from '../../test/support/tempDir';

const CHAIN_ID = 'civichain-demo-1';
const alice = testKey('ledger-int-alice');

const { processes, clients, temps, release } = testResources();

afterEach(release);

/**
 * A demo node; a fresh one is returned once the demo election it creates at start is final, with that
 * height as `base`: the blocks a test makes come after it.
 */
async function startNode(dataDir?: string): Promise<{ api: TestApiClient; proc: CliProcess; dataDir: string; base: number }> {
  let dir = dataDir;
  if (!dir) {
    const temp = makeTempDir();
    temps.push(temp);
    dir = temp.path;
  }
  const { proc, api } = await startNodeProcess(['--data', dir, '--api-port', '0', '--p2p-port', '0', '--demo']);
  processes.push(proc);
  clients.push(api);
  if (dataDir) return { api, proc, dataDir: dir, base: (await api.call<{ height: number }>('node.status')).height };
  await expect
    .poll(async () => {
      const status = await api.call<{ height: number; mempoolSize: number }>('node.status');
      return status.height >= 1 && status.mempoolSize === 0;
    }, { timeout: 20_000 })
    .toBe(true);
  return { api, proc, dataDir: dir, base: (await api.call<{ height: number }>('node.status')).height };
}

function note(nonce: string, text = 'hello', chainId = CHAIN_ID): Transaction {
  return signTransaction({ type: 'note', chainId, signer: alice.publicKey, nonce, payload: { text } }, alice.privateKey);
}

type TxLookup = { status: { state: string; height?: number } | null };

async function finalHeightOf(api: TestApiClient, hash: string): Promise<number> {
  let lookup: TxLookup;
  await expect.poll(async () => (lookup = await api.call<TxLookup>('tx.get', { hash })).status?.state, { timeout: 20_000 }).toBe('final');
  return lookup!.status!.height!;
}

describe('ledger through the API', () => {
  it('a signed transaction becomes final in a block with a quorum certificate', async () => {
    const { api } = await startNode();
    const tx = note('first');
    const { hash, duplicate } = await api.call<{ hash: string; duplicate: boolean }>('tx.submit', { transaction: tx });
    expect(duplicate).toBe(false);
    const height = await finalHeightOf(api, hash);
    const block = await api.call<{ transactions: { hash: string }[]; certificate: { approvals: unknown[] }; header: { height: number } }>('chain.block', { height });
    expect(block.transactions.map((t) => t.hash)).toEqual([hash]);
    expect(block.certificate.approvals.length).toBeGreaterThanOrEqual(3);
    const status = await api.call<{ height: number; finalHeight: number; localValidators: string[]; proposer: boolean }>('node.status');
    expect(status).toMatchObject({ height, finalHeight: height, proposer: true });
    expect(status.localValidators).toHaveLength(3);
    expect(api.events.map((e) => e.event)).toEqual(expect.arrayContaining(['block.proposed', 'block.final', 'mempool.changed']));
  });

  it('the same signed transaction submitted twice is included once', async () => {
    const { api, base } = await startNode();
    const tx = note('twice');
    const [a, b] = await Promise.all([api.call<{ hash: string }>('tx.submit', { transaction: tx }), api.call<{ hash: string; duplicate: boolean }>('tx.submit', { transaction: tx })]);
    expect(a.hash).toBe(b.hash);
    const height = await finalHeightOf(api, a.hash);
    const again = await api.call<{ hash: string; duplicate: boolean }>('tx.submit', { transaction: tx });
    expect(again).toEqual({ hash: a.hash, duplicate: true });
    await api.call('miner.mine');
    await expect.poll(async () => (await api.call<{ height: number }>('node.status')).height, { timeout: 20_000 }).toBeGreaterThan(height);
    const { blocks } = await api.call<{ blocks: { height: number; txCount: number }[] }>('chain.blocks', { limit: 100 });
    expect(blocks.filter((b) => b.height > base).reduce((sum, b) => sum + b.txCount, 0)).toBe(1);
  });

  it('bad transactions are refused with their own code and change nothing', async () => {
    const { api, base } = await startNode();
    const good = note('good');
    const forged = { ...good, signature: note('other').signature };
    expect((await api.callError('tx.submit', { transaction: forged })).data.code).toBe('TX_BAD_SIGNATURE');
    expect((await api.callError('tx.submit', { transaction: note('x', 'hi', 'another-chain') })).data.code).toBe('TX_WRONG_CHAIN');
    const malformed = await api.callError('tx.submit', { transaction: { ...good, nonce: '' } });
    expect(malformed.data).toMatchObject({ code: 'TX_MALFORMED', details: { field: 'nonce' } });
    const unknownType = signTransaction({ type: 'mint-money', chainId: CHAIN_ID, signer: alice.publicKey, nonce: 'mint', payload: {} }, alice.privateKey);
    expect((await api.callError('tx.submit', { transaction: unknownType })).data.code).toBe('TX_UNKNOWN_TYPE');
    const tooLong = signTransaction({ type: 'note', chainId: CHAIN_ID, signer: alice.publicKey, nonce: 'long', payload: { text: 'x'.repeat(2000) } }, alice.privateKey);
    expect((await api.callError('tx.submit', { transaction: tooLong })).data).toMatchObject({ code: 'TX_INVALID_PAYLOAD', details: { field: 'payload.text' } });
    expect((await api.callError('tx.submit', {})).data).toMatchObject({ code: 'INVALID_PARAMS', details: { fields: ['transaction'] } });
    const status = await api.call<{ mempoolSize: number; height: number }>('node.status');
    expect(status).toMatchObject({ mempoolSize: 0, height: base });
    expect((await api.call<TxLookup>('tx.get', { hash: 'ab'.repeat(32) })).status).toBeNull();
    expect((await api.callError('chain.block', { height: 99 })).data.code).toBe('BLOCK_NOT_FOUND');
  });

  it('manual approval: the block waits; a rejection is recorded with its reason; approval makes the next one final', async () => {
    const { api, proc, dataDir, base } = await startNode();
    await api.call('validator.setMode', { mode: 'manual' });
    const { hash } = await api.call<{ hash: string }>('tx.submit', { transaction: note('manual') });
    type Pending = { blocks: { height: number; round: number; blockHash: string; checks: { name: string; ok: boolean }[]; transactions: { hash: string }[] }[] };
    await expect.poll(async () => (await api.call<Pending>('validator.pending')).blocks.length, { timeout: 10_000 }).toBe(1);
    const pendingNow = await api.call<Pending>('validator.pending');
    const [first] = pendingNow.blocks;
    expect(first, JSON.stringify(pendingNow) + proc.stderr()).toBeDefined();
    expect(first!.transactions.map((t) => t.hash)).toEqual([hash]);
    expect(first!.checks.every((c) => c.ok)).toBe(true);
    expect((await api.call<{ height: number }>('node.status')).height).toBe(base);

    expect((await api.callError('validator.reject', { height: base + 1, round: first!.round, blockHash: first!.blockHash, reason: '' })).data).toMatchObject({ code: 'INVALID_PARAMS', details: { fields: ['reason'] } });
    await api.call('validator.reject', { height: base + 1, round: first!.round, blockHash: first!.blockHash, reason: 'Proposed outside polling hours' });
    const { rejections } = await api.call<{ rejections: { reason: string; blockHash: string }[] }>('validator.rejections', { blockHash: first!.blockHash });
    expect(rejections.length).toBe(3);
    expect(rejections[0]).toMatchObject({ reason: 'Proposed outside polling hours', blockHash: first!.blockHash });
    expect(api.events.some((e) => e.event === 'block.rejected')).toBe(true);

    // After the round times out, the proposer offers the transaction again in a new block.
    await expect
      .poll(async () => {
        const next = (await api.call<Pending>('validator.pending')).blocks[0];
        return next !== undefined && next.blockHash !== first!.blockHash;
      }, { timeout: 20_000 })
      .toBe(true);
    const [second] = (await api.call<Pending>('validator.pending')).blocks;
    expect(second!.round).toBeGreaterThan(first!.round);
    await api.call('validator.approve', { height: base + 1, round: second!.round, blockHash: second!.blockHash });
    expect(await finalHeightOf(api, hash)).toBe(base + 1);
    expect((await api.call<{ hash: string }>('chain.block', { height: base + 1 })).hash).toBe(second!.blockHash);

    // The choice of mode survives a restart.
    proc.child.kill('SIGTERM');
    await proc.exited;
    const restarted = await startNode(dataDir);
    expect((await restarted.api.call<{ approvalMode: string }>('node.status')).approvalMode).toBe('manual');
    expect((await restarted.api.callError('validator.approve', { height: base + 2, round: 0, blockHash: 'ab'.repeat(32) })).data.code).toBe('NOT_PENDING');
  });
});
