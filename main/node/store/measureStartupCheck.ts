/**
 * Measures the ledger store on a long chain: how fast blocks commit, and how long the start-up check
 * takes when the store is opened again. Not a test: run it by hand, it writes a large file.
 *
 *   npx vite-node main/node/store/measureStartupCheck.ts -- <dir> [blocks=100000] [txsPerBlock=10]
 *
 * The store is kept in <dir>/chain.sqlite; when it already holds the chain, only the checks are timed.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from './database';
import { buildTestBlock, createTestNetwork, noteTransaction } from './testChain';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function main(): void {
  const [dir = 'measure-store', blocksArg = '100000', txsArg = '10'] = process.argv.slice(2).filter((a) => a !== '--');
  const blocks = Number(blocksArg);
  const txsPerBlock = Number(txsArg);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'chain.sqlite');
  const network = createTestNetwork('Measurement');
  const options = { path, genesis: network.genesis, genesisHash: network.genesisHash };

  const existed = existsSync(path);
  const store = openStore(options);
  if (!existed || store.head().height < blocks) {
    let commitMs = 0;
    let committedTxs = 0;
    const started = performance.now();
    while (store.head().height < blocks) {
      const height = store.head().height + 1;
      const txs = Array.from({ length: txsPerBlock }, (_, n) => noteTransaction(network, `measurement note ${n} of block ${height}`, `m${height}-${n}`));
      const next = buildTestBlock(store, network, txs);
      const t0 = performance.now();
      store.commitBlock(next.block, next.hash, next.certificate, next.changes);
      commitMs += performance.now() - t0;
      committedTxs += txs.length;
      if (height % 10_000 === 0) {
        say(`built ${height} blocks in ${((performance.now() - started) / 1000).toFixed(0)} s; commitBlock ${Math.round((committedTxs / commitMs) * 1000)} tx/s`);
      }
    }
    if (committedTxs > 0) say(`commitBlock: ${committedTxs} tx in ${(commitMs / 1000).toFixed(1)} s = ${Math.round((committedTxs / commitMs) * 1000)} tx/s`);
  }
  store.close();
  say(`store: ${(statSync(path).size / 1e6).toFixed(0)} MB`);

  for (const verifySignatures of ['recent', 'recent', 'all'] as const) {
    if (verifySignatures === 'all' && process.env.MEASURE_ALL !== '1') continue;
    const t0 = performance.now();
    let checkMs = 0;
    const opened = openStore({ ...options, verifySignatures }, { onChecked: (r) => (checkMs = r.durationMs) });
    const totalMs = performance.now() - t0;
    say(
      `openStore (${verifySignatures}): ${(totalMs / 1000).toFixed(2)} s in all, of which the chain and state check ${(checkMs / 1000).toFixed(2)} s; ` +
        `height ${opened.head().height}, rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
    );
    opened.close();
  }
}

main();
