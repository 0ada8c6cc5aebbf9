/**
 * Block apply into SQLite (issue 3, Build 7c): `LedgerStore.commitBlock` of pre-built blocks of signed
 * `note` transactions, on a real store (WAL, synchronous=FULL) in a temp folder. Only commitBlock is timed:
 * the blocks, their state changes (`applyTransactions`) and their certificates are built beforehand, on an
 * in-memory store of the same network (main/node/store/testChain.ts).
 *
 *   npx vite-node bench/blockApply.ts [--blocks-1000 30] [--blocks-5000 12]
 *
 * Target (issue 3, Acceptance "Targets"): ≥ 30,000 tx/s.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemoryConsensusStore } from '../main/node/consensus/memoryStore';
import { openStore } from '../main/node/store/database';
import { buildTestBlock, createTestNetwork, noteTransaction, type CommittedTestBlock, type TestNetwork } from '../main/node/store/testChain';
import { makeTempDir } from '../test/support/tempDir';
import { canonicalize } from '../main/core/encoding/canonicalJson';
import { otherLoad, startMonitor, type ResourceUse } from './support/monitor';
import { ascending, machineFacts, numberArgument, printSummary, quantile, type Row } from './support/report';

const TARGET_TX_PER_S = 30_000;
/** Blocks committed before timing starts (SQLite page cache, statement preparation, WAL growth). */
const WARMUP_BLOCKS = 2;

/** A chain of `count` blocks of `txsPerBlock` notes, built (not committed) on a fresh in-memory store. */
function buildChain(network: TestNetwork, count: number, txsPerBlock: number): CommittedTestBlock[] {
  const memory = new MemoryConsensusStore(network.genesis, network.genesisHash);
  const blocks: CommittedTestBlock[] = [];
  for (let b = 0; b < count; b++) {
    const height = memory.head().height + 1;
    // About the size of a short real note (a voucher line, a notice): 60–70 bytes of text.
    const notes = Array.from({ length: txsPerBlock }, (_, n) =>
      noteTransaction(network, `block ${height} note ${n}: benchmark payload of a typical short length`, `h${height}-${n}`),
    );
    const next = buildTestBlock(memory, network, notes);
    memory.commitBlock(next.block, next.hash, next.certificate, next.changes);
    blocks.push(next);
  }
  return blocks;
}

interface Result {
  readonly txsPerBlock: number;
  readonly blocks: number;
  readonly perBlockMs: number[];
  readonly resources: ResourceUse;
  /** Mean canonical size of a transaction, bytes. */
  readonly txBytes: number;
}

function measure(network: TestNetwork, folder: string, txsPerBlock: number, timedBlocks: number): Result {
  const chain = buildChain(network, WARMUP_BLOCKS + timedBlocks, txsPerBlock);
  const store = openStore({ path: join(folder, `chain-${txsPerBlock}.sqlite`), genesis: network.genesis, genesisHash: network.genesisHash });
  const perBlockMs: number[] = [];
  let stop: (() => ResourceUse) | null = null;
  try {
    for (const [index, { block, hash, certificate, changes }] of chain.entries()) {
      if (index === WARMUP_BLOCKS) stop = startMonitor();
      const started = performance.now();
      store.commitBlock(block, hash, certificate, changes);
      const elapsed = performance.now() - started;
      if (index >= WARMUP_BLOCKS) perBlockMs.push(elapsed);
    }
  } finally {
    store.close();
  }
  if (stop === null) throw new RangeError('no block was timed');
  const resources = stop();
  const sample = chain[0]?.block.transactions ?? [];
  const txBytes = sample.reduce((sum, tx) => sum + canonicalize({ ...tx }).length, 0) / Math.max(1, sample.length);
  return { txsPerBlock, blocks: timedBlocks, perBlockMs, resources, txBytes };
}

function main(): void {
  const temp = makeTempDir('civichain-bench-apply-');
  try {
    const facts = machineFacts(temp.path);
    const network = createTestNetwork('Block apply benchmark');
    console.log('Building and signing blocks (not timed)…');
    const results = [
      measure(network, temp.path, 1_000, numberArgument('blocks-1000', 30)),
      measure(network, temp.path, 5_000, numberArgument('blocks-5000', 12)),
    ];
    const rows: Row[] = results.map(({ txsPerBlock, blocks, perBlockMs }) => {
      const sorted = ascending(perBlockMs);
      const totalMs = perBlockMs.reduce((sum, ms) => sum + ms, 0);
      const txPerS = (txsPerBlock * blocks) / (totalMs / 1000);
      return [
        txsPerBlock,
        blocks,
        quantile(sorted, 0.5),
        sorted.at(-1) ?? Number.NaN,
        Math.round(txPerS),
        Math.round(txsPerBlock / (quantile(sorted, 0.5) / 1000)),
        txPerS >= TARGET_TX_PER_S ? 'yes' : 'NO',
      ];
    });
    const other = results.map((r) => otherLoad(r.resources, r.resources.cpuCores));
    const otherCores = other.map((o) => o.cores).filter((c): c is number => c !== null);
    const warning = other.find((o) => o.warning !== null)?.warning;
    printSummary(
      'Block apply into SQLite (LedgerStore.commitBlock)',
      facts,
      ['txs/block', 'blocks timed', 'p50 ms/block', 'max ms/block', 'tx/s (all timed)', 'tx/s (p50 block)', `≥ ${TARGET_TX_PER_S.toLocaleString('en-US')}`],
      rows,
      [
        ...(warning ? [warning] : []),
        'Timed: commitBlock only (header, certificate and tx encoding, hash checks, running digest, one SQLite transaction with WAL and synchronous=FULL).',
        `Not timed: signing, applyTransactions, certificates; ${WARMUP_BLOCKS} warm-up blocks per size. One fresh store per block size.`,
        `Each transaction is a signed \`note\` (no state writes), ${Math.round(results[0]?.txBytes ?? 0)} bytes as canonical JSON.`,
        `CPU used by other processes while timing: ${otherCores.length > 0 ? `up to ${Math.max(...otherCores).toFixed(2)} cores` : 'unknown'}.`,
      ],
    );
  } finally {
    temp.remove();
  }
}

main();
