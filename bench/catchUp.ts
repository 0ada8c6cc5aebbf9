/**
 * Catch-up (the peering issue's benchmark): a fresh node syncs a chain of ≥ 1,000,000 transactions from
 * one peer, verifying every block, certificate and transaction signature. Two real node processes on
 * loopback (both observers: they sign nothing). The source chain is built directly into its SQLite store
 * first (not timed).
 *
 *   npx vite-node bench/catchUp.ts [--blocks 1000] [--txs-per-block 1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { openStore } from '../main/node/store/database';
import { buildTestBlock, createTestNetwork, noteTransaction } from '../main/node/store/testChain';
import { makeTempDir } from '../test/support/tempDir';
import { machineFacts, numberArgument, printSummary, formatNumber } from './support/report';

const BLOCKS = numberArgument('blocks', 1_000);
const TXS_PER_BLOCK = numberArgument('txs-per-block', 1_000);
const CLI = fileURLToPath(new URL('../bin/civichain.js', import.meta.url));
const PASSPHRASE = 'catch-up-bench';

function startNode(dataDir: string, peers: string[]): Promise<{ child: ChildProcess; apiUrl: string; token: string; p2pUrl: string }> {
  const child = spawn(process.execPath, [CLI, 'node', '--data', dataDir, '--api-port', '0', '--p2p-port', '0', '--observer', '--log-level', 'warn', ...peers.flatMap((p) => ['--peer', p])], {
    env: { ...process.env, CIVICHAIN_NODE_PASSPHRASE: PASSPHRASE },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const api = /API:\s+(\S+)/.exec(out)?.[1];
      const p2p = /Peers:\s+(\S+)/.exec(out)?.[1];
      const consoleUrl = /Console:\s+(\S+)/.exec(out)?.[1];
      if (api && p2p && consoleUrl) resolve({ child, apiUrl: api, p2pUrl: p2p, token: new URL(consoleUrl).searchParams.get('token')! });
    });
    child.once('exit', (code) => reject(new RangeError(`a node exited (${code}) before it was ready`)));
  });
}

async function headOf(apiUrl: string, token: string): Promise<() => Promise<number>> {
  const ws = new WebSocket(apiUrl, { headers: { Authorization: `Bearer ${token}` } });
  await new Promise((resolve) => ws.once('open', resolve));
  let id = 0;
  return () =>
    new Promise((resolve) => {
      const mine = ++id;
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(String(data)) as { id?: number; result?: { height: number } };
        if (reply.id !== mine) return;
        ws.off('message', onMessage);
        resolve(reply.result!.height);
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: mine, method: 'node.status' }));
    });
}

/** User + system CPU seconds of a process and all its threads so far (Linux /proc; null elsewhere). */
function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command name: state is field 3, utime 14, stime 15 (proc(5)), in clock ticks (100/s on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const temp = makeTempDir('civichain-catchup-');
const processes: ChildProcess[] = [];
try {
  const network = createTestNetwork('Catch-up bench');
  const sourceDir = join(temp.path, 'source');
  const freshDir = join(temp.path, 'fresh');
  for (const dir of [sourceDir, freshDir]) {
    mkdirSync(dir);
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(network.genesis));
  }

  process.stdout.write(`Building the source chain: ${BLOCKS} blocks of ${TXS_PER_BLOCK} signed transactions…\n`);
  const buildStart = Date.now();
  const store = openStore({ path: join(sourceDir, 'chain.sqlite'), genesis: network.genesis, genesisHash: network.genesisHash });
  for (let b = 0; b < BLOCKS; b++) {
    const height = store.head().height + 1;
    const txs = Array.from({ length: TXS_PER_BLOCK }, (_, n) => noteTransaction(network, 'catch-up', `h${height}-${n}`));
    const next = buildTestBlock(store, network, txs);
    store.commitBlock(next.block, next.hash, next.certificate, next.changes);
  }
  store.close();
  process.stdout.write(`  built in ${((Date.now() - buildStart) / 1000).toFixed(1)} s\n`);

  const source = await startNode(sourceDir, []);
  processes.push(source.child);
  const fresh = await startNode(freshDir, []);
  processes.push(fresh.child);
  const freshHead = await headOf(fresh.apiUrl, fresh.token);

  // Tell the fresh node its peer, then time until it holds the whole chain.
  const ws = new WebSocket(fresh.apiUrl, { headers: { Authorization: `Bearer ${fresh.token}` } });
  await new Promise((resolve) => ws.once('open', resolve));
  const cpuBefore = cpuSecondsOf(fresh.child.pid);
  const started = Date.now();
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'peers.add', params: { address: source.p2pUrl } }));
  let height = 0;
  while (height < BLOCKS) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    height = await freshHead();
  }
  const seconds = (Date.now() - started) / 1000;
  const cpuAfter = cpuSecondsOf(fresh.child.pid);
  const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  ws.close();
  const facts = machineFacts(temp.path);
  printSummary(
    'Catch-up of a fresh node from one peer (two processes on loopback)',
    facts,
    ['Measure', 'Value'],
    [
      ['Chain', `${formatNumber(BLOCKS)} blocks × ${formatNumber(TXS_PER_BLOCK)} transactions = ${formatNumber(BLOCKS * TXS_PER_BLOCK)}`],
      ['Time to the peer’s head', `${seconds.toFixed(1)} s`],
      ['Blocks/s (target ≥ 500)', formatNumber(Math.round(BLOCKS / seconds))],
      ['Transactions/s (target ≥ 20,000)', formatNumber(Math.round((BLOCKS * TXS_PER_BLOCK) / seconds))],
      // CPU time does not depend on what else the machine runs: the figure to compare on a shared machine.
      ['CPU time of the fresh node (main thread + workers)', cpu === null ? 'n/a (no /proc)' : `${cpu.toFixed(1)} s`],
      ['Transactions per CPU second', cpu === null || cpu === 0 ? 'n/a' : formatNumber(Math.round((BLOCKS * TXS_PER_BLOCK) / cpu))],
    ],
    ['Every block, certificate and transaction signature is verified by the fresh node (signatures in its worker threads).'],
  );
} finally {
  for (const child of processes) child.kill('SIGTERM');
  await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  temp.remove();
}
