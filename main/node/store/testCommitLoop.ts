/**
 * A child process for crash.int.test.ts: opens the store in <dir>, then commits blocks of signed notes
 * for ever, printing "committed <height>" once each commit has returned (that is, once it is durable).
 * The test kills it with SIGKILL at random moments.
 *
 *   npx vite-node main/node/store/testCommitLoop.ts -- <dir>
 */
import { join } from 'node:path';
import { openStore } from './database';
import { buildTestBlock, createTestNetwork, noteTransaction } from './testChain';

const dir = process.argv.slice(2).find((a) => a !== '--');
if (!dir) throw new RangeError('Usage: testCommitLoop.ts <dir>');
const network = createTestNetwork();
const store = openStore({ path: join(dir, 'chain.sqlite'), genesis: network.genesis, genesisHash: network.genesisHash });
process.stdout.write(`opened ${store.head().height}\n`);
for (;;) {
  const height = store.head().height + 1;
  const txs = Array.from({ length: 20 }, (_, n) => noteTransaction(network, `crash test note ${n} of block ${height}`, `c${height}-${n}`));
  const next = buildTestBlock(store, network, txs);
  store.commitBlock(next.block, next.hash, next.certificate, next.changes);
  process.stdout.write(`committed ${height}\n`);
}
