/**
 * `civichain verify` and `civichain export` on a real chain: three ballots cast through a demo node, the
 * election closed and its result published; verify passes on the data folder and on the exported record,
 * and fails, naming the problem, on a record with one altered ballot, one removed block, or one extra ballot.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ElectionSummary } from '../../preload/contract';
import { prepareBallot } from '../support/booth';
import { runCli, startNodeProcess } from '../support/cli';
import { makeTempDir } from '../support/tempDir';
import { demoCardCode, DEMO_ELECTION_ID } from '../../main/node/workspace/demoElection';

const temp = makeTempDir();
const recordFile = join(temp.path, 'record.json');
interface RecordJSON {
  height: number;
  blocks: { header: { height: number }; transactions?: { type: string; payload: { choices?: string[] } }[] }[];
}

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const proc = runCli(args);
  const { code } = await proc.exited;
  return { code, out: proc.stdout() + proc.stderr() };
}

beforeAll(async () => {
  const dataDir = join(temp.path, 'node');
  const { proc, api } = await startNodeProcess(['--data', dataDir, '--api-port', '0', '--p2p-port', '0', '--demo']);
  try {
    const until = <T>(read: () => Promise<T>, ok: (value: T) => boolean) =>
      vi.waitFor(
        async () => {
          const value = await read();
          if (!ok(value)) throw new TypeError('not yet');
          return value;
        },
        { timeout: 20_000, interval: 50 },
      );
    const election = (await until(async () => (await api.call<{ elections: ElectionSummary[] }>('election.list')).elections[0], Boolean))!;
    const summary = () => api.call<ElectionSummary>('election.get', { election: DEMO_ELECTION_ID });
    const choices = ['democratic', 'socialist', 'democratic'];
    for (const [i, choice] of choices.entries()) {
      const voterId = `VOID00${i + 1}`;
      const { pass } = await api.call<{ pass: string }>('election.checkIn', { election: DEMO_ELECTION_ID, voterId, cardCode: demoCardCode(voterId) });
      const ballot = await prepareBallot(api, 'civichain-demo-1', election, pass, [choice]);
      await api.call('tx.submit', { transaction: ballot.transaction });
    }
    await until(summary, (s) => s.ballots === 3);
    await api.call('election.close', { election: DEMO_ELECTION_ID });
    await until(summary, (s) => s.phase === 'closed');
    await api.call('election.publish', { election: DEMO_ELECTION_ID });
    await until(summary, (s) => s.resultTx !== null);
  } finally {
    api.close();
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
  const exported = await cli(['export', '--data', dataDir, '--election', DEMO_ELECTION_ID, '--out', recordFile]);
  expect(exported.code, exported.out).toBe(0);
}, 90_000);

afterAll(() => temp.remove());

function tampered(name: string, change: (record: RecordJSON) => void): string {
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as RecordJSON;
  change(record);
  const file = join(temp.path, `${name}.json`);
  writeFileSync(file, JSON.stringify(record));
  return file;
}

function ballotBlock(record: RecordJSON): RecordJSON['blocks'][number] {
  const block = record.blocks.find((b) => b.transactions?.some((tx) => tx.type === 'election.ballot'));
  if (!block) throw new TypeError('The record holds no ballot.');
  return block;
}

describe('civichain verify', () => {
  it('recounts the election from the data folder and prints OK', async () => {
    const { code, out } = await cli(['verify', '--data', join(temp.path, 'node')]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/Democratic Party\s+2/);
    expect(out).toMatch(/Socialist party\s+1/);
    expect(out).toContain('result published');
    expect(out.trim().endsWith('OK')).toBe(true);
  }, 60_000);

  it('passes on the exported record', async () => {
    const { code, out } = await cli(['verify', '--record', recordFile]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/ballots 3 of 3 credentials issued, 15 voters on the roll/);
  }, 60_000);

  it('fails on a record with one altered ballot, naming the block', async () => {
    const file = tampered('altered', (record) => {
      const tx = ballotBlock(record).transactions!.find((t) => t.type === 'election.ballot')!;
      tx.payload.choices = ['republican'];
    });
    const { code, out } = await cli(['verify', '--record', file]);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL: Block \d+: .*(Merkle root|signature)/);
  }, 60_000);

  it('fails on a record with one block removed', async () => {
    const file = tampered('removed', (record) => {
      const index = record.blocks.indexOf(ballotBlock(record));
      record.blocks.splice(index, 1);
      record.height -= 1;
    });
    const { code, out } = await cli(['verify', '--record', file]);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL: Block \d+: expected block \d+, found block \d+/);
  }, 60_000);

  it('fails on a record with one extra ballot', async () => {
    const file = tampered('extra', (record) => {
      const block = ballotBlock(record);
      const ballot = block.transactions!.find((t) => t.type === 'election.ballot')!;
      block.transactions!.push(JSON.parse(JSON.stringify(ballot)) as typeof ballot);
    });
    const { code, out } = await cli(['verify', '--record', file]);
    expect(code).toBe(1);
    expect(out).toMatch(/FAIL: Block \d+: The header counts a different number of transactions/);
  }, 60_000);

  it('refuses a file that is not a record', async () => {
    const file = join(temp.path, 'not-a-record.json');
    writeFileSync(file, '{"hello": 1}');
    const { code, out } = await cli(['verify', '--record', file]);
    expect(code).toBe(1);
    expect(out).toContain('FAIL: The record is malformed: format');
  }, 60_000);
});
