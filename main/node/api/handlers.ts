/** The node's implementation of each contract method. Inputs arrive already validated by the dispatcher. */
import type {
  ApprovalMode,
  BlockDetail,
  BlockHeaderJSON,
  NodeIdentity,
  NodeLogEntry,
  NodeStatus,
  PeerSummary,
  PendingBlock,
  RejectionJSON,
  TransactionJSON,
  TransactionStatus,
} from '../../../preload/contract';
import { CivichainError } from '../../core/errors';
import { transactionHash, type Transaction } from '../../core/ledger/transaction';
import type { ConsensusEngine } from '../consensus/engine';
import type { ElectionOffice } from '../elections/electionOffice';
import type { VoucherOffice } from '../vouchers/voucherOffice';
import type { Keystore } from '../keystore/keystore';
import type { LogEntry, Logger } from '../log';
import type { TransactionPool } from '../mempool/mempool';
import type { PeerInfo, PeerNetwork } from '../p2p/peerNetwork';
import type { LedgerStore, StoredRejection } from '../store/ledgerStore';
import type { Handlers } from './dispatcher';

export interface HandlerDependencies {
  readonly status: () => NodeStatus;
  readonly identity: () => NodeIdentity;
  readonly keystore: Keystore;
  readonly store: LedgerStore;
  readonly mempool: TransactionPool;
  readonly engine: ConsensusEngine;
  readonly network: PeerNetwork | null;
  readonly setApprovalMode: (mode: ApprovalMode) => void;
  readonly elections: ElectionOffice;
  readonly vouchers: VoucherOffice;
  /** The node's logger, whose recent entries `node.logs` reads. */
  readonly log: Pick<Logger, 'latest' | 'capacity'>;
}

function withHash(tx: Transaction): TransactionJSON & { hash: string } {
  return { hash: transactionHash(tx), type: tx.type, chainId: tx.chainId, signer: tx.signer, nonce: tx.nonce, payload: tx.payload, signature: tx.signature };
}

function peerJSON(p: PeerInfo): PeerSummary {
  return {
    id: p.id,
    address: p.address ?? p.remoteAddress,
    direction: p.direction,
    height: p.height,
    latencyMs: p.latencyMs,
    bytesIn: p.bytesIn,
    bytesOut: p.bytesOut,
    connectedSinceMs: p.connectedSinceMs,
    score: p.score,
  };
}

/** Field values become text (objects as JSON), so that whatever a component logged crosses the API as is. */
function logEntryJSON(entry: LogEntry): NodeLogEntry {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(entry.fields)) fields[key] = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return { seq: entry.seq, timeMs: entry.timeMs, level: entry.level, message: entry.message, fields };
}

function rejectionJSON(r: StoredRejection): RejectionJSON {
  return { height: r.height, round: r.round, blockHash: r.blockHash, validator: r.validator, reason: r.reason, signature: r.signature, recordedAtMs: r.recordedAtMs };
}

/** Where a transaction stands on this node: final, proposed, pending, or null when it knows none. */
export function transactionStatus(store: LedgerStore, mempool: TransactionPool, engine: ConsensusEngine, hash: string): TransactionStatus | null {
  const stored = store.transaction(hash);
  if (stored) return { state: 'final', height: stored.height, index: stored.index, blockHash: stored.blockHash };
  if (!mempool.get(hash)) return null;
  const proposed = engine.proposalContaining(hash);
  return proposed ? { state: 'proposed', height: proposed.height, round: proposed.round } : { state: 'pending' };
}

export function createHandlers(deps: HandlerDependencies): Handlers {
  const { store, engine, mempool } = deps;
  const peering = (): PeerNetwork => {
    if (!deps.network) {
      throw new CivichainError('P2P_OFF', 'This node does not peer. Start it with --p2p-port to connect to other nodes.');
    }
    return deps.network;
  };
  return {
    'node.status': () => deps.status(),
    'node.identity': () => deps.identity(),
    'node.logs': ({ level, limit }) => ({ entries: deps.log.latest(level, limit).map(logEntryJSON), capacity: deps.log.capacity }),
    'keystore.list': ({ role }) => ({ identities: deps.keystore.list(role) }),
    'keystore.create': ({ label, role, passphrase }) => deps.keystore.create({ label, role, passphrase }),
    'keystore.open': async ({ id, passphrase }) => {
      await deps.keystore.unlock(id, passphrase);
      return deps.keystore.get(id);
    },

    'tx.submit': ({ transaction }) => mempool.submit(transaction),

    'tx.get': ({ hash }) => {
      const stored = store.transaction(hash);
      if (stored) {
        return { hash, transaction: withHash(stored.tx), status: { state: 'final', height: stored.height, index: stored.index, blockHash: stored.blockHash } };
      }
      const pending = mempool.get(hash);
      if (!pending) return { hash, transaction: null, status: null };
      return { hash, transaction: withHash(pending), status: transactionStatus(store, mempool, engine, hash) };
    },

    'chain.blocks': ({ before, limit }) => {
      const head = store.head().height;
      const to = Math.min(before ?? head, head);
      const blocks = to < 1 ? [] : store.blocks({ to, newestFirst: true, limit });
      return {
        height: head,
        blocks: blocks.map((b) => ({
          height: b.header.height,
          hash: b.hash,
          timeMs: b.header.timeMs,
          txCount: b.header.txCount,
          proposer: b.header.proposer,
          round: b.certificate.round,
          approvals: b.certificate.approvals.length,
        })),
      };
    },

    'chain.block': ({ height, hash }) => {
      const stored = height !== undefined ? store.blockByHeight(height) : store.blockByHash(hash as string);
      if (!stored) {
        throw new CivichainError(
          'BLOCK_NOT_FOUND',
          height !== undefined
            ? `There is no final block at height ${height} on this node (its chain is ${store.head().height} blocks high).`
            : `There is no final block with hash ${String(hash).slice(0, 12)}… on this node.`,
          { height: height ?? null, hash: hash ?? null },
        );
      }
      const detail: BlockDetail = {
        hash: stored.hash,
        header: stored.block.header satisfies BlockHeaderJSON,
        signature: stored.block.signature,
        certificate: stored.certificate,
        transactions: stored.block.transactions.map(withHash),
        rejections: store.rejectionsFor(stored.hash).map(rejectionJSON),
      };
      return detail;
    },

    'chain.evidence': () => ({
      evidence: store.evidence().map((e) => ({
        validator: e.validator,
        height: e.height,
        round: e.round,
        kind: e.kind,
        firstBlockHash: e.first.blockHash,
        secondBlockHash: e.second.blockHash,
        recordedAtMs: e.recordedAtMs,
      })),
    }),

    'validator.pending': () => ({
      blocks: engine.pendingApprovals().map(
        (p): PendingBlock => ({
          height: p.height,
          round: p.round,
          blockHash: p.blockHash,
          header: p.block.header,
          transactions: p.block.transactions.map(withHash),
          checks: p.checks,
          validators: p.validators,
          receivedAtMs: p.receivedAtMs,
        }),
      ),
    }),

    'validator.approve': ({ height, round, blockHash, validator }) => ({ approved: engine.approve({ height, round, blockHash, validator }) }),

    'validator.reject': ({ height, round, blockHash, validator, reason }) => ({
      rejected: engine.reject({ height, round, blockHash, validator, reason }),
    }),

    'validator.rejections': ({ blockHash, limit }) => ({
      rejections: (blockHash ? store.rejectionsFor(blockHash) : store.recentRejections(limit)).slice(0, limit).map(rejectionJSON),
    }),

    'validator.setMode': ({ mode }) => {
      if (deps.status().localValidators.length === 0) {
        throw new CivichainError('NOT_A_VALIDATOR', 'This node holds no validator key, so it has no approvals to make.');
      }
      deps.setApprovalMode(mode);
      return { approvalMode: mode };
    },

    'peers.list': () => ({ peers: deps.network?.peers().map(peerJSON) ?? [], listening: deps.network?.url ?? null }),

    'peers.add': async ({ address }) => ({ peer: peerJSON(await peering().addPeer(address)) }),

    'peers.remove': ({ peer }) => ({ removed: peering().removePeer(peer) }),

    'peers.ban': ({ peer, minutes, reason }) => {
      peering().ban(peer, minutes * 60_000, reason);
      return { banned: true };
    },

    'peers.unban': ({ peer }) => {
      peering().unban(peer);
      return { unbanned: true };
    },

    'mempool.list': ({ limit }) => ({
      size: mempool.size(),
      transactions: mempool.pending(limit).map((tx) => {
        const json = withHash(tx);
        return { ...json, proposed: engine.proposalContaining(json.hash) };
      }),
    }),

    'miner.mine': () => {
      if (!deps.status().proposer) {
        throw new CivichainError('NOT_A_PROPOSER', 'This node holds no proposer key, so it cannot propose blocks. Ask a proposer node.');
      }
      engine.requestBlock();
      return { requested: true };
    },

    'election.list': () => ({ elections: deps.elections.list() }),
    'election.get': ({ election }) => deps.elections.summary(election),
    'election.create': (input) => deps.elections.create({ ...input, rollCsv: Buffer.from(input.rollCsv, 'base64') }),
    'election.roll': ({ election, offset, limit, query }) => deps.elections.roll(election, { offset, limit, query }),
    'election.checkIn': ({ election, voterId, cardCode }) => deps.elections.checkIn(election, voterId, cardCode),
    'election.credential': ({ election, pass, blindedMessage }) => deps.elections.issueCredential(election, pass, blindedMessage),
    'election.checkCard': ({ election, voterId, cardCode }) => deps.elections.checkCard(election, voterId, cardCode),
    'election.close': ({ election }) => deps.elections.close(election),
    'election.publish': ({ election }) => deps.elections.publish(election),
    'election.export': ({ election }) => ({ record: deps.elections.exportRecord(election) as unknown as Record<string, unknown> }),
    'ballot.lookup': ({ code }) => deps.elections.lookupBallot(code),

    // Vouchers ----------------------------------------------------------------------------------------------
    'voucher.programmes': () => ({ programmes: deps.vouchers.list() }),
    'voucher.programme': ({ programme }) => deps.vouchers.summary(programme),
    'voucher.apply': (input) => deps.vouchers.apply(input),
    'voucher.application': ({ programme, resident }) => deps.vouchers.application(programme, resident),
    'voucher.checkDetails': ({ programme, details }) => ({ problems: deps.vouchers.checkDetails(programme, details) }),
    'voucher.paymentRequest': (input) => deps.vouchers.paymentRequest(input),
    'voucher.queue': async ({ programme, status }) => ({ applications: await deps.vouchers.queue(programme, status) }),
    'voucher.decide': (input) => deps.vouchers.decide(input),
    'voucher.wallet': ({ programme, resident }) => deps.vouchers.wallet(programme, resident),
    'voucher.request': (input) => deps.vouchers.request(input),
    'voucher.pay': (input) => deps.vouchers.pay(input),
    'voucher.redemptions': ({ programme, operator }) => ({ redemptions: deps.vouchers.redemptions(programme, operator) }),
    'voucher.claims': ({ programme }) => deps.vouchers.claims(programme),
    'voucher.accept': (input) => deps.vouchers.accept(input),
    'voucher.decline': (input) => deps.vouchers.decline(input),
    'voucher.refund': (input) => deps.vouchers.refund(input),
    'voucher.settle': (input) => deps.vouchers.settle(input),
    'voucher.confirm': (input) => deps.vouchers.confirm(input),
    'voucher.operator': (input) => deps.vouchers.operator(input),
    'voucher.export': ({ programme }) => ({ record: deps.vouchers.exportRecord(programme) as unknown as Record<string, unknown> }),
  };
}
