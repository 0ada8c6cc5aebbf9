/**
 * Vouchers (issue 6, Acceptance "Targets"), on one real demo node (in this process, as bench/apiIngest.ts
 * starts it: it holds every demo validator, reviewer and operator key, so it also makes and finalises the
 * blocks) through its WebSocket API:
 *   1. applications decided and their vouchers issued: N applications (signed, sealed to the reviewers and
 *      final before timing) decided with `voucher.decide` — each opened with the reviewers' key, its
 *      identity hashed, the decision signed, submitted and waited on until final, which issues its two
 *      vouchers — target 10,000 in < 10 s;
 *   2. redemptions accepted into the mempool — target ≥ 3,000/s — measured twice:
 *      a. the mempool itself (TransactionPool.submit on a real SQLite store with the verification worker
 *         pool, as bench/elections.ts measures ballots): N signed `voucher.redeem` transactions, each resident
 *         paying an Octopus request of HK$120.50 with their first voucher, 1,024 in flight;
 *      b. through the node's API (`tx.submit`) while the same node makes and finalises blocks of them, as in
 *         service: each verified in the worker pool, checked against the rules and durably in the mempool
 *         when answered.
 *
 *   npx vite-node bench/vouchers.ts [--count 10000] [--connections 4] [--in-flight 2048]
 *       [--cpu-profile file] (two profiles: file.decide.cpuprofile and file.redeem.cpuprofile)
 *
 * The timed calls are made by a client in its own process (bench/support/callClient.ts), as desks and wallets
 * are; everything it sends is signed before timing. Run `npx electron-vite build` first: the worker threads
 * load from the build.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { canonicalize } from '../main/core/encoding/canonicalJson';
import { HOUR_MS } from '../main/core/elections/testElection';
import { operators, testDetails, testProgramme, testSealed, VoucherTxs } from '../main/core/vouchers/testVouchers';
import { TransactionPool } from '../main/node/mempool/mempool';
import { openStore } from '../main/node/store/database';
import { buildTestBlock, createTestNetwork, type TestNetwork } from '../main/node/store/testChain';
import type { LedgerStore } from '../main/node/store/ledgerStore';
import { createVerifyPool } from '../main/node/workers/verifyPool';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Transaction } from '../main/core/ledger/transaction';
import { signTransaction, transactionHash } from '../main/core/ledger/transaction';
import { voucherId } from '../main/core/rules/vouchers';
import { sealApplication, sealRandomness, x25519KeyPair } from '../main/core/vouchers/seal';
import { startApiServer, type ApiServer } from '../main/node/api/wsServer';
import { ed25519PrivateKeyFromSeed, ed25519PublicKeyHex } from '../main/node/keystore/keystore';
import { createLogger } from '../main/node/log';
import { startNode, type CivichainNode } from '../main/node/node';
import { hkidCheckDigit } from '../main/node/vouchers/eligibility';
import { POW_WORKER_SCRIPT } from '../main/node/workers/proofOfWork';
import { builtWorkerForTests } from '../main/node/workers/testSupport';
import { VERIFY_WORKER_SCRIPT } from '../main/node/workers/verifyPool';
import { demoSeed } from '../main/node/workspace/demo';
import { DEMO_PROGRAMME_ID, demoReviewerSecrets } from '../main/node/workspace/demoVouchers';
import type { VoucherProgrammeSummary } from '../preload/contract';
import { connectApi, type TestApiClient } from '../test/support/apiClient';
import { makeTempDir } from '../test/support/tempDir';
import type { CallsReply, CallsRequest } from './support/callClient';
import { startMonitor } from './support/monitor';
import { cpuProfileArgument, startCpuProfile } from './support/profile';
import { formatNumber, machineFacts, numberArgument, printSummary } from './support/report';

const count = numberArgument('count', 10_000, { min: 100 });
const connections = numberArgument('connections', 4);
const inFlight = numberArgument('in-flight', 2048);
const P = DEMO_PROGRAMME_ID;
const PRICE_CENTS = 12_050;
const cpuProfile = cpuProfileArgument();
const profileFile = (phase: string) => (cpuProfile === null ? null : cpuProfile.replace(/(\.cpuprofile)?$/, `.${phase}.cpuprofile`));

interface Resident {
  readonly privateKey: ReturnType<typeof ed25519PrivateKeyFromSeed>;
  readonly publicKey: string;
  readonly hkid: string;
}

function makeResidents(n: number): Resident[] {
  return Array.from({ length: n }, (_, i) => {
    const privateKey = ed25519PrivateKeyFromSeed(randomBytes(32));
    const digits = String(100_000 + i).padStart(6, '0');
    return { privateKey, publicKey: ed25519PublicKeyHex(privateKey), hkid: `Z${digits}${hkidCheckDigit('Z', digits)}` };
  });
}

/** Runs `task` over the items with `limit` of them unanswered at once, spread over the clients. */
async function pooled<T, R>(items: readonly T[], clients: readonly TestApiClient[], limit: number, task: (client: TestApiClient, item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async (_, lane) => {
      const client = clients[lane % clients.length] as TestApiClient;
      while (next < items.length) {
        const index = next++;
        results[index] = await task(client, items[index] as T);
      }
    }),
  );
  return results;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new RangeError(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}


const BLOCK_TXS = 5_000;
const VITE_NODE = fileURLToPath(new URL('../node_modules/vite-node/vite-node.mjs', import.meta.url));
const CALL_CLIENT = fileURLToPath(new URL('./support/callClient.ts', import.meta.url));

/** Makes the calls from a client process; resolves with the elapsed seconds and each call's answer. */
function callFromClient(request: Omit<CallsRequest, 'type'>): Promise<{ seconds: number; results: readonly unknown[] }> {
  const child = fork(VITE_NODE, [CALL_CLIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (message: unknown) => {
      const reply = message as CallsReply;
      if (reply.type === 'done') resolve({ seconds: reply.elapsedMs / 1000, results: reply.results });
      else reject(new RangeError(`The benchmark client failed: ${reply.message}`));
    });
    child.once('exit', (code) => reject(new RangeError(`The benchmark client exited (code ${code}) before it reported.`)));
    child.send({ type: 'calls', ...request } satisfies CallsRequest);
  });
}

function commit(store: LedgerStore, network: TestNetwork, txs: readonly Transaction[]): void {
  for (let i = 0; i < txs.length; i += BLOCK_TXS) {
    const built = buildTestBlock(store, network, txs.slice(i, i + BLOCK_TXS));
    store.commitBlock(built.block, built.hash, built.certificate, built.changes);
  }
}

/** 2a: redemptions into TransactionPool.submit on a real store, the programme, approvals and requests final. */
async function measureMempool(folder: string, n: number) {
  const network = createTestNetwork('Voucher bench');
  const store = openStore({ path: join(folder, 'mempool.sqlite'), genesis: network.genesis, genesisHash: network.genesisHash });
  const t0 = network.genesis.genesisTimeMs;
  const v = new VoucherTxs(network.genesis.chainId, network.authority);
  const octopus = operators.octopus;
  const residents = makeResidents(n);
  commit(store, network, [v.programme(testProgramme(network.genesis))]);
  const applications = residents.map((r, i) => v.apply(r, testDetails(r.hkid, `Bench Resident ${i}`), testSealed(r, testDetails(r.hkid, `Bench Resident ${i}`))));
  commit(store, network, applications);
  const approvals = residents.map((r, i) => v.approve(transactionHash(applications[i] as Transaction), r.hkid));
  commit(store, network, approvals);
  commit(store, network, residents.map((_, i) => v.request(octopus, `m-${i}`, PRICE_CENTS, t0 + 90 * HOUR_MS)));
  const redemptions = residents.map((r, i) => JSON.parse(canonicalize(v.redeem(r, octopus, `m-${i}`, [voucherId(transactionHash(approvals[i] as Transaction), 0)], PRICE_CENTS))) as unknown);
  const pool = createVerifyPool({ workerScript: builtWorkerForTests(VERIFY_WORKER_SCRIPT), memoize: false });
  const mempool = new TransactionPool(
    { genesis: network.genesis, maxSize: n + 10 },
    { repository: store.mempool, verifier: pool, registry: network.registry, state: () => store.state(), height: () => store.head().height, now: () => t0 + 20 * HOUR_MS, onChange: () => undefined },
  );
  const stop = startMonitor();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 1024 }, async () => {
      while (next < redemptions.length) await mempool.submit(redemptions[next++]);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const resources = stop();
  const accepted = mempool.size();
  await pool.close();
  store.close();
  if (accepted !== n) throw new RangeError(`the mempool holds ${accepted} of ${n} redemptions`);
  return { perSecond: n / seconds, resources };
}

async function main(): Promise<void> {
  const temp = makeTempDir('civichain-bench-vouchers-');
  const facts = machineFacts(temp.path);
  const log = createLogger({ level: 'error', sink: (line) => process.stderr.write(`${line}\n`) });
  let node: CivichainNode | null = null;
  let api: ApiServer | null = null;
  const clients: TestApiClient[] = [];
  try {
    process.stderr.write(`mempool alone: ${formatNumber(count)} redemptions…\n`);
    const mempool = await measureMempool(temp.path, count);
    process.stderr.write(`mempool: ${formatNumber(mempool.perSecond)}/s\n`);
    node = await startNode(
      {
        dataDir: join(temp.path, 'data'),
        demo: true,
        runtime: 'headless',
        version: 'bench',
        workerScripts: { verify: builtWorkerForTests(VERIFY_WORKER_SCRIPT), pow: builtWorkerForTests(POW_WORKER_SCRIPT) },
      },
      { log },
    );
    api = await startApiServer({ port: 0, token: node.workspace.apiToken, staticDir: null }, { node, log });
    for (let i = 0; i < connections; i++) clients.push(await connectApi(api.apiUrl, node.workspace.apiToken));
    const main = clients[0] as TestApiClient;
    const chainId = node.workspace.genesis.chainId;
    const summary = () => main.call<VoucherProgrammeSummary>('voucher.programme', { programme: P });
    await until('the demo programme', async () => (await main.call<{ programmes: VoucherProgrammeSummary[] }>('voucher.programmes')).programmes.length > 0);
    const programme = await summary();
    const sealingKey = x25519KeyPair(demoReviewerSecrets().sealingPrivateKey).publicKey;
    const sign = (privateKey: Resident['privateKey'], publicKey: string, type: string, payload: Transaction['payload']) =>
      signTransaction({ type, chainId, signer: publicKey, nonce: randomBytes(12).toString('base64url'), payload }, privateKey);
    const submitAll = (txs: readonly Transaction[]) => pooled(txs, clients, inFlight, (client, tx) => client.call<{ hash: string }>('tx.submit', { transaction: tx as unknown as Record<string, unknown> }));

    // Set-up (not timed): N applications, final.
    process.stderr.write(`signing and sealing ${formatNumber(count)} applications…\n`);
    const residents = makeResidents(count);
    const applications = residents.map((r, i) =>
      sign(r.privateKey, r.publicKey, 'voucher.apply', {
        programme: P,
        sealed: { ...sealApplication({ hkid: r.hkid, name: `Bench Resident ${i}`, dateOfBirth: '1980-01-01', residency: 'permanent' }, sealingKey, sealRandomness(), { programme: P, applicant: r.publicKey }) },
      }),
    );
    await submitAll(applications);
    await until('the applications to be final', async () => (await summary()).counts.applicants.pending >= count);
    process.stderr.write('applications final; deciding…\n');

    // 1. Decisions, timed until the last one is final (voucher.decide answers once its decision is final).
    const rounds = { blocks: 0, afterRoundZero: 0, roundChanges: 0 };
    const stopCounting = node.onEvent((event, payload) => {
      if (event === 'block.final') {
        rounds.blocks++;
        if ((payload as { round: number }).round > 0) rounds.afterRoundZero++;
      }
      if (event === 'round.change') rounds.roundChanges++;
    });
    const stopDecideProfile = await startCpuProfile(profileFile('decide'));
    const stopDecide = startMonitor();
    const decided = await callFromClient({
      apiUrl: api.apiUrl,
      token: node.workspace.apiToken,
      connections,
      inFlight,
      calls: applications.map((tx) => ({ method: 'voucher.decide', params: { programme: P, application: transactionHash(tx), decision: 'approve' } })),
    });
    const decideSeconds = decided.seconds;
    const decisions = decided.results as { txHash?: string; error?: string }[];
    const refusedDecisions = decisions.filter((d) => !d.txHash);
    if (refusedDecisions.length > 0) throw new RangeError(`${refusedDecisions.length} decisions failed, e.g. ${refusedDecisions[0]?.error}`);
    const decideResources = stopDecide();
    stopCounting();
    await stopDecideProfile();
    const afterDecide = await summary();
    if (afterDecide.counts.applicants.approved < count || afterDecide.counts.issuedCents < count * programme.amountPerPersonCents) {
      throw new RangeError(`after deciding: ${JSON.stringify(afterDecide.counts)}`);
    }
    process.stderr.write(`decided ${formatNumber(count)} in ${decideSeconds.toFixed(1)} s (${rounds.blocks} blocks, ${rounds.afterRoundZero} decided after round 0, ${rounds.roundChanges} round changes)\n`);

    // Set-up (not timed): one Octopus request per resident, final; the redemptions signed.
    const octopusKey = ed25519PrivateKeyFromSeed(demoSeed('operator-octopus'));
    const octopus = ed25519PublicKeyHex(octopusKey);
    const expiresAtMs = Date.now() + 3_600_000;
    const requests = residents.map((_, i) => sign(octopusKey, octopus, 'voucher.request', { programme: P, requestId: `bench-${i}`, amountCents: PRICE_CENTS, reference: `till ${i % 40}`, expiresAtMs }));
    await submitAll(requests);
    await until('the payment requests to be final', async () => {
      const last = await main.call<{ status: { state: string } }>('tx.get', { hash: transactionHash(requests[requests.length - 1] as Transaction) }).catch(() => null);
      return last?.status.state === 'final' && (await main.call<{ size: number }>('mempool.list', { limit: 1 })).size === 0;
    });
    const redemptions = residents.map((r, i) =>
      sign(r.privateKey, r.publicKey, 'voucher.redeem', {
        programme: P,
        request: { operator: octopus, requestId: `bench-${i}` },
        vouchers: [voucherId(decisions[i]?.txHash ?? '', 0)],
        amountCents: PRICE_CENTS,
      }),
    );

    // 2. Redemptions into the mempool, timed until the last is acknowledged.
    const stopRedeemProfile = await startCpuProfile(profileFile('redeem'));
    const stopRedeem = startMonitor();
    const redeemStart = performance.now();
    const answers = await pooled(redemptions, clients, inFlight, (client, tx) =>
      client.call<{ hash: string; duplicate: boolean }>('tx.submit', { transaction: tx as unknown as Record<string, unknown> }).then(
        () => true,
        (error: unknown) => {
          process.stderr.write(`refused: ${String(error).slice(0, 300)}\n`);
          return false;
        },
      ),
    );
    const redeemSeconds = (performance.now() - redeemStart) / 1000;
    const redeemResources = stopRedeem();
    await stopRedeemProfile();
    const accepted = answers.filter(Boolean).length;
    if (accepted !== count) throw new RangeError(`${count - accepted} redemptions were refused`);
    const redeemRate = accepted / redeemSeconds;
    await until('the redemptions to be final', async () => (await main.call<{ size: number }>('mempool.list', { limit: 1 })).size === 0);

    printSummary(
      'Vouchers',
      facts,
      ['measure', 'result', 'target', 'met'],
      [
        [`${formatNumber(count)} applications decided (voucher.decide), vouchers issued, final`, `${decideSeconds.toFixed(1)} s (${formatNumber(count / decideSeconds)}/s)`, '10,000 in < 10 s', count >= 10_000 && decideSeconds < 10 ? 'yes' : 'no'],
        [`redemptions accepted into the mempool (TransactionPool.submit)`, `${formatNumber(mempool.perSecond)}/s`, '≥ 3,000/s', mempool.perSecond >= 3000 ? 'yes' : 'no'],
        [`redemptions through the API (tx.submit) while the node finalises them`, `${formatNumber(redeemRate)}/s`, '', ''],
      ],
      [
        `One demo node in this process (every demo key: it decides, proposes and finalises), the API on loopback, ${connections} WebSocket connections with ${inFlight} requests unanswered in all.`,
        `Mempool alone: main thread busy ${(mempool.resources.mainThreadBusy * 100).toFixed(0)} %, ${mempool.resources.cpuCores.toFixed(2)} cores used.`,
        `Decisions: ${rounds.blocks} blocks final, ${rounds.afterRoundZero} of them after round 0 (a round timed out), ${rounds.roundChanges} round changes; main thread busy ${(decideResources.mainThreadBusy * 100).toFixed(0)} %, ${decideResources.cpuCores.toFixed(2)} cores used. Redemptions: main thread busy ${(redeemResources.mainThreadBusy * 100).toFixed(0)} %, ${redeemResources.cpuCores.toFixed(2)} cores used.`,
        `Applications (sealed with X25519 + AES-256-GCM) and payment requests were made final before timing; redemptions were signed before timing.`,
      ],
    );
  } finally {
    for (const client of clients) client.close();
    await api?.close();
    await node?.close();
    temp.remove();
  }
}

await main();
