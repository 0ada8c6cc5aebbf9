/**
 * Writes a long chain straight into a data folder, for the Explorer's end-to-end test (e2e/explorer.spec.ts):
 * the test network's genesis, and `blocks` final blocks with valid proposer signatures and commit
 * certificates (main/node/store/testChain.ts), committed into the SQLite store as the catch-up benchmark
 * does. Every 1,000th block holds one signed note, so that transactions can be looked up too. A
 * `manifest.json` says what the test may look for. Not timed; ~0.5 ms a block.
 *
 *   npx vite-node test/support/seedLongChain.ts -- <dataDir> [blocks=100000]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transactionHash } from '../../main/core/ledger/transaction';
import { openStore } from '../../main/node/store/database';
import { buildTestBlock, createTestNetwork, noteTransaction } from '../../main/node/store/testChain';

export interface LongChainManifest {
  readonly blocks: number;
  readonly networkName: string;
  /** A block in the middle of the chain. */
  readonly sampleBlock: { readonly height: number; readonly hash: string };
  /** A note in a block near the start, as a ballot's tracking code would be looked up. */
  readonly sampleTransaction: { readonly hash: string; readonly height: number; readonly text: string };
}

export const LONG_CHAIN_NETWORK = 'Explorer long chain';
const NOTE_EVERY = 1_000;

export function seedLongChain(dataDir: string, blocks: number): LongChainManifest {
  const network = createTestNetwork(LONG_CHAIN_NETWORK);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'genesis.json'), JSON.stringify(network.genesis));
  const store = openStore({ path: join(dataDir, 'chain.sqlite'), genesis: network.genesis, genesisHash: network.genesisHash });
  const sampleHeight = Math.max(1, Math.floor(blocks / 2) + 7);
  let sampleBlock = { height: 0, hash: '' };
  let sampleTransaction = { hash: '', height: 0, text: '' };
  try {
    for (let height = store.head().height + 1; height <= blocks; height++) {
      const txs = height % NOTE_EVERY === 0 ? [noteTransaction(network, `Receipt check ${height / NOTE_EVERY}`, `seed-${height}`)] : [];
      const next = buildTestBlock(store, network, txs);
      store.commitBlock(next.block, next.hash, next.certificate, next.changes);
      if (height === sampleHeight) sampleBlock = { height, hash: next.hash };
      const [note] = txs;
      if (note && sampleTransaction.height === 0) sampleTransaction = { hash: transactionHash(note), height, text: `Receipt check ${height / NOTE_EVERY}` };
    }
  } finally {
    store.close();
  }
  const manifest: LongChainManifest = { blocks, networkName: LONG_CHAIN_NETWORK, sampleBlock, sampleTransaction };
  writeFileSync(join(dataDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

const [dataDir, blocksArg = '100000'] = process.argv.slice(2).filter((arg) => arg !== '--');
if (dataDir) {
  const blocks = Number(blocksArg);
  if (!Number.isSafeInteger(blocks) || blocks < NOTE_EVERY) throw new RangeError(`blocks must be a whole number of at least ${NOTE_EVERY}, not ${blocksArg}.`);
  const manifest = seedLongChain(dataDir, blocks);
  process.stdout.write(`${JSON.stringify(manifest)}\n`);
}
