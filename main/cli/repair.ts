/**
 * `civichain repair --data DIR --from-peer URL`: rebuilds a tampered or corrupt ledger store from a peer.
 * The damaged file is kept beside the new one (never deleted); the node syncs as an observer (it signs
 * nothing while it repairs), checking every block and certificate it receives, until it has the peer's
 * chain. What this node had signed for heights not yet final is carried over, so that double-sign
 * protection survives the repair.
 */
import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CivichainError } from '../core/errors';
import type { VoteKind } from '../core/ledger/votes';
import type { Logger } from '../node/log';
import { startNode, type CivichainNode } from '../node/node';
import { openStore } from '../node/store/database';
import { acquireDataDirLock } from '../node/workspace/lock';
import { openWorkspace, workspacePaths } from '../node/workspace/workspace';

/** Without progress for this long, the repair gives up with a clear message. */
const STALL_MS = 30_000;
const POLL_MS = 250;

export interface RepairOptions {
  readonly dataDir: string;
  readonly fromPeer: string;
  readonly version: string;
}

export interface RepairResult {
  readonly height: number;
  readonly movedTo: string | null;
  readonly carriedVotes: number;
}

function storeIsSound(dataDir: string, log: Logger): Promise<boolean> {
  return (async () => {
    const workspace = await openWorkspace({ dataDir, demo: false }, { log });
    try {
      openStore({ path: workspace.paths.chainDb, genesis: workspace.genesis, genesisHash: workspace.genesisHash }).close();
      return true;
    } catch (error) {
      if (error instanceof CivichainError && ['STORE_TAMPERED', 'STORE_CORRUPT'].includes(error.code)) {
        log.warn('the ledger store is damaged', { reason: error.message });
        return false;
      }
      throw error;
    }
  })();
}

function readOwnVotes(path: string): { validator: string; height: number; round: number; kind: VoteKind; blockHash: string }[] {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db
        .prepare<[], { validator: string; height: number; round: number; kind: VoteKind; block_hash: string }>(
          'SELECT validator, height, round, kind, block_hash FROM own_votes',
        )
        .all()
        .map((r) => ({ validator: r.validator, height: r.height, round: r.round, kind: r.kind, blockHash: r.block_hash }));
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

export async function repairStore(options: RepairOptions, deps: { log: Logger; progress: (line: string) => void; now?: () => number }): Promise<RepairResult> {
  const now = deps.now ?? Date.now;
  const paths = workspacePaths(options.dataDir);
  if (!existsSync(paths.genesis)) {
    throw new CivichainError('NO_WORKSPACE', `The data folder ${options.dataDir} holds no Civichain workspace (no genesis.json).`, { dataDir: options.dataDir });
  }
  let movedTo: string | null = null;
  let ownVotes: ReturnType<typeof readOwnVotes> = [];
  // Never touch the files of a running node: hold the data folder's lock while checking and moving.
  const lock = acquireDataDirLock(options.dataDir);
  try {
    if (existsSync(paths.chainDb) && !(await storeIsSound(options.dataDir, deps.log))) {
      movedTo = `${paths.chainDb}.damaged-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
      ownVotes = readOwnVotes(paths.chainDb);
      for (const suffix of ['', '-wal', '-shm']) {
        if (existsSync(paths.chainDb + suffix)) renameSync(paths.chainDb + suffix, movedTo + suffix);
      }
      deps.progress(`repair: the damaged store is kept as ${movedTo}`);
    } else if (existsSync(paths.chainDb)) {
      deps.progress('repair: the store passes its checks; bringing it up to date from the peer');
    }
  } finally {
    lock.release();
  }

  const node: CivichainNode = await startNode(
    { dataDir: options.dataDir, demo: false, runtime: 'headless', version: options.version, p2p: { port: 0, peers: [] }, signingKeys: [] },
    { log: deps.log },
  );
  try {
    const network = node.network!;
    const peer = await network.addPeer(options.fromPeer);
    let lastHeight = -1;
    let lastProgressAt = now();
    for (;;) {
      const head = node.store.head().height;
      const target = network.peers().find((p) => p.id === peer.id)?.height ?? peer.height ?? 0;
      if (head > lastHeight) {
        if (lastHeight >= 0 || head > 0) deps.progress(`repair: ${head} of ${target} blocks`);
        lastHeight = head;
        lastProgressAt = now();
      }
      if (head >= target && node.status().syncBlocksLeft === null) break;
      if (!network.peers().some((p) => p.id === peer.id)) {
        throw new CivichainError('REPAIR_PEER_LOST', `The peer ${options.fromPeer} disconnected during the repair. Run the repair again, or with another peer.`);
      }
      if (now() - lastProgressAt > STALL_MS) {
        throw new CivichainError('REPAIR_STALLED', `No block arrived from ${options.fromPeer} for ${STALL_MS / 1000} s (at ${head} of ${target}). Try another peer.`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    // Double-sign protection: what we signed for heights that are not final yet still binds us.
    const head = node.store.head().height;
    let carriedVotes = 0;
    for (const vote of ownVotes) {
      if (vote.height > head && node.store.recordOwnVote(vote.validator, vote.height, vote.round, vote.kind, vote.blockHash)) carriedVotes++;
    }
    return { height: head, movedTo, carriedVotes };
  } finally {
    await node.close();
  }
}
