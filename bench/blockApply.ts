/**
 * Block apply into SQLite (issue 3, Build 7c): `LedgerStore.commitBlock` of blocks of signed `note`
 * transactions, on a real store (WAL, synchronous=FULL) in a temp folder, with the WAL checkpointed off the
 * main thread as a running node does (`checkpointOffThread`). Only commitBlock is timed: each block, its
 * state changes (`applyTransactions`) and its certificate are built just before, on an in-memory store of
 * the same network (main/node/store/testChain.ts).
 *
 * A block's commit costs more as the store grows (each transaction's hash prefix goes into a random leaf of
 * the hash-prefix index, so once that index has more leaves than a block has transactions a block dirties
 * about one index page per transaction), so the 1,000-transaction blocks are reported twice: the first ones
 * into a fresh store, and the last ones once it holds some 200,000.
 *
 *   npx vite-node bench/blockApply.ts [--blocks-1000 250] [--late-blocks 50] [--blocks-5000 12] [--sqlite-checkpoints]
 *
 * `--sqlite-checkpoints` leaves the checkpoints to SQLite, on the main thread at each commit that fills
 * the WAL past its limit: what a node does when its checkpoint worker cannot start or has stopped.
 *
 * Target (issue 3, Acceptance "Targets"): ≥ 30,000 tx/s.
 */
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { MemoryConsensusStore } from '../main/node/consensus/memoryStore';
import { openStore } from '../main/node/store/database';
import { buildTestBlock, createTestNetwork, noteTransaction, type TestNetwork } from '../main/node/store/testChain';
import { makeTempDir } from '../test/support/tempDir';
import { canonicalize } from '../main/core/encoding/canonicalJson';
import { otherLoad, startMonitor, type ResourceUse } from './support/monitor';
import { ascending, formatNumber, machineFacts, numberArgument, printSummary, quantile, type Row } from './support/report';

const TARGET_TX_PER_S = 30_000;
/** Blocks committed before timing starts (SQLite page cache, statement preparation, WAL growth). */
const WARMUP_BLOCKS = 2;

/** Blocks timed in the first window (a fresh store), after the warm-up. */
const EARLY_BLOCKS = 30;

interface Result {
  readonly label: string;
  readonly txsPerBlock: number;
  /** Transactions in the store before the first and after the last timed block. */
  readonly storedFrom: number;
  readonly storedTo: number;
  readonly perBlockMs: number[];
  readonly resources: ResourceUse;
}

interface Window {
  readonly label: string;
  /** Index of the first timed block (0-based, counting the warm-up) and how many blocks are timed. */
  readonly from: number;
  readonly count: number;
}

/** Without the checkpoint worker: SQLite's own checkpoints, as a node whose worker failed (see the header). */
const sqliteCheckpoints = process.argv.includes('--sqlite-checkpoints');

/**
 * Commits `total` blocks of `txsPerBlock` notes into a fresh store and times the blocks of each window.
 * Between blocks the event loop turns, so the checkpoint worker is told and answered as in a node.
 */
async function measure(network: TestNetwork, folder: string, txsPerBlock: number, total: number, windows: readonly Window[]): Promise<Result[]> {
  const memory = new MemoryConsensusStore(network.genesis, network.genesisHash);
  const store = openStore({ path: join(folder, `chain-${txsPerBlock}.sqlite`), genesis: network.genesis, genesisHash: network.genesisHash });
  const results: Result[] = [];
  try {
    if (!sqliteCheckpoints) await store.checkpointOffThread();
    for (const window of windows) {
      if (window.from < memory.head().height) throw new RangeError('windows must be in order');
      let stop: (() => ResourceUse) | null = null;
      const perBlockMs: number[] = [];
      let storedFrom = 0;
      for (let index = memory.head().height; index < Math.min(total, window.from + window.count); index++) {
        const height = index + 1;
        // About the size of a short real note (a voucher line, a notice): 60–70 bytes of text.
        const notes = Array.from({ length: txsPerBlock }, (_, n) =>
          noteTransaction(network, `block ${height} note ${n}: benchmark payload of a typical short length`, `h${height}-${n}`),
        );
        const { block, hash, certificate, changes } = buildTestBlock(memory, network, notes);
        memory.commitBlock(block, hash, certificate, changes);
        await nextTurn();
        if (index === window.from) {
          storedFrom = index * txsPerBlock;
          stop = startMonitor();
        }
        const started = performance.now();
        store.commitBlock(block, hash, certificate, changes);
        const elapsed = performance.now() - started;
        if (index >= window.from) perBlockMs.push(elapsed);
      }
      if (stop === null) throw new RangeError(`no block was timed for ${window.label}`);
      results.push({ label: window.label, txsPerBlock, storedFrom, storedTo: memory.head().height * txsPerBlock, perBlockMs, resources: stop() });
    }
  } finally {
    store.close();
  }
  return results;
}

async function main(): Promise<void> {
  const temp = makeTempDir('civichain-bench-apply-');
  try {
    const facts = machineFacts(temp.path);
    const network = createTestNetwork('Block apply benchmark');
    const total1000 = numberArgument('blocks-1000', 250);
    const late = Math.min(numberArgument('late-blocks', 50), Math.max(1, total1000 - WARMUP_BLOCKS - EARLY_BLOCKS));
    const blocks5000 = numberArgument('blocks-5000', 12);
    const sampleTx = noteTransaction(network, 'block 1 note 0: benchmark payload of a typical short length', 'h1-0');
    console.log(`Committing ${formatNumber(total1000)} blocks of 1,000 and ${formatNumber(WARMUP_BLOCKS + blocks5000)} of 5,000 notes (only the commits are timed)…`);
    const results = [
      ...(await measure(network, temp.path, 1_000, total1000, [
        { label: 'fresh store', from: WARMUP_BLOCKS, count: Math.min(EARLY_BLOCKS, total1000 - WARMUP_BLOCKS) },
        ...(total1000 - late > WARMUP_BLOCKS + EARLY_BLOCKS ? [{ label: 'grown store', from: total1000 - late, count: late }] : []),
      ])),
      ...(await measure(network, temp.path, 5_000, WARMUP_BLOCKS + blocks5000, [{ label: 'fresh store', from: WARMUP_BLOCKS, count: blocks5000 }])),
    ];
    const rows: Row[] = results.map(({ label, txsPerBlock, storedFrom, storedTo, perBlockMs }) => {
      const sorted = ascending(perBlockMs);
      const totalMs = perBlockMs.reduce((sum, ms) => sum + ms, 0);
      const txPerS = (txsPerBlock * perBlockMs.length) / (totalMs / 1000);
      return [
        formatNumber(txsPerBlock),
        `${label}: ${formatNumber(storedFrom)}–${formatNumber(storedTo)}`,
        perBlockMs.length,
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
      ['txs/block', 'txs in the store', 'blocks timed', 'p50 ms/block', 'max ms/block', 'tx/s (all timed)', 'tx/s (p50 block)', `≥ ${TARGET_TX_PER_S.toLocaleString('en-US')}`],
      rows,
      [
        ...(warning ? [warning] : []),
        `Timed: commitBlock only (header, certificate and tx encoding, hash checks, running digest, one SQLite transaction with WAL and synchronous=FULL); ${
          sqliteCheckpoints
            ? "the WAL is checkpointed by SQLite itself, on the main thread (--sqlite-checkpoints: a node whose checkpoint worker failed)."
            : "the WAL is checkpointed by the store's worker thread, as in a node."
        }`,
        `Not timed: signing, applyTransactions, certificates; ${WARMUP_BLOCKS} warm-up blocks per size. One fresh store per block size; the 1,000-tx store is timed again once grown.`,
        `Each transaction is a signed \`note\` (no state writes), ${canonicalize({ ...sampleTx }).length} bytes as canonical JSON.`,
        `CPU used by other processes while timing: ${otherCores.length > 0 ? `up to ${Math.max(...otherCores).toFixed(2)} cores` : 'unknown'}.`,
      ],
    );
  } finally {
    temp.remove();
  }
}

await main();
