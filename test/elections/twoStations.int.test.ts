/**
 * Two polling stations — two nodes of one network, each holding the roll and an official key — check the
 * same voter in at the same moment: exactly one credential becomes final, on both; the other station's
 * official is told the voter was checked in elsewhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ElectionSummary } from '../../preload/contract';
import type { TestApiClient } from '../support/apiClient';
import { startNodeProcess, type StartedNode } from '../support/cli';
import { makeTempDir } from '../support/tempDir';
import { demoCardCode, DEMO_ELECTION_ID } from '../../main/node/workspace/demoElection';

const temps = [makeTempDir(), makeTempDir()];
const nodes: StartedNode[] = [];

afterAll(async () => {
  for (const node of nodes) {
    node.api.close();
    node.proc.child.kill('SIGTERM');
    await node.proc.exited;
  }
  for (const temp of temps) temp.remove();
});

async function credentials(api: TestApiClient): Promise<number | undefined> {
  const { elections } = await api.call<{ elections: ElectionSummary[] }>('election.list');
  return elections.find((e) => e.id === DEMO_ELECTION_ID)?.credentials;
}

describe('two polling stations', () => {
  it('check the same voter in at the same moment: exactly one credential becomes final', async () => {
    const a = await startNodeProcess(['--data', temps[0]!.path, '--api-port', '0', '--p2p-port', '0', '--demo', '--keys', 'validator-1,validator-2,validator-3,proposer-1']);
    nodes.push(a);
    const b = await startNodeProcess(['--data', temps[1]!.path, '--api-port', '0', '--p2p-port', '0', '--demo', '--observer', '--peer', a.p2pUrl]);
    nodes.push(b);
    await expect.poll(() => credentials(a.api), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => credentials(b.api), { timeout: 20_000 }).toBe(0);

    const input = { election: DEMO_ELECTION_ID, voterId: 'VOID007', cardCode: demoCardCode('VOID007') };
    const outcomes = await Promise.allSettled([a.api.call('election.checkIn', input), b.api.call('election.checkIn', input)]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const error = (rejected[0]!.reason as { rpc: { data: { code: string; message: string } } }).rpc.data;
    expect(error.code).toBe('ALREADY_CHECKED_IN');
    expect(error.message).toMatch(/checked in/);

    await expect.poll(() => credentials(a.api), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => credentials(b.api), { timeout: 20_000 }).toBe(1);
  }, 90_000);
});
