/**
 * A running Civichain node: the data folder (locked to this process), the workspace (genesis, keystore,
 * the node's own key), the ledger store, the worker threads (signature verification, proof-of-work), the
 * mempool, the consensus engine and the API handlers. Both runtimes start it the same way: the headless CLI
 * (main/cli) and the Electron main process (main/app). Components are closed in reverse order.
 */
import type { ApprovalMode, EventName, EventPayloads, NodeIdentity, NodeStatus } from '../../preload/contract';
import { PublicKeyCache } from '../core/crypto/ed25519';
import { transactionHash, type Transaction } from '../core/ledger/transaction';
import { CivichainError } from '../core/errors';
import { createDefaultRegistry } from '../core/rules/index';
import { currentValidatorSet } from '../core/rules/validatorSet';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { systemClock } from './clock';
import { createHandlers, transactionStatus } from './api/handlers';
import { ConsensusEngine } from './consensus/engine';
import type { ConsensusEvent, LocalKey, Network, ProofOfWork, Verifier } from './consensus/types';
import { FinalityWaiters } from './finality';
import { TransactionPool } from './mempool/mempool';
import { CatchUp, SYNC_RANGE_BLOCKS } from './p2p/catchUp';
import { PeerNetwork } from './p2p/peerNetwork';
import { FilePeerStore } from './p2p/peerStore';
import { openStore, type Store } from './store/database';
import { createInlineProofOfWork, createProofOfWork } from './workers/proofOfWork';
import { createInlineVerifier, createVerifyPool, type BatchVerifier } from './workers/verifyPool';
import { acquireDataDirLock, type DataDirLock } from './workspace/lock';
import { loadSettings, saveSettings } from './workspace/settings';
import { openWorkspace, unlockNodeKey, unlockRoleKeys, unlockSigningKeys, type Workspace } from './workspace/workspace';
import { CredentialVerifier } from '../core/elections/credential';
import { ElectionOffice } from './elections/electionOffice';
import { ElectionOfficeStore } from './elections/officeStore';
import { seedDemoElection } from './elections/demoElection';
import { createCredentialPrecheck } from './elections/credentialPrecheck';
import { VoucherOffice } from './vouchers/voucherOffice';
import { seedDemoVouchers } from './vouchers/demoVouchers';
import { loadReviewerSecrets } from './vouchers/reviewerSecrets';
import { demoReviewerSecrets } from './workspace/demoVouchers';
import { DEMO_PASSPHRASE } from './workspace/demo';
import type { Logger } from './log';

export type NodeEventListener = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

export interface CivichainNode {
  readonly dataDir: string;
  readonly dispatcher: Dispatcher;
  readonly workspace: Workspace;
  readonly store: Store;
  readonly mempool: TransactionPool;
  readonly engine: ConsensusEngine;
  /** The peer network, when this node peers (null: it decides alone with the keys it holds). */
  readonly network: PeerNetwork | null;
  status(): NodeStatus;
  identity(): NodeIdentity;
  /** Subscribe to every event the node emits; returns the unsubscribe function. */
  onEvent(listener: NodeEventListener): () => void;
  close(): Promise<void>;
}

export interface NodeOptions {
  readonly dataDir: string;
  /** Create the demo workspace if the data folder holds none (DESIGN.md §10). */
  readonly demo: boolean;
  readonly runtime: 'electron' | 'headless';
  readonly version: string;
  /**
   * Where signatures are verified and proof-of-work solved: worker threads (the default; they load from
   * the built bundles), or the calling thread (tests that run from sources).
   */
  readonly workers?: 'threads' | 'inline';
  /** Built worker scripts, when not beside the running bundle (benchmarks and tests running from sources). */
  readonly workerScripts?: { readonly verify: string | URL; readonly pow: string | URL };
  /**
   * Peering: listen on `port` (0 = any free port) and dial `peers`. Absent: the node does not peer and
   * decides blocks with the keys it holds (the demo node holds them all).
   */
  readonly p2p?: {
    readonly host?: string;
    readonly port: number;
    readonly peers: readonly string[];
    /** Learn and pass on peer addresses (default true); false keeps the node to the peers it is given. */
    readonly peerExchange?: boolean;
    /** When the port is taken, listen on any free port instead of failing (for a default port). */
    readonly anyPortIfTaken?: boolean;
  };
  /**
   * Keystore ids of the validator and proposer keys this node signs with. Absent: every validator and
   * proposer key in its keystore. Nodes of one network must not share a key: each signs for itself.
   */
  readonly signingKeys?: readonly string[];
}

export interface NodeDependencies {
  readonly log: Logger;
  readonly now?: () => number;
  /** Path of a better-sqlite3 binary built for this runtime's ABI (Electron), when not the default. */
  readonly sqliteNativeBinding?: string;
}

/** How often catch-up looks for stalled peers and free ones (it also re-plans on every block and peer event). */
const CATCH_UP_TICK_MS = 500;
/** Catch-up stops asking for more while this many transactions wait in received blocks (memory bound). */
const CATCH_UP_BACKLOG_TXS = 50_000;

/** The node's status events are coalesced: at most this often, however busy the chain is. */
const STATUS_EVENT_INTERVAL_MS = 250;


/** Until peering lands, a node's consensus messages go nowhere: it decides with the keys it holds. */
const noPeers: Network = { broadcast: () => undefined, send: () => undefined, relay: () => undefined };

export async function startNode(options: NodeOptions, deps: NodeDependencies): Promise<CivichainNode> {
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const lock: DataDirLock = acquireDataDirLock(options.dataDir);
  const closers: (() => Promise<void> | void)[] = [() => lock.release()];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        log.warn('a component failed to close', { error: String(error) });
      }
    }
  };
  try {
    const workspace = await openWorkspace({ dataDir: options.dataDir, demo: options.demo }, { log });
    const keys = new PublicKeyCache();
    const store = openStore(
      { path: workspace.paths.chainDb, genesis: workspace.genesis, genesisHash: workspace.genesisHash },
      {
        nativeBinding: deps.sqliteNativeBinding,
        now,
        keys,
        onChecked: (result) => log.info('ledger store checked', { blocks: result.blocks, transactions: result.transactions, ms: Math.round(result.durationMs) }),
      },
    );
    closers.push(() => store.close());
    const { genesis } = workspace;
    const registry = createDefaultRegistry();
    const credentials = new CredentialVerifier();
    const officeStore = new ElectionOfficeStore(workspace.paths.electionOfficeDb, deps.sqliteNativeBinding);
    closers.push(() => officeStore.close());
    const listeners = new Set<NodeEventListener>();
    const emit: NodeEventListener = (event, payload) => {
      for (const listener of listeners) listener(event, payload);
    };

    const inline = options.workers === 'inline';
    let hashesPerSecond = 0;
    const onPowProgress = (progress: { hashesPerSecond: number }) => {
      hashesPerSecond = progress.hashesPerSecond;
      emit('mining', { active: true, hashesPerSecond });
      scheduleStatus();
    };
    let verifier: BatchVerifier & { close?: () => Promise<void> | void };
    let pow: ProofOfWork & { close?: () => Promise<void> | void };
    if (inline) {
      verifier = createInlineVerifier({}, { keys });
      pow = createInlineProofOfWork({ onProgress: onPowProgress });
    } else {
      verifier = createVerifyPool({ workerScript: options.workerScripts?.verify }, { log });
      pow = createProofOfWork({ onProgress: onPowProgress, workerScript: options.workerScripts?.pow }, { log });
      // Copying the WAL into the database file, off the main thread; without it SQLite does so in a commit.
      try {
        await store.checkpointOffThread({ nativeBinding: deps.sqliteNativeBinding, log });
      } catch (error) {
        log.warn('WAL checkpoints stay on the main thread', { error: String(error) });
      }
    }
    closers.push(() => verifier.close?.());
    const precheckCredentials = createCredentialPrecheck({
      chainId: genesis.chainId,
      state: () => store.state(),
      credentials,
      verifyCredentials: (claims, precheckOptions) => verifier.verifyCredentials(claims, precheckOptions),
    });
    closers.push(() => pow.close?.());

    const localKeys: LocalKey[] = await unlockSigningKeys(workspace, genesis, options.signingKeys);
    const settings = loadSettings(options.dataDir);

    let engine: ConsensusEngine | null = null;
    let network: PeerNetwork | null = null;
    const mempool = new TransactionPool(
      { genesis },
      {
        repository: store.mempool,
        verifier,
        registry,
        state: () => store.state(),
        height: () => store.head().height,
        now,
        credentials,
        precheck: (txs) => precheckCredentials(txs),
        onChange: (size, added) => {
          emit('mempool.changed', { size });
          // Gossip what passed validation (peers deduplicate what they have already seen).
          for (const tx of added) network?.broadcast({ type: 'tx', tx });
          engine?.onTransactionsAvailable();
          scheduleStatus();
        },
      },
    );

    const startedAtMs = now();
    let state: NodeStatus['state'] = 'running';
    const localPublicKeys = new Set(localKeys.map((k) => k.publicKey));
    const status = (): NodeStatus => {
      const head = store.head();
      const syncTarget = catchUp?.target() ?? null;
      const validators = currentValidatorSet(store.state(), genesis).validators.map((v) => v.publicKey);
      return {
        networkName: genesis.networkName,
        chainId: genesis.chainId,
        height: head.height,
        finalHeight: head.finalHeight,
        round: engine?.round ?? 0,
        mempoolSize: mempool.size(),
        peers: network?.peers().length ?? 0,
        state: state === 'running' && syncTarget !== null && syncTarget > head.height ? 'syncing' : state,
        syncBlocksLeft: syncTarget !== null && syncTarget > head.height ? syncTarget - head.height : null,
        mining: { active: engine?.isMining ?? false, hashesPerSecond: engine?.isMining ? hashesPerSecond : 0 },
        approvalMode: engine?.mode ?? settings.approvalMode,
        localValidators: validators.filter((v) => localPublicKeys.has(v)),
        proposer: genesis.proposers.some((p) => localPublicKeys.has(p.publicKey)),
        demo: genesis.demo,
        startedAtMs,
        version: options.version,
      };
    };
    let statusTimer: ReturnType<typeof setTimeout> | null = null;
    const scheduleStatus = () => {
      if (statusTimer) return;
      statusTimer = setTimeout(() => {
        statusTimer = null;
        emit('node.status', status());
      }, STATUS_EVENT_INTERVAL_MS);
    };
    closers.push(() => {
      if (statusTimer) clearTimeout(statusTimer);
    });

    // Catch-up: while peers are ahead, ask several of them at once for different ranges of final blocks
    // (main/node/p2p/catchUp.ts); the engine checks each block and applies them in order.
    let catchUp: CatchUp | null = null;
    const catchUpTimer = setInterval(() => catchUp?.tick(), CATCH_UP_TICK_MS);
    catchUpTimer.unref();
    closers.push(() => clearInterval(catchUpTimer));

    const finality = new FinalityWaiters({ finalHeight: (hash) => store.transaction(hash)?.height ?? null, pending: (hash) => mempool.has(hash) });
    const emitElectionChanges = (height: number) => {
      if (listeners.size === 0) return;
      const elections = new Set<string>();
      const programmes = new Set<string>();
      for (const tx of store.committed(height)?.block.transactions ?? []) {
        if (tx.type.startsWith('election.')) elections.add(String(tx.payload['election'] ?? tx.payload['id']));
        else if (tx.type.startsWith('voucher.')) programmes.add(String(tx.payload['programme'] ?? tx.payload['id']));
      }
      for (const election of elections) emit('election.changed', { election, height });
      for (const programme of programmes) emit('voucher.changed', { programme, height });
    };

    const onConsensusEvent = (event: ConsensusEvent) => {
      switch (event.kind) {
        case 'block.proposed':
          emit('block.proposed', { height: event.height, round: event.round, blockHash: event.blockHash, proposer: event.proposer });
          break;
        case 'block.final':
          emit('block.final', { height: event.height, round: event.round, blockHash: event.blockHash, txCount: event.txCount });
          mempool.dropInvalidated(event.changes.writes.keys());
          finality.onBlockFinal(event.height, event.changes.txHashes);
          emitElectionChanges(event.height);
          network?.announceHeight(event.height);
          catchUp?.tick();
          break;
        case 'round.change':
          emit('round.change', { height: event.height, round: event.round });
          break;
        case 'approval.pending':
          emit('approval.pending', { height: event.height, round: event.round, blockHash: event.blockHash });
          break;
        case 'block.rejected': {
          const r = event.rejection;
          emit('block.rejected', { height: r.height, round: r.round, blockHash: r.blockHash, validator: r.validator, reason: r.reason, signature: r.signature, recordedAtMs: now() });
          break;
        }
        case 'evidence': {
          const e = event.evidence;
          log.warn('double-sign evidence', { validator: e.validator, height: e.height, round: e.round, kind: e.kind });
          emit('evidence', { validator: e.validator, height: e.height, round: e.round, kind: e.kind, firstBlockHash: e.first.blockHash, secondBlockHash: e.second.blockHash, recordedAtMs: now() });
          break;
        }
        case 'mining':
          if (!event.active) hashesPerSecond = 0;
          emit('mining', { active: event.active, hashesPerSecond });
          break;
      }
      scheduleStatus();
    };

    if (options.p2p) {
      const peering = options.p2p;
      const privateKey = await unlockNodeKey(workspace, genesis);
      const createNetwork = (port: number) =>
        new PeerNetwork(
          { chainId: genesis.chainId, genesisHash: workspace.genesisHash, host: peering.host, port, peerExchange: peering.peerExchange },
          {
            log,
            clock: systemClock(now),
            nodeKey: { publicKey: workspace.nodeKey.publicKey, privateKey },
            store: new FilePeerStore(options.dataDir, log),
            localHeight: () => store.head().height,
            // The engine throws on invalid input; the network penalises the sender by the error's code.
            onMessage: (peer, message) => {
              if (message.type === 'commit') catchUp?.onBlock(peer, message.certificate.height);
              else if (message.type === 'sync-end') catchUp?.onRangeEnd(peer, message.fromHeight, message.lastHeight);
              // The frame parser checked the message against the consensus schema already.
              engine?.receiveParsed(peer, message);
            },
            onPeerEvent: () => {
              catchUp?.tick();
              scheduleStatus();
            },
          },
        );
      network = createNetwork(peering.port);
      try {
        await network.start();
      } catch (error) {
        if (!(peering.anyPortIfTaken && error instanceof CivichainError && error.code === 'PORT_IN_USE')) throw error;
        log.warn('the default peer port is taken (another node?); listening on any free port', { port: peering.port });
        network = createNetwork(0);
        await network.start();
      }
      const started = network;
      // Closed before the engine and the store: no message arrives for a stopped engine.
      closers.push(() => started.close());
    }

    // Transactions of a block that this node's mempool already admitted were verified then (same hash, same
    // signature): only the others go to the workers. The proposer's own blocks cost no second verification.
    const blockVerifier: Verifier = {
      async verifyTransactions(txs, chainId) {
        // Nothing to skip (catch-up, mostly): no need to hash every transaction here first.
        // Urgent: consensus waits on it with a round timer running, so it goes ahead of the submissions queued.
        if (mempool.size() === 0) return verifier.verifyTransactions(txs, chainId, { urgent: true });
        const results: (string | null)[] = new Array<string | null>(txs.length).fill(null);
        const unknown: Transaction[] = [];
        const positions: number[] = [];
        txs.forEach((tx, index) => {
          const hash = transactionHash(tx);
          if (tx.chainId === chainId && mempool.get(hash)?.signature === tx.signature) {
            results[index] = hash;
          } else {
            unknown.push(tx);
            positions.push(index);
          }
        });
        if (unknown.length > 0) {
          const [verified] = await Promise.all([verifier.verifyTransactions(unknown, chainId, { urgent: true }), precheckCredentials(unknown, { urgent: true })]);
          positions.forEach((index, k) => (results[index] = verified[k] ?? null));
        }
        return results;
      },
    };

    engine = new ConsensusEngine(
      { genesis, keys: localKeys, approvalMode: settings.approvalMode },
      {
        clock: systemClock(now),
        store,
        mempool,
        verifier: blockVerifier,
        pow,
        network: network ?? noPeers,
        registry,
        keys,
        credentials,
        onEvent: onConsensusEvent,
        onWarning: (message, fields) => log.warn(message, fields),
        // A peer's final block failed its checks: penalise the peer, and ask others for its ranges.
        onPeerFault: (peer, height, error) => {
          network?.penalise(peer, `${error.code}: ${error.message}`);
          catchUp?.onInvalid(peer, height, `${error.code}: ${error.message}`);
        },
      },
    );
    const runningEngine = engine;
    if (network) {
      const peering = network;
      catchUp = new CatchUp(
        { windowBlocks: runningEngine.syncWindow - SYNC_RANGE_BLOCKS },
        {
          now,
          head: () => store.head().height,
          peers: () => peering.peers(),
          request: (peer, fromHeight, toHeight) => runningEngine.requestRange(peer, fromHeight, toHeight),
          backlogFull: () => runningEngine.bufferedCommitTransactions() >= CATCH_UP_BACKLOG_TXS,
          onProgress: (progress) => {
            emit('sync.progress', progress);
            scheduleStatus();
          },
          log,
        },
      );
    }
    runningEngine.start();
    closers.push(() => runningEngine.stop());
    const peerNetwork = network;
    if (peerNetwork && options.p2p) {
      for (const url of options.p2p.peers) {
        peerNetwork.addPeer(url).catch((error: unknown) => log.warn('peer not reached (it will be dialled again)', { url, error: String(error) }));
      }
    }

    const identity = (): NodeIdentity => ({
      nodePublicKey: workspace.nodeKey.publicKey,
      dataDir: options.dataDir,
      genesisHash: workspace.genesisHash,
      chainId: genesis.chainId,
      networkName: genesis.networkName,
      demo: genesis.demo,
      runtime: options.runtime,
    });

    const setApprovalMode = (mode: ApprovalMode) => {
      runningEngine.setApprovalMode(mode);
      saveSettings(options.dataDir, { ...loadSettings(options.dataDir), approvalMode: mode });
      scheduleStatus();
    };

    const elections = new ElectionOffice({
      genesis,
      office: officeStore,
      state: () => store.state(),
      submit: (tx) => mempool.submit(tx),
      txStatus: (hash) => transactionStatus(store, mempool, runningEngine, hash),
      findTransactions: (prefix) =>
        [...store.transactionsWithPrefix(prefix), ...mempool.hashesWithPrefix(prefix)].flatMap((hash) => {
          const tx = store.transaction(hash)?.tx ?? mempool.get(hash);
          return tx ? [{ hash, tx }] : [];
        }),
      recount: (election) => store.recountBallots(election),
      waitFinal: (hash, timeoutMs) => finality.wait(hash, timeoutMs),
      recordSource: { head: () => store.head().height, committed: (height) => store.committed(height) },
      keys: await unlockRoleKeys(workspace, genesis, ['authority', 'official']),
      now,
    });
    const voucherKeys = await unlockRoleKeys(workspace, genesis, ['authority', 'reviewer', 'operator']);
    const vouchers = new VoucherOffice({
      genesis,
      state: () => store.state(),
      head: () => store.head().height,
      committed: (height) => store.committed(height),
      submit: (tx) => mempool.submit(tx),
      txStatus: (hash) => transactionStatus(store, mempool, runningEngine, hash),
      waitFinal: (hash, timeoutMs) => finality.wait(hash, timeoutMs),
      keys: voucherKeys,
      identity: (id) => workspace.keystore.list().find((i) => i.id === id) ?? null,
      labelOf: (publicKey) => workspace.keystore.list().find((i) => i.publicKey === publicKey)?.label ?? null,
      unlock: (id, passphrase) => workspace.keystore.unlock(id, passphrase),
      defaultPassphrase: genesis.demo ? DEMO_PASSPHRASE : null,
      secrets: loadReviewerSecrets(options.dataDir, genesis.demo ? demoReviewerSecrets() : null),
      openApplications: (items) => verifier.openApplications(items),
      now,
    });
    if (genesis.demo) {
      // Both in the same tick: the demo election and the voucher programme go into the first block together.
      seedDemoElection(elections, officeStore, store.state()).catch((error: unknown) => log.warn('the demo election was not created', { error: String(error) }));
      const authority = voucherKeys.find((k) => genesis.authorities.some((a) => a.publicKey === k.publicKey)) ?? null;
      seedDemoVouchers(vouchers, { genesis, state: () => store.state(), authority }).catch((error: unknown) => log.warn('the demo voucher programme was not created', { error: String(error) }));
    }

    const dispatcher = createDispatcher({
      handlers: createHandlers({ status, identity, keystore: workspace.keystore, store, mempool, engine: runningEngine, network: peerNetwork, setApprovalMode, elections, vouchers, log }),
      onInternalError: (error, method) => log.error(`internal error in ${method}`, { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    });

    log.info('node started', {
      p2p: peerNetwork ? peerNetwork.url : 'off',
      dataDir: options.dataDir,
      chainId: genesis.chainId,
      height: store.head().height,
      validators: status().localValidators.length,
      proposer: status().proposer,
      approvalMode: settings.approvalMode,
    });
    return {
      dataDir: options.dataDir,
      dispatcher,
      workspace,
      store,
      mempool,
      engine: runningEngine,
      network: peerNetwork,
      status,
      identity,
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async close() {
        state = 'stopping';
        emit('node.status', status());
        listeners.clear();
        await closeAll();
        log.info('node stopped', { dataDir: options.dataDir });
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
