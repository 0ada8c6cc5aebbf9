import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectApi } from '../../test/support/apiClient';
import { runCli, type CliProcess } from '../../test/support/cli';
import { makeTempDir } from '../../test/support/tempDir';

const running: CliProcess[] = [];
const temps: ReturnType<typeof makeTempDir>[] = [];

afterEach(async () => {
  for (const proc of running.splice(0)) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    await proc.exited;
  }
  for (const temp of temps.splice(0)) temp.remove();
});

function tempDir(): string {
  const temp = makeTempDir();
  temps.push(temp);
  return temp.path;
}

function startNode(dataDir: string, extra: string[] = []): CliProcess {
  const proc = runCli(['node', '--data', dataDir, '--api-port', '0', '--p2p-port', '0', '--demo', ...extra]);
  running.push(proc);
  return proc;
}

/** One call over a fresh connection; replies are matched by id, so broadcast events in between are ignored. */
async function call(apiUrl: string, token: string, method: string): Promise<Record<string, unknown>> {
  const api = await connectApi(apiUrl, token);
  try {
    return await api.call(method);
  } finally {
    api.close();
  }
}

async function started(proc: CliProcess): Promise<{ apiUrl: string; consoleUrl: string; token: string }> {
  const [, apiUrl] = await proc.waitForOutput(/API:\s+(\S+)/);
  const [, consoleUrl] = await proc.waitForOutput(/Console:\s+(\S+)/);
  const token = new URL(consoleUrl!).searchParams.get('token')!;
  return { apiUrl: apiUrl!, consoleUrl: consoleUrl!, token };
}

describe('civichain CLI', () => {
  it('--help prints the usage and exits 0', async () => {
    const proc = runCli(['--help']);
    running.push(proc);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.stdout()).toMatch(/civichain node \[--data DIR\] \[--api-port N\] \[--p2p-port N\] \[--peer URL\]\.\.\. \[--demo\]/);
  });

  it.each([[['node', '--api-port', 'x']], [['node', '--frob']], [['launch']]])('bad flags %j: usage on stderr and exit code 2', async (args) => {
    const proc = runCli(args);
    running.push(proc);
    expect((await proc.exited).code).toBe(2);
    expect(proc.stderr()).toMatch(/^civichain: .+\n\nCivichain — /);
    expect(proc.stderr()).toContain('Usage:');
  });

  it('NO_WORKSPACE: an empty folder without --demo is refused with what to do', async () => {
    const proc = runCli(['node', '--data', tempDir(), '--api-port', '0']);
    running.push(proc);
    expect((await proc.exited).code).toBe(1);
    expect(proc.stderr()).toMatch(/holds no Civichain workspace.*--demo/);
  });

  it('two nodes on two data folders run side by side; a second node on the same folder is refused', async () => {
    const dirA = tempDir();
    const dirB = tempDir();
    const a = startNode(dirA);
    const b = startNode(dirB);
    const [infoA, infoB] = await Promise.all([started(a), started(b)]);
    expect(infoA.apiUrl).not.toBe(infoB.apiUrl);
    expect(infoA.token).not.toBe(infoB.token);

    const [idA, idB] = await Promise.all([call(infoA.apiUrl, infoA.token, 'node.identity'), call(infoB.apiUrl, infoB.token, 'node.identity')]);
    expect(idA['dataDir']).toBe(dirA);
    expect(idB['dataDir']).toBe(dirB);
    expect(idA['nodePublicKey']).not.toBe(idB['nodePublicKey']);
    // The demo genesis is the same everywhere, so demo nodes can form one network.
    expect(idA['genesisHash']).toBe(idB['genesisHash']);

    const intruder = startNode(dirA);
    expect((await intruder.exited).code).toBe(1);
    expect(intruder.stderr()).toMatch(new RegExp(`Another Civichain node \\(process ${a.child.pid}\\) is already using the data folder`));
    expect(intruder.stderr()).toMatch(/different --data folder/);

    // The first node is untouched by the refused one.
    expect(await call(infoA.apiUrl, infoA.token, 'node.status')).toMatchObject({ state: 'running' });

    a.child.kill('SIGTERM');
    b.child.kill('SIGINT');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(await b.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dirA, 'node.lock'))).toBe(false);
  });

  it('a restart reuses the workspace; a lock left by a killed node is taken over', async () => {
    const dir = tempDir();
    const first = startNode(dir);
    const info1 = await started(first);
    const id1 = await call(info1.apiUrl, info1.token, 'node.identity');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(join(dir, 'node.lock'))).toBe(true);

    const second = startNode(dir);
    const info2 = await started(second);
    expect(info2.token).toBe(info1.token);
    expect(readFileSync(join(dir, 'api-token'), 'utf8').trim()).toBe(info1.token);
    const id2 = await call(info2.apiUrl, info2.token, 'node.identity');
    expect(id2['nodePublicKey']).toBe(id1['nodePublicKey']);
    expect(second.stdout()).toMatch(/DEMO workspace/);
  });

  it('PORT_IN_USE: a taken API port is a clear error', async () => {
    const a = startNode(tempDir());
    const { apiUrl } = await started(a);
    const port = new URL(apiUrl).port;
    const b = runCli(['node', '--data', tempDir(), '--api-port', port, '--demo']);
    running.push(b);
    expect((await b.exited).code).toBe(1);
    expect(b.stderr()).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
    expect(b.stderr()).not.toMatch(/\n\s+at /);
  });
});
