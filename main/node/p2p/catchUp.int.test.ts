/**
 * Catch-up from several peers at once, between real node processes on loopback. A chain of 300 final
 * blocks is built straight into a store (not through consensus: that is not what is tested here) and
 * copied to three observer nodes; a fresh observer syncs from them. It asks them for different ranges at
 * once, checks every block and certificate, and ends on the same head. A peer that answers with a forged
 * certificate is named in the sync progress, penalised, and its range is asked of another peer.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApiClient } from '../../../test/support/apiClient';
import { startNodeProcess, type CliProcess } from '../../../test/support/cli';
import { makeTempDir } from '../../../test/support/tempDir';
import { openStore } from '../store/database';
import { commitTestBlocks, createTestNetwork, type CommittedTestBlock } from '../store/testChain';
import { makeNodeKey, RawPeer } from './testing';

const BLOCKS = 300;
const PASSPHRASE = 'catch-up-test';
const temp = makeTempDir('civichain-catchup-');
const processes: CliProcess[] = [];
const clients: TestApiClient[] = [];
const network = createTestNetwork('Catch-up from several peers');
let chain: CommittedTestBlock[] = [];
let sourceDb = '';
let dirs = 0;

interface Node {
  proc: CliProcess;
  api: TestApiClient;
  p2pUrl: string;
}

function dataDir(withChain: boolean): string {
  const dir = join(temp.path, `node-${dirs++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'genesis.json'), JSON.stringify(network.genesis));
  if (withChain) copyFileSync(sourceDb, join(dir, 'chain.sqlite'));
  return dir;
}

async function start(dir: string, peers: string[] = []): Promise<Node> {
  const { proc, api, p2pUrl } = await startNodeProcess(
    ['--data', dir, '--api-port', '0', '--p2p-port', '0', '--observer', '--no-peer-exchange', ...peers.flatMap((p) => ['--peer', p])],
    { CIVICHAIN_NODE_PASSPHRASE: PASSPHRASE },
  );
  processes.push(proc);
  clients.push(api);
  return { proc, api, p2pUrl };
}

const height = async (node: Node) => (await node.api.call<{ height: number }>('node.status')).height;
const blockHashAt = async (node: Node, h: number) => (await node.api.call<{ hash: string }>('chain.block', { height: h })).hash;

beforeAll(() => {
  const sourceDir = join(temp.path, 'source');
  mkdirSync(sourceDir);
  sourceDb = join(sourceDir, 'chain.sqlite');
  const store = openStore({ path: sourceDb, genesis: network.genesis, genesisHash: network.genesisHash });
  chain = commitTestBlocks(store, network, BLOCKS, { txsPerBlock: 2 });
  store.close();
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const proc of processes) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
    await proc.exited;
  }
  temp.remove();
});

describe('catch-up from several peers at once', () => {
  it('a fresh node gets different ranges from more than one of three peers, checks every block and ends on the same head', async () => {
    const peers = await Promise.all([0, 1, 2].map(() => start(dataDir(true))));
    for (const peer of peers) expect(await height(peer)).toBe(BLOCKS);
    const fresh = await start(
      dataDir(false),
      peers.map((p) => p.p2pUrl),
    );
    await expect.poll(() => height(fresh), { timeout: 60_000 }).toBe(BLOCKS);
    for (const h of [1, 50, 51, 151, 299, BLOCKS]) expect(await blockHashAt(fresh, h)).toBe(chain[h - 1]!.hash);

    // Where the blocks came from: the node logs it once caught up.
    await expect.poll(() => fresh.proc.stderr(), { timeout: 20_000 }).toMatch(/caught up .*blocksByPeer=/);
    const line = fresh.proc.stderr().split('\n').find((l) => /caught up /.test(l))!;
    const blocksByPeer = JSON.parse(/blocksByPeer=(\{[^}]*\})/.exec(line)![1]!) as Record<string, number>;
    const servedBy = Object.values(blocksByPeer).filter((n) => n > 0);
    expect(servedBy.length, `blocks by peer: ${JSON.stringify(blocksByPeer)}`).toBeGreaterThanOrEqual(2);
    expect(servedBy.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(BLOCKS);
    const progress = fresh.api.events.filter((e) => e.event === 'sync.progress').map((e) => e.payload as { blocksLeft: number });
    expect(progress.at(-1)?.blocksLeft).toBe(0);
  }, 120_000);

  it('a peer that answers with a forged certificate is named, penalised, and its range is asked of another', async () => {
    const fresh = await start(dataDir(false));
    const { genesisHash } = await fresh.api.call<{ genesisHash: string }>('node.identity');
    const liar = await RawPeer.connect(fresh.p2pUrl, makeNodeKey(), { chainId: network.genesis.chainId, genesisHash });
    await liar.handshake({ height: BLOCKS });
    // The liar is the only peer, so it is asked first; it answers with the real blocks under certificates
    // holding one approval (below the quorum).
    await expect.poll(() => liar.frames.some((f) => f.type === 'consensus' && (f.message as { type: string }).type === 'sync-request'), { timeout: 20_000 }).toBe(true);
    const request = liar.frames.find((f) => f.type === 'consensus' && (f.message as { type: string }).type === 'sync-request')!.message as {
      fromHeight: number;
      toHeight: number;
    };
    expect(request).toMatchObject({ fromHeight: 1, toHeight: 50 });
    for (let h = request.fromHeight; h <= request.toHeight; h++) {
      const { block, certificate } = chain[h - 1]!;
      liar.send({ type: 'consensus', message: { type: 'commit', block, certificate: { ...certificate, approvals: certificate.approvals.slice(0, 1) } } });
    }
    liar.send({ type: 'consensus', message: { type: 'sync-end', fromHeight: request.fromHeight, lastHeight: request.toHeight } });

    const stalls = () =>
      fresh.api.events
        .filter((e) => e.event === 'sync.progress')
        .map((e) => (e.payload as { stalled: string | null }).stalled)
        .filter((s): s is string => s !== null);
    await expect.poll(stalls, { timeout: 20_000 }).toContainEqual(expect.stringMatching(new RegExp(`^invalid data from peer ${liar.key.publicKey.slice(0, 12)}… at block 1: CERT_BELOW_QUORUM`)));
    const liarView = async () => (await fresh.api.call<{ peers: { id: string; score: number }[] }>('peers.list')).peers.find((p) => p.id === liar.key.publicKey);
    expect((await liarView())?.score).toBeLessThanOrEqual(80);
    expect(await height(fresh)).toBe(0);

    // An honest peer comes: it gets the liar's range, and the node ends on the real chain.
    const honest = await start(dataDir(true));
    await fresh.api.call('peers.add', { address: honest.p2pUrl });
    await expect.poll(() => height(fresh), { timeout: 60_000 }).toBe(BLOCKS);
    expect(await blockHashAt(fresh, 1)).toBe(chain[0]!.hash);
    expect(await blockHashAt(fresh, BLOCKS)).toBe(chain[BLOCKS - 1]!.hash);
    expect(fresh.proc.stderr()).toMatch(new RegExp(`a peer sent an invalid final block .*peer=${liar.key.publicKey.slice(0, 12)}`));
    await liar.close();
  }, 120_000);
});
