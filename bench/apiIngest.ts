/**
 * API ingest (issue 3, Build 7a): signed transactions submitted through the local WebSocket API
 * (`tx.submit`, JSON-RPC) into the mempool of a real node, in acknowledged submissions per second.
 *
 * The node: `startNode` on a fresh demo workspace (chain id civichain-demo-1; it holds every demo
 * validator key, so it also makes and finalizes blocks while it ingests, as a demo node does), with its
 * signature verification in the worker threads of the build (`npx electron-vite build` first), and
 * `startApiServer` on loopback. The client: a separate process (bench/support/ingestClient.ts) that signs
 * every transaction before timing starts, then keeps IN_FLIGHT requests unanswered on each of CONNECTIONS
 * WebSocket connections. A submission is acknowledged once it is verified and durably in the mempool.
 *
 *   npx vite-node bench/apiIngest.ts [--count 100000] [--warmup 10000] [--connections 4] [--in-flight 256]
 *       [--batch 1] [--approval auto|manual] [--no-comparison] [--cpu-profile file.cpuprofile]
 *
 * `--batch N` sends N submissions per WebSocket frame as a JSON-RPC 2.0 batch array (the API answers a
 * batch with one array), as a client with many transactions to hand in at once would; `--in-flight` still
 * counts submissions (each connection has in-flight ÷ N frames unanswered). N must divide --warmup.
 * `--approval manual` puts the node's validators in manual mode: it still proposes and checks a block,
 * but none becomes final, so the figure is ingest alone, without the cost of finalizing every block.
 *
 * Target (issue 3, Acceptance "Targets"): ≥ 10,000 tx/s; Ed25519 verification on these 2 cores tops out
 * near 14,000/s (bench/verify.bench.ts).
 */
import { join } from 'node:path';
import { startApiServer, type ApiServer } from '../main/node/api/wsServer';
import { createLogger } from '../main/node/log';
import { startNode, type CivichainNode } from '../main/node/node';
import { POW_WORKER_SCRIPT } from '../main/node/workers/proofOfWork';
import { builtWorkerForTests } from '../main/node/workers/testSupport';
import { VERIFY_WORKER_SCRIPT } from '../main/node/workers/verifyPool';
import { makeTempDir } from '../test/support/tempDir';
import { runIngestClient } from './support/ingestRunner';
import { measureMempoolOnly } from './support/mempoolOnly';
import { otherLoad, startMonitor, type ResourceUse } from './support/monitor';
import { cpuProfileArgument, startCpuProfile } from './support/profile';
import { choiceArgument, formatNumber, machineFacts, numberArgument, printSummary } from './support/report';

const TARGET_TX_PER_S = 10_000;

const count = numberArgument('count', 100_000);
const warmup = numberArgument('warmup', 10_000);
const connections = numberArgument('connections', 4);
const inFlight = numberArgument('in-flight', 256);
const batch = numberArgument('batch', 1);
if (!Number.isInteger(batch) || warmup % batch !== 0) throw new RangeError(`--batch must be a whole number that divides --warmup (${warmup}), got ${batch}.`);
const approval = choiceArgument('approval', ['auto', 'manual'] as const, 'auto');
/** `--no-comparison` skips the second measurement (the mempool alone), for quicker repeated runs. */
const compare = !process.argv.includes('--no-comparison');
const cpuProfile = cpuProfileArgument();

async function main(): Promise<void> {
  const temp = makeTempDir('civichain-bench-ingest-');
  const facts = machineFacts(temp.path);
  const log = createLogger({ level: 'error', sink: (line) => process.stderr.write(`${line}\n`) });
  let node: CivichainNode | null = null;
  let api: ApiServer | null = null;
  try {
    node = await startNode(
      {
        dataDir: join(temp.path, 'data'),
        demo: true,
        runtime: 'headless',
        version: 'bench',
        // Running from sources (vite-node): the worker threads load from the build.
        workerScripts: { verify: builtWorkerForTests(VERIFY_WORKER_SCRIPT), pow: builtWorkerForTests(POW_WORKER_SCRIPT) },
      },
      { log },
    );
    // Not kept in the workspace's settings: the workspace is thrown away after the run.
    node.engine.setApprovalMode(approval);
    api = await startApiServer({ port: 0, token: node.workspace.apiToken, staticDir: null }, { node, log });
    const running = node;
    /** Set when the client says the warm-up is over. */
    const measured: { heightBefore: number; stopMonitor: (() => ResourceUse) | null; stopProfile: (() => Promise<void>) | null } = {
      heightBefore: 0,
      stopMonitor: null,
      stopProfile: null,
    };
    console.log(`Client process: signing ${(warmup + count).toLocaleString('en-US')} transactions (not timed), then ${formatNumber(warmup)} warm-up submissions…`);
    const result = await runIngestClient(
      {
        type: 'start',
        apiUrl: api.apiUrl,
        token: node.workspace.apiToken,
        chainId: node.workspace.genesis.chainId,
        warmup,
        count,
        connections,
        inFlight,
        batch,
      },
      async () => {
        measured.heightBefore = running.status().height;
        measured.stopProfile = await startCpuProfile(cpuProfile);
        measured.stopMonitor = startMonitor();
      },
    );
    const resources = measured.stopMonitor?.() ?? null;
    await measured.stopProfile?.();
    const status = node.status();
    await api.close();
    api = null;
    await node.close();
    node = null;
    if (compare) console.log('For comparison: the mempool alone (no API, no consensus)…');
    const alone = compare ? await measureMempoolOnly(temp.path, count, warmup, connections * inFlight) : null;
    const perS = result.acknowledged / (result.elapsedMs / 1000);
    const others = resources ? otherLoad(resources, resources.cpuCores + result.clientCpuCores) : null;
    const refused = Object.entries(result.refused);
    printSummary(
      'API ingest: tx.submit over WebSocket into the mempool of a real node',
      facts,
      ['Measure', 'Value'],
      [
        ['Acknowledged tx/s', `${formatNumber(perS)} (target ≥ ${formatNumber(TARGET_TX_PER_S)}: ${perS >= TARGET_TX_PER_S ? 'met' : 'NOT met'})`],
        ['Submissions measured / acknowledged / duplicate', `${formatNumber(count)} / ${formatNumber(result.acknowledged)} / ${formatNumber(result.duplicates)}`],
        ['Refused', refused.length === 0 ? '0' : refused.map(([code, n]) => `${code} ×${n}`).join(', ')],
        ['Measured time', `${(result.elapsedMs / 1000).toFixed(2)} s`],
        ['Connections × requests in flight', `${connections} × ${inFlight}`],
        ['Requests per frame', batch === 1 ? '1 (one tx.submit per WebSocket frame)' : `${batch} (JSON-RPC 2.0 batch arrays)`],
        ['Approval mode of the node\'s validators', approval === 'auto' ? 'auto (it finalizes while it ingests)' : 'manual (no block becomes final)'],
        ['Answer latency p50 / p99 / max', `${formatNumber(result.latencyP50Ms)} / ${formatNumber(result.latencyP99Ms)} / ${formatNumber(result.latencyMaxMs)} ms`],
        ['Blocks the node finalized meanwhile', formatNumber(status.height - measured.heightBefore)],
        ['Mempool at the end', formatNumber(status.mempoolSize)],
        ...(resources
          ? [
              ['Node main thread busy (event-loop utilisation)', `${(resources.mainThreadBusy * 100).toFixed(0)} %`],
              ['Node process CPU (main thread and workers)', `${resources.cpuCores.toFixed(2)} of 2 cores`],
              ['Node event-loop delay p99', `${formatNumber(resources.loopDelayP99Ms)} ms`],
            ]
          : []),
        ['Client process CPU', `${result.clientCpuCores.toFixed(2)} of 2 cores`],
        ['CPU used by other processes meanwhile', others?.cores == null ? 'unknown' : `${others.cores.toFixed(2)} cores`],
        ...(alone
          ? [
              ['For comparison: the mempool alone (TransactionPool.submit, no API, no consensus)', `${formatNumber(alone.txPerS)} tx/s`],
              ['  its time with a batch being verified / in the SQLite group commit', `${(alone.verifyShare * 100).toFixed(0)} % / ${(alone.persistShare * 100).toFixed(0)} % (mean batch ${formatNumber(alone.meanBatch)})`],
              ['  its process CPU / main thread busy', `${alone.resources.cpuCores.toFixed(2)} of 2 cores / ${(alone.resources.mainThreadBusy * 100).toFixed(0)} %`],
            ]
          : []),
      ],
      [
        ...(others?.warning ? [others.warning] : []),
        'Node: startNode on a fresh demo workspace (civichain-demo-1), signature verification in the worker threads of the build (2), real SQLite store; it also proposes and (in auto mode) finalizes blocks from its mempool while it ingests (it holds every demo validator key).',
        'Client: a separate process on the same machine; every transaction signed before timing (256 sender keys, `note` payloads); requests pre-serialized.',
        `Acknowledged = answered with a hash and duplicate=false, i.e. verified and durable in the mempool (group commit). ${formatNumber(warmup)} warm-up submissions first, not counted.`,
      ],
    );
  } finally {
    await api?.close();
    await node?.close();
    temp.remove();
  }
}

await main();
