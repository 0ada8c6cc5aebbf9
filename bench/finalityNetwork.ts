/**
 * Finality (issue 3, Build 7b) with 4 auto-approving validators as 4 node processes on loopback, now that
 * peering exists: `bin/civichain.js node` four times on a private network (each process holds only its own
 * validator key; 8 bits of proof-of-work and a 3 s round timeout, the demo's settings), fully meshed over
 * the peer protocol. One ingest client process per node (bench/support/ingestClient.ts) submits signed
 * `note` transactions through that node's API as fast as it answers; each node relays what it takes to the
 * others, so every node verifies every transaction. Finalized tx/s = the transactions in the blocks that
 * became final on node 1 during the measured window ÷ its length.
 *
 *   npx vite-node bench/finalityNetwork.ts [--seconds 60] [--warmup 1024] [--per-client 60000]
 *       [--batch 64] [--in-flight 256]
 *
 * bench/finality.ts measures the same with the 4 validators in one process (one verification pool shared
 * by all four, so each signature is checked once), and the submit → final latency at 500 tx/s.
 * Target (issue 3, Acceptance "Targets"): ≥ 1,500 tx/s sustained for 60 s.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockSummary, NodeStatus } from '../preload/contract';
import { createTestNetwork, TEST_NETWORK_PASSPHRASE } from '../test/support/testNetwork';
import { runIngestClient, type IngestDone } from './support/ingestRunner';
import { apiCaller, cpuSecondsOf, startNodeProcess, type NodeProcess } from './support/nodeProcess';
import { formatNumber, machineFacts, numberArgument, printSummary } from './support/report';
import { DEMO_POW_BITS, DEMO_ROUND_TIMEOUT_MS } from './support/validatorNetwork';

const VALIDATORS = 4;
const TARGET_TX_PER_S = 1_500;
const seconds = numberArgument('seconds', 60);
const batch = numberArgument('batch', 64);
const warmup = numberArgument('warmup', 1_024);
const perClient = numberArgument('per-client', 60_000);
const inFlight = numberArgument('in-flight', 256);
if (warmup % batch !== 0) throw new RangeError(`--batch must divide --warmup (${warmup}), got ${batch}.`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` holds, failing after `timeoutMs` with `what`. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new RangeError(`Timed out waiting until ${what}.`);
    await pause(100);
  }
}

const network = await createTestNetwork(VALIDATORS, { roundTimeoutMs: DEMO_ROUND_TIMEOUT_MS });
const nodes: NodeProcess[] = [];
const clients: ChildProcess[] = [];
try {
  for (const dir of network.dirs) {
    const file = join(dir, 'genesis.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), powDifficultyBits: DEMO_POW_BITS }, null, 2));
  }
  // Each node peers with those started before it: a full mesh.
  for (const dir of network.dirs) nodes.push(await startNodeProcess(dir, { passphrase: TEST_NETWORK_PASSPHRASE, peers: nodes.map((n) => n.p2pUrl) }));
  const apis = await Promise.all(nodes.map((n) => apiCaller(n.apiUrl, n.token)));
  const first = apis[0]!;
  await until(async () => (await Promise.all(apis.map((api) => api.call<NodeStatus>('node.status')))).every((s) => s.peers >= VALIDATORS - 1), 'every node has its 3 peers');
  const facts = machineFacts(network.dirs[0]);

  console.log(`Clients: signing ${formatNumber(VALIDATORS * (warmup + perClient))} transactions (not timed), then ${formatNumber(warmup)} warm-up submissions each…`);
  let measuring = 0;
  let allMeasuring: () => void = () => undefined;
  const warmedUp = new Promise<void>((resolve) => (allMeasuring = resolve));
  const finished: IngestDone[] = [];
  const results = nodes.map((node, i) =>
    runIngestClient(
      { type: 'start', apiUrl: node.apiUrl, token: node.token, chainId: 'civichain-testnet', warmup, count: perClient, connections: 1, inFlight, batch, seed: `network-${i}-${Date.now()}` },
      () => {
        if (++measuring === VALIDATORS) allMeasuring();
      },
      (child) => clients.push(child),
    ).then((done) => {
      finished.push(done);
      return done;
    }),
  );
  await Promise.race([warmedUp, Promise.all(results)]);

  const before = await first.call<NodeStatus>('node.status');
  const cpuBefore = nodes.map((n) => cpuSecondsOf(n.child.pid));
  const startedMs = Date.now();
  await pause(seconds * 1000);
  const after = await first.call<NodeStatus>('node.status');
  const elapsedS = (Date.now() - startedMs) / 1000;
  const cpuAfter = nodes.map((n) => cpuSecondsOf(n.child.pid));
  const ranOut = finished.length;
  const statuses = await Promise.all(apis.map((api) => api.call<NodeStatus>('node.status')));

  // The blocks final on node 1 in the window, newest first, a page at a time.
  let finalized = 0;
  let blocks = 0;
  let rounds = 0;
  for (let from = after.finalHeight; from > before.finalHeight; ) {
    const page = (await first.call<{ blocks: BlockSummary[] }>('chain.blocks', { before: from, limit: 1000 })).blocks.filter((b) => b.height > before.finalHeight && b.height <= after.finalHeight);
    if (page.length === 0) break;
    for (const block of page) {
      finalized += block.txCount;
      blocks += 1;
      if (block.round > 0) rounds += 1;
    }
    from = Math.min(...page.map((b) => b.height)) - 1;
  }
  for (const client of clients) client.kill('SIGTERM');
  const perS = finalized / elapsedS;
  const cpu = cpuBefore.map((b, i) => (b === null || cpuAfter[i] === null ? null : (cpuAfter[i] as number) - b));
  const nodeCores = cpu.every((c) => c !== null) ? (cpu as number[]).reduce((a, b) => a + b, 0) / elapsedS : null;
  printSummary(
    `Finality: ${VALIDATORS} validators as ${VALIDATORS} processes on loopback, ${seconds} s`,
    facts,
    ['Measure', 'Value'],
    [
      ['Finalized tx/s (node 1)', `${formatNumber(Math.round(perS))} (target ≥ ${formatNumber(TARGET_TX_PER_S)}: ${perS >= TARGET_TX_PER_S ? 'met' : 'NOT met'})`],
      ['Blocks final on node 1 in the window', `${formatNumber(blocks)} (${rounds} decided after round 0); ${formatNumber(blocks === 0 ? 0 : Math.round(finalized / blocks))} transactions per block`],
      ['Final heights at the end (nodes 1–4)', statuses.map((s) => formatNumber(s.finalHeight)).join(', ')],
      ['Rounds of the next height at the end (nodes 1–4)', statuses.map((s) => formatNumber(s.round)).join(', ')],
      ['Mempools at the end (nodes 1–4)', statuses.map((s) => formatNumber(s.mempoolSize)).join(', ')],
      ['Measured window', `${elapsedS.toFixed(1)} s`],
      ['CPU of the 4 node processes (all threads)', nodeCores === null ? 'n/a (no /proc)' : `${nodeCores.toFixed(2)} of 2 cores`],
      ['Clients that ran out before the end', ranOut === 0 ? 'none' : `${ranOut} of ${VALIDATORS}: raise --per-client`],
    ],
    [
      `${VALIDATORS} processes of \`civichain node\`, each with its own SQLite store, verification workers and proof-of-work worker; quorum 3 of 4; auto-approve; peers over WebSocket on 127.0.0.1.`,
      `One client process per node: \`tx.submit\` in JSON-RPC batches of ${batch}, ${inFlight} submissions unanswered per client; transactions signed before timing; ${formatNumber(warmup)} warm-up submissions each, not timed.`,
      'Every node verifies every transaction (it reaches each by its own API or by relay): four times the signature checks of bench/finality.ts, whose one process shares one verification pool.',
    ],
  );
  for (const api of apis) api.close();
} finally {
  for (const child of clients) child.kill('SIGTERM');
  for (const node of nodes) node.child.kill('SIGTERM');
  await Promise.all(nodes.map(({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  network.remove();
}
