/**
 * Finality (issue 3, Build 7b): 4 auto-approving validators IN ONE PROCESS (bench/finalityNetwork.ts runs them as 4 processes on loopback;
 * see bench/support/validatorNetwork.ts for the wiring). Two measurements, each on a fresh network:
 *
 *  1. Saturation: transactions are offered as fast as the network takes them, round-robin over the
 *     validators' mempools and gossiped to the others, keeping every mempool two full blocks deep with at
 *     most 1,000 submissions unanswered (so that queues stay bounded); finalized tx/s =
 *     transactions in the blocks stored by validator 1 during the measured window ÷ its length.
 *  2. Latency: 500 tx/s offered on a fixed schedule; for every transaction submitted in the measured
 *     window, the time from its submission to the moment the block holding it is stored (final) on the
 *     validator it was submitted to.
 *
 *   npx vite-node bench/finality.ts [--seconds 60] [--latency-seconds 30] [--rate 500] [--warmup 5]
 *       [--only saturation|latency|both]
 *   what is varied, for diagnosis (the defaults are the demo's settings and the engine's defaults):
 *       [--verifier shared-pool|pool-per-engine|inline] [--pow worker|inline] [--pow-bits 8]
 *       [--round-timeout 3000] [--max-block-txs 5000] [--max-unanswered 1000] [--presign N]
 *   where the time goes: [--timeline] (per height, on validator 1) [--cpu-profile file.cpuprofile]
 *
 * Targets (issue 3, Acceptance "Targets"): ≥ 1,500 tx/s sustained for 60 s; p50 < 1 s and p99 < 2 s at
 * 500 tx/s offered. Transactions are signed before timing starts.
 */
import { performance } from 'node:perf_hooks';
import { makeTempDir } from '../test/support/tempDir';
import { otherLoad, startMonitor, type ResourceUse } from './support/monitor';
import { presignNotes, type PreparedTransaction } from './support/notes';
import { cpuProfileArgument, startCpuProfile } from './support/profile';
import { ascending, choiceArgument, formatNumber, formatTable, machineFacts, numberArgument, printSummary, quantile, type Row } from './support/report';
import {
  BENCH_CHAIN_ID,
  DEMO_POW_BITS,
  DEMO_ROUND_TIMEOUT_MS,
  startValidatorNetwork,
  type CommitRecord,
  type NetworkCounters,
  type ValidatorNetwork,
  type ValidatorNetworkOptions,
} from './support/validatorNetwork';

const VALIDATORS = 4;
const TARGET_FINAL_TX_PER_S = 1_500;
const TARGET_P50_MS = 1_000;
const TARGET_P99_MS = 2_000;
/** The engine's default largest block (EngineOptions.maxBlockTxs). */
const MAX_BLOCK_TXS = 5_000;
/**
 * Saturation offer: keep every mempool holding at least this many full blocks (the one being decided and
 * the next), with at most --max-unanswered submissions unanswered, offered CHUNK at a time per turn of the
 * event loop. Offering without these bounds would only grow queues (mempools, the event loop), not blocks.
 */
const MEMPOOL_TARGET_BLOCKS = 2;
const DEFAULT_MAX_UNANSWERED = 1_000;
const CHUNK = 250;
/** Distinct signing keys of the offered transactions (the verifiers' key caches hold them all). */
const SENDERS = 256;
/** How long the latency run waits for the last transactions of its window to become final. */
const DRAIN_MS = 15_000;

const seconds = numberArgument('seconds', 60);
const latencySeconds = numberArgument('latency-seconds', 30);
const rate = numberArgument('rate', 500);
const warmupSeconds = numberArgument('warmup', 5, { min: 0 });
const only = choiceArgument('only', ['saturation', 'latency', 'both'] as const, 'both');
const verifier = choiceArgument('verifier', ['shared-pool', 'pool-per-engine', 'inline'] as const, 'shared-pool');
const pow = choiceArgument('pow', ['worker', 'inline'] as const, 'worker');
const powDifficultyBits = numberArgument('pow-bits', DEMO_POW_BITS, { min: 0 });
const roundTimeoutMs = numberArgument('round-timeout', DEMO_ROUND_TIMEOUT_MS);
const maxBlockTxs = numberArgument('max-block-txs', MAX_BLOCK_TXS);
const maxUnanswered = numberArgument('max-unanswered', DEFAULT_MAX_UNANSWERED);
/** Enough for 3,000 tx/s over warm-up and window; the summary says when the offer ran out. */
const presign = numberArgument('presign', Math.ceil((warmupSeconds + seconds) * 3_000));

/** Prints, per height, when validator 1 saw the proposal and stored the block (diagnostics). */
const timelineArgument = process.argv.includes('--timeline');

interface HeightTimes {
  round: number;
  proposedAtMs: number | null;
  readonly finalAtMs: (number | null)[];
  txCount: number;
}

function recordTimeline(network: ValidatorNetwork): Map<number, HeightTimes> {
  const heights = new Map<number, HeightTimes>();
  const entry = (height: number): HeightTimes => {
    let times = heights.get(height);
    if (!times) heights.set(height, (times = { round: 0, proposedAtMs: null, finalAtMs: Array.from({ length: VALIDATORS }, () => null), txCount: 0 }));
    return times;
  };
  network.onEngineEvent = (validator, event, atMs) => {
    if (event.kind === 'block.proposed' && validator === 0) {
      const times = entry(event.height);
      times.round = event.round;
      times.proposedAtMs = atMs;
    }
    if (event.kind === 'block.final') {
      const times = entry(event.height);
      times.finalAtMs[validator] = atMs;
      times.txCount = event.txCount;
    }
  };
  return heights;
}

function printTimeline(heights: ReadonlyMap<number, HeightTimes>): void {
  const rows: Row[] = [];
  let previousFinal: number | null = null;
  for (const [height, times] of [...heights].sort((a, b) => a[0] - b[0])) {
    const first = times.finalAtMs[0] ?? null;
    const spread = times.finalAtMs.filter((t): t is number => t !== null);
    rows.push([
      height,
      times.round,
      times.txCount,
      previousFinal !== null && times.proposedAtMs !== null ? times.proposedAtMs - previousFinal : '',
      times.proposedAtMs !== null && first !== null ? first - times.proposedAtMs : '',
      spread.length > 1 ? Math.max(...spread) - Math.min(...spread) : '',
    ]);
    previousFinal = first;
  }
  console.log(formatTable(['height', 'round', 'txs', 'prev final → proposal seen (ms)', 'proposal → final (ms)', 'final spread over engines (ms)'], rows));
}

const cpuProfile = cpuProfileArgument();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface BlockStats {
  blocks: number;
  txs: number;
  nonZeroRounds: number;
  readonly sizes: number[];
  readonly intervalsMs: number[];
  lastAtMs: number | null;
}

function newBlockStats(): BlockStats {
  return { blocks: 0, txs: 0, nonZeroRounds: 0, sizes: [], intervalsMs: [], lastAtMs: null };
}

function countBlock(stats: BlockStats, record: CommitRecord): void {
  stats.blocks++;
  stats.txs += record.txCount;
  stats.sizes.push(record.txCount);
  if (record.round > 0) stats.nonZeroRounds++;
  if (stats.lastAtMs !== null) stats.intervalsMs.push(record.atMs - stats.lastAtMs);
  stats.lastAtMs = record.atMs;
}

interface Failures {
  count: number;
  readonly codes: Map<string, number>;
}

function recordFailure(failures: Failures, error: unknown): void {
  failures.count++;
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error);
  failures.codes.set(code, (failures.codes.get(code) ?? 0) + 1);
}

/** The counters as they are now: shutting the network down afterwards adds refusals that are not the run's. */
function snapshot(counters: NetworkCounters): NetworkCounters {
  return { ...counters, refusedCodes: new Map(counters.refusedCodes), warnings: new Map(counters.warnings) };
}

function describeCodes(codes: ReadonlyMap<string, number>): string {
  return codes.size === 0 ? 'none' : [...codes].map(([code, n]) => `${code} ×${n}`).join(', ');
}

interface SaturationResult {
  readonly windowSeconds: number;
  readonly finalized: BlockStats;
  readonly accepted: number;
  readonly failures: Failures;
  readonly exhausted: boolean;
  readonly resources: ResourceUse;
  readonly network: NetworkCounters;
  readonly description: readonly string[];
  readonly mempoolAtEnd: number;
}

async function saturation(options: ValidatorNetworkOptions, txs: readonly PreparedTransaction[]): Promise<SaturationResult> {
  const network = startValidatorNetwork(options);
  const finalized = newBlockStats();
  const failures: Failures = { count: 0, codes: new Map() };
  let offered = 0;
  let answered = 0;
  let accepted = 0;
  let measuring = false;
  let stopped = false;
  network.onCommit = (record) => {
    if (record.validator === 0 && measuring) countBlock(finalized, record);
  };
  const timeline = timelineArgument ? recordTimeline(network) : null;
  const mempoolsFull = () => network.validators.every((v) => v.pool.size() >= MEMPOOL_TARGET_BLOCKS * maxBlockTxs);
  const pump = () => {
    if (stopped) return;
    let sent = 0;
    while (offered < txs.length && offered - answered < maxUnanswered && !mempoolsFull() && sent < CHUNK) {
      const { tx, hash } = txs[offered] as PreparedTransaction;
      const target = offered % VALIDATORS;
      offered++;
      sent++;
      network.submit(target, tx, hash).then(
        () => {
          answered++;
          if (measuring) accepted++;
        },
        (error: unknown) => {
          answered++;
          if (measuring) recordFailure(failures, error);
        },
      );
    }
    // Offer again after the answers of this chunk (setImmediate), or in a millisecond when there is no room.
    if (sent > 0) setImmediate(pump);
    else setTimeout(pump, 1);
  };
  try {
    pump();
    await sleep(warmupSeconds * 1000);
    const stopProfile = await startCpuProfile(cpuProfile);
    const stop = startMonitor();
    measuring = true;
    const startedMs = performance.now();
    await sleep(seconds * 1000);
    measuring = false;
    await stopProfile();
    const windowSeconds = (performance.now() - startedMs) / 1000;
    const resources = stop();
    stopped = true;
    if (timeline) printTimeline(timeline);
    return {
      windowSeconds,
      finalized,
      accepted,
      failures,
      exhausted: offered >= txs.length,
      resources,
      network: snapshot(network.counters),
      description: network.description,
      mempoolAtEnd: network.validators[0]?.pool.size() ?? 0,
    };
  } finally {
    stopped = true;
    await network.close();
  }
}

interface LatencyResult {
  readonly latenciesMs: number[];
  readonly measured: number;
  readonly unfinished: number;
  readonly finalized: BlockStats;
  readonly failures: Failures;
  readonly resources: ResourceUse;
  readonly network: NetworkCounters;
  readonly offeredPerS: number;
}

async function latency(options: ValidatorNetworkOptions, txs: readonly PreparedTransaction[]): Promise<LatencyResult> {
  const network = startValidatorNetwork(options);
  const finalized = newBlockStats();
  const failures: Failures = { count: 0, codes: new Map() };
  const latenciesMs: number[] = [];
  let windowStartMs = Number.POSITIVE_INFINITY;
  let windowEndMs = Number.POSITIVE_INFINITY;
  let measured = 0;
  network.onCommit = (record, finals) => {
    if (record.validator === 0 && record.atMs >= windowStartMs && record.atMs <= windowEndMs) countBlock(finalized, record);
    for (const final of finals) if (final.submittedAtMs >= windowStartMs && final.submittedAtMs < windowEndMs) latenciesMs.push(final.latencyMs);
  };
  let offered = 0;
  const startedMs = performance.now();
  // Open loop: submit whatever the schedule says is due, every 5 ms, however the network is doing.
  const ticker = setInterval(() => {
    const due = Math.min(txs.length, Math.floor(((performance.now() - startedMs) * rate) / 1000));
    while (offered < due) {
      const { tx, hash } = txs[offered] as PreparedTransaction;
      const now = performance.now();
      if (now >= windowStartMs && now < windowEndMs) measured++;
      network.submit(offered % VALIDATORS, tx, hash).catch((error: unknown) => recordFailure(failures, error));
      offered++;
    }
  }, 5);
  try {
    await sleep(warmupSeconds * 1000);
    const stop = startMonitor();
    windowStartMs = performance.now();
    const offeredAtStart = offered;
    windowEndMs = windowStartMs + latencySeconds * 1000;
    await sleep(latencySeconds * 1000);
    const offeredPerS = (offered - offeredAtStart) / latencySeconds;
    const resources = stop();
    clearInterval(ticker);
    const drainUntil = performance.now() + DRAIN_MS;
    while (latenciesMs.length + failures.count < measured && performance.now() < drainUntil) await sleep(50);
    return {
      latenciesMs,
      measured,
      unfinished: measured - latenciesMs.length,
      finalized,
      failures: { count: failures.count, codes: new Map(failures.codes) },
      resources,
      network: snapshot(network.counters),
      offeredPerS,
    };
  } finally {
    clearInterval(ticker);
    await network.close();
  }
}

function resourceRows(resources: ResourceUse): Row[] {
  const others = otherLoad(resources, resources.cpuCores).cores;
  return [
    ['Main thread busy (event-loop utilisation)', `${(resources.mainThreadBusy * 100).toFixed(0)} %`],
    ['CPU used by the process (all threads)', `${resources.cpuCores.toFixed(2)} of 2 cores`],
    ['CPU used by other processes meanwhile', others === null ? 'unknown' : `${others.toFixed(2)} cores`],
    ['Event-loop delay p99', `${formatNumber(resources.loopDelayP99Ms)} ms`],
    ['Peak resident memory', `${formatNumber(resources.maxRssMiB)} MiB`],
  ];
}

function warnings(resources: ResourceUse): string[] {
  const { warning } = otherLoad(resources, resources.cpuCores);
  return warning ? [warning] : [];
}

function blockRows(stats: BlockStats): Row[] {
  const sizes = ascending(stats.sizes);
  const intervals = ascending(stats.intervalsMs);
  return [
    ['Blocks final on validator 1', String(stats.blocks)],
    ['Transactions per block (p50 / max)', `${formatNumber(quantile(sizes, 0.5))} / ${formatNumber(sizes.at(-1) ?? Number.NaN)}`],
    ['Block interval p50 / p99', `${formatNumber(quantile(intervals, 0.5))} ms / ${formatNumber(quantile(intervals, 0.99))} ms`],
    ['Blocks decided after round 0', String(stats.nonZeroRounds)],
  ];
}

function networkRows(counters: NetworkCounters): Row[] {
  return [
    ['Messages delivered (all engines)', formatNumber(counters.messages)],
    ['Round changes on validator 1', String(counters.roundChanges)],
    ['Messages refused by an engine', `${counters.refused} (${describeCodes(counters.refusedCodes)})`],
    ['Double-sign evidence recorded', String(counters.evidence)],
    ['Engine warnings', describeCodes(counters.warnings)],
  ];
}

async function main(): Promise<void> {
  const temp = makeTempDir('civichain-bench-finality-');
  try {
    const facts = machineFacts(temp.path);
    const base = {
      validators: VALIDATORS,
      powDifficultyBits,
      roundTimeoutMs,
      verifier,
      pow,
      maxBlockTxs: maxBlockTxs === MAX_BLOCK_TXS ? undefined : maxBlockTxs,
    } as const;
    if (only !== 'latency') {
      console.log(`Signing ${presign.toLocaleString('en-US')} transactions for the saturation run (not timed)…`);
      const txs = presignNotes(BENCH_CHAIN_ID, presign, SENDERS, 'sat');
      console.log(`Saturation: ${warmupSeconds} s warm-up, then ${seconds} s measured…`);
      const result = await saturation({ ...base, folder: `${temp.path}/saturation` }, txs);
      const perS = result.finalized.txs / result.windowSeconds;
      printSummary(
        `Finality, saturation: ${VALIDATORS} validators in one process, ${seconds} s`,
        facts,
        ['Measure', 'Value'],
        [
          ['Finalized tx/s (validator 1)', `${formatNumber(perS)} (target ≥ ${formatNumber(TARGET_FINAL_TX_PER_S)}: ${perS >= TARGET_FINAL_TX_PER_S ? 'met' : 'NOT met'})`],
          ['Accepted submissions/s (all mempools)', formatNumber(result.accepted / result.windowSeconds)],
          ['Submissions refused', `${result.failures.count} (${describeCodes(result.failures.codes)})`],
          ...blockRows(result.finalized),
          ['Mempool of validator 1 at the end', formatNumber(result.mempoolAtEnd)],
          ...networkRows(result.network),
          ...resourceRows(result.resources),
        ],
        [
          ...warnings(result.resources),
          ...result.description,
          `Offer: round-robin over the ${VALIDATORS} mempools, each accepted tx gossiped to the others; while every mempool holds fewer than ${formatNumber(MEMPOOL_TARGET_BLOCKS * maxBlockTxs)} and fewer than ${formatNumber(maxUnanswered)} submissions are unanswered.`,
          `Measured window: ${result.windowSeconds.toFixed(1)} s after ${warmupSeconds} s of warm-up.`,
          ...(result.exhausted ? [`The ${formatNumber(presign)} pre-signed transactions ran out before the end: raise --presign.`] : []),
        ],
      );
    }
    if (only !== 'saturation') {
      const count = Math.ceil((warmupSeconds + latencySeconds) * rate) + rate;
      console.log(`Signing ${count.toLocaleString('en-US')} transactions for the latency run (not timed)…`);
      const txs = presignNotes(BENCH_CHAIN_ID, count, SENDERS, 'lat');
      console.log(`Latency: ${rate} tx/s offered, ${warmupSeconds} s warm-up, then ${latencySeconds} s measured…`);
      const result = await latency({ ...base, folder: `${temp.path}/latency` }, txs);
      const sorted = ascending(result.latenciesMs);
      const p50 = quantile(sorted, 0.5);
      const p99 = quantile(sorted, 0.99);
      printSummary(
        `Finality, latency: submit → final at ${rate} tx/s offered, ${VALIDATORS} validators in one process, ${latencySeconds} s`,
        facts,
        ['Measure', 'Value'],
        [
          ['Offered (measured window)', `${formatNumber(result.offeredPerS)} tx/s`],
          ['p50 submit → final', `${formatNumber(p50)} ms (target < ${formatNumber(TARGET_P50_MS)}: ${p50 < TARGET_P50_MS ? 'met' : 'NOT met'})`],
          ['p99 submit → final', `${formatNumber(p99)} ms (target < ${formatNumber(TARGET_P99_MS)}: ${p99 < TARGET_P99_MS ? 'met' : 'NOT met'})`],
          ['p90 / max', `${formatNumber(quantile(sorted, 0.9))} ms / ${formatNumber(sorted.at(-1) ?? Number.NaN)} ms`],
          ['Transactions measured / final / not final after drain', `${result.measured} / ${sorted.length} / ${result.unfinished}`],
          ['Submissions refused', `${result.failures.count} (${describeCodes(result.failures.codes)})`],
          ...blockRows(result.finalized),
          ...networkRows(result.network),
          ...resourceRows(result.resources),
        ],
        [
          ...warnings(result.resources),
          'Latency: from the call to the mempool of the validator a transaction was submitted to, until the block holding it is stored (final) on that same validator.',
          `Open-loop offer on a 5 ms schedule; ${warmupSeconds} s warm-up not measured; up to ${DRAIN_MS / 1000} s allowed afterwards for the window's last transactions.`,
        ],
      );
    }
  } finally {
    temp.remove();
  }
}

await main();
