/**
 * Catch-up (the peering issue's benchmark): a fresh node syncs a chain of ≥ 1,000,000 transactions from
 * one peer, verifying every block, certificate and transaction signature. Two real node processes on
 * loopback (both observers: they sign nothing). The source chain is built directly into its SQLite store
 * first (not timed).
 *
 *   npx vite-node bench/catchUp.ts [--blocks 1000] [--txs-per-block 1000]
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../main/node/store/database';
import { buildTestBlock, createTestNetwork, noteTransaction } from '../main/node/store/testChain';
import { makeTempDir } from '../test/support/tempDir';
import { apiCaller, cpuSecondsOf, startNodeProcess } from './support/nodeProcess';
import { machineFacts, numberArgument, printSummary, formatNumber } from './support/report';

const BLOCKS = numberArgument('blocks', 1_000);
const TXS_PER_BLOCK = numberArgument('txs-per-block', 1_000);
const PASSPHRASE = 'catch-up-bench';

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

  const source = await startNodeProcess(sourceDir, { passphrase: PASSPHRASE, observer: true });
  processes.push(source.child);
  const fresh = await startNodeProcess(freshDir, { passphrase: PASSPHRASE, observer: true });
  processes.push(fresh.child);
  const api = await apiCaller(fresh.apiUrl, fresh.token);

  // Tell the fresh node its peer, then time until it holds the whole chain.
  const cpuBefore = cpuSecondsOf(fresh.child.pid);
  const started = Date.now();
  void api.call('peers.add', { address: source.p2pUrl });
  let height = 0;
  while (height < BLOCKS) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    height = (await api.call<{ height: number }>('node.status')).height;
  }
  const seconds = (Date.now() - started) / 1000;
  const cpuAfter = cpuSecondsOf(fresh.child.pid);
  const cpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  api.close();
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
