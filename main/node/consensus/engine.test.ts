import { describe, expect, it } from 'vitest';
import { PublicKeyCache } from '../../core/crypto/ed25519';
import { blockHash } from '../../core/ledger/block';
import type { ConsensusMessage } from '../../core/ledger/consensusMessages';
import { signProposal } from '../../core/ledger/consensusMessages';
import { testBlock, testCertificate, testGenesis, testKey, testNote, type TestKey } from '../../core/ledger/testFixtures';
import { signVote } from '../../core/ledger/votes';
import { createDefaultRegistry } from '../../core/rules/index';
import { checkTransactionEnvelope, rememberedTransactionHash, transactionHash, type Transaction } from '../../core/ledger/transaction';
import { ConsensusEngine } from './engine';
import { MemoryConsensusStore } from './memoryStore';
import { SimClock } from './simulation/simulation';
import type { ApprovalMode, ConsensusEvent, Mempool } from './types';

const { genesis, hash: genesisHashHex, validators, proposer } = testGenesis();
const alice = testKey('alice');

class ListMempool implements Mempool {
  readonly txs = new Map<string, Transaction>();
  onAdded: () => void = () => undefined;
  pending(max: number) {
    return [...this.txs.values()].slice(0, max);
  }
  size() {
    return this.txs.size;
  }
  get(hash: string) {
    return this.txs.get(hash) ?? null;
  }
  remove(hashes: readonly string[]) {
    for (const h of hashes) this.txs.delete(h);
  }
  included(hashes: readonly string[]) {
    this.remove(hashes);
  }
  addFromPeer(tx: Transaction) {
    this.add(tx);
  }
  add(tx: Transaction) {
    this.txs.set(transactionHash(tx), tx);
    this.onAdded();
  }
}

/** One node holding the given keys; what it sends is recorded, nothing is delivered. */
function singleNode(options: {
  keys: TestKey[];
  mode?: ApprovalMode;
  store?: MemoryConsensusStore;
  clock?: SimClock;
  onVerify?: (txs: readonly Transaction[]) => void;
  /** Verification answers once this settles (the workers still busy with it). */
  verifyHeld?: Promise<void>;
}) {
  const clock = options.clock ?? new SimClock(genesis.genesisTimeMs + 1000);
  const store = options.store ?? new MemoryConsensusStore(genesis, genesisHashHex);
  const mempool = new ListMempool();
  const sent: ConsensusMessage[] = [];
  const relayed: { from: string; message: ConsensusMessage }[] = [];
  const events: ConsensusEvent[] = [];
  const faults: { peer: string; height: number; code: string }[] = [];
  const keys = new PublicKeyCache();
  const engine = new ConsensusEngine(
    { genesis, keys: options.keys, approvalMode: options.mode ?? 'auto', batchWindowMs: 10 },
    {
      clock,
      store,
      mempool,
      verifier: {
        verifyTransactions: async (txs, chainId) => {
          options.onVerify?.(txs);
          await options.verifyHeld;
          return txs.map((tx) => checkTransactionEnvelope(tx, chainId, keys));
        },
      },
      pow: { solve: async (header) => header },
      network: { broadcast: (m) => sent.push(m), send: (_p, m) => sent.push(m), relay: (message, from) => relayed.push({ from, message }) },
      registry: createDefaultRegistry(),
      keys,
      onEvent: (e) => events.push(e),
      onPeerFault: (peer, height, error) => faults.push({ peer, height, code: error.code }),
    },
  );
  mempool.onAdded = () => engine.onTransactionsAvailable();
  engine.start();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  const run = async (ms: number) => {
    const until = clock.now() + ms;
    while (clock.step(until)) await settle();
    await settle();
  };
  return { engine, store, mempool, sent, relayed, events, faults, clock, run };
}

describe('consensus engine on one node holding every validator key (the demo workspace)', () => {
  it('a submitted transaction becomes final in a block with a quorum certificate', async () => {
    const node = singleNode({ keys: [proposer, ...validators] });
    node.mempool.add(testNote(genesis.chainId, alice, 'n1'));
    await node.run(100);
    expect(node.store.head().height).toBe(1);
    const committed = node.store.committed(1)!;
    expect(committed.block.transactions).toHaveLength(1);
    expect(committed.certificate.approvals.length).toBeGreaterThanOrEqual(genesis.quorum);
    expect(node.mempool.size()).toBe(0);
    expect(node.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['mining', 'block.proposed', 'block.final']));
  });

  it('proposes nothing while idle, and an empty block when asked (the "mine" button)', async () => {
    const node = singleNode({ keys: [proposer, ...validators] });
    await node.run(10_000);
    expect(node.store.head().height).toBe(0);
    node.engine.requestBlock();
    await node.run(100);
    expect(node.store.head().height).toBe(1);
    expect(node.store.committed(1)!.block.transactions).toHaveLength(0);
  });

  it('the same transaction twice is included once', async () => {
    const node = singleNode({ keys: [proposer, ...validators] });
    const tx = testNote(genesis.chainId, alice, 'n1');
    node.mempool.add(tx);
    node.mempool.add(tx);
    await node.run(100);
    // Offered again after it became final (a peer relaying late): the proposer drops it as a duplicate.
    node.mempool.add(tx);
    node.engine.requestBlock();
    await node.run(100);
    expect(node.store.head().height).toBe(2);
    const included = [1, 2].flatMap((h) => node.store.committed(h)!.block.transactions.map(transactionHash));
    expect(included).toEqual([transactionHash(tx)]);
  });
});

describe('stopping', () => {
  it('a node stopped while a proposal is being verified votes for it not, and writes nothing (its store may be closed by then)', async () => {
    let release: () => void = () => undefined;
    const verifyHeld = new Promise<void>((resolve) => (release = resolve));
    let verifying = 0;
    const node = singleNode({ keys: [proposer, ...validators], verifyHeld, onVerify: () => verifying++ });
    node.mempool.add(testNote(genesis.chainId, alice, 'n1'));
    await node.run(100);
    expect(verifying).toBe(1);
    expect(node.sent.map((m) => m.type)).toEqual(['proposal']);
    node.engine.stop();
    let writes = 0;
    node.store.recordOwnVotes = () => {
      writes++;
      throw new TypeError('The database connection is not open');
    };
    release();
    await node.run(100);
    expect(writes).toBe(0);
    expect(node.sent.map((m) => m.type)).toEqual(['proposal']);
    expect(node.store.head().height).toBe(0);
  });
});

describe('manual approval', () => {
  it('a block waits for a person; approval makes it final', async () => {
    const node = singleNode({ keys: [proposer, ...validators], mode: 'manual' });
    node.mempool.add(testNote(genesis.chainId, alice, 'n1'));
    await node.run(60_000);
    expect(node.store.head().height).toBe(0);
    const [pending] = node.engine.pendingApprovals();
    expect(pending).toMatchObject({ height: 1, round: 0, validators: expect.arrayContaining(validators.map((v) => v.publicKey)) });
    expect(pending!.checks.every((c) => c.ok)).toBe(true);
    expect(pending!.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['Proof-of-work', 'Transaction signatures', 'Merkle root']));
    node.engine.approve({ height: 1, round: 0, blockHash: pending!.blockHash });
    await node.run(10);
    expect(node.store.head().height).toBe(1);
    expect(node.engine.pendingApprovals()).toEqual([]);
  });

  it('a rejection is recorded with its reason, and the next proposal can be approved', async () => {
    const node = singleNode({ keys: [proposer, ...validators], mode: 'manual' });
    node.mempool.add(testNote(genesis.chainId, alice, 'n1'));
    await node.run(100);
    const [pending] = node.engine.pendingApprovals();
    node.engine.reject({ height: 1, round: 0, blockHash: pending!.blockHash, reason: 'Proposed outside polling hours' });
    expect(node.store.rejections).toHaveLength(validators.length);
    expect(node.store.rejections[0]).toMatchObject({ height: 1, round: 0, blockHash: pending!.blockHash, reason: 'Proposed outside polling hours' });
    expect(node.events.some((e) => e.kind === 'block.rejected')).toBe(true);
    // The round times out, round changes follow, and the proposer makes a new block in round 1.
    await node.run(genesis.roundTimeoutMs * 3);
    const [next] = node.engine.pendingApprovals();
    expect(next).toMatchObject({ height: 1, round: 1 });
    expect(next!.blockHash).not.toBe(pending!.blockHash);
    node.engine.approve({ height: 1, round: 1, blockHash: next!.blockHash });
    await node.run(10);
    expect(node.store.head()).toMatchObject({ height: 1, hash: next!.blockHash });
  });

  it('NOT_PENDING for a block that is not waiting', () => {
    const node = singleNode({ keys: [proposer, ...validators], mode: 'manual' });
    expect(() => node.engine.approve({ height: 1, round: 0, blockHash: 'ab'.repeat(32) })).toThrowError(expect.objectContaining({ code: 'NOT_PENDING' }));
  });
});

describe('double-sign protection and evidence', () => {
  it('a restarted validator never signs a second block at the same height and round', async () => {
    const store = new MemoryConsensusStore(genesis, genesisHashHex);
    const first = singleNode({ keys: [proposer, validators[0]!], store });
    first.mempool.add(testNote(genesis.chainId, alice, 'n1'));
    await first.run(100);
    const prepared = first.sent.filter((m) => m.type === 'vote' && m.kind === 'prepare');
    expect(prepared).toHaveLength(1);
    first.engine.stop();

    // After a restart the proposer (same key) is tricked into offering a different block at (1, 0).
    const second = singleNode({ keys: [proposer, validators[0]!], store });
    second.mempool.add(testNote(genesis.chainId, alice, 'n2'));
    await second.run(100);
    const proposals = second.sent.filter((m) => m.type === 'proposal');
    const votes = second.sent.filter((m) => m.type === 'vote');
    for (const vote of votes) if (vote.type === 'vote' && vote.round === 0) expect(vote.blockHash).toBe((prepared[0] as { blockHash: string }).blockHash);
    const firstHash = (prepared[0] as { blockHash: string }).blockHash;
    // The different block really was offered at (1, 0), and the validator did not sign it.
    expect(proposals.some((p) => p.type === 'proposal' && p.round === 0 && blockHash(p.block.header) !== firstHash)).toBe(true);
    expect(votes.filter((v) => v.type === 'vote' && v.round === 0 && v.blockHash !== firstHash)).toEqual([]);
  });

  it('two different votes from one validator at one height and round are recorded as evidence', async () => {
    const node = singleNode({ keys: [] });
    const v = validators[1]!;
    const subject = { chainId: genesis.chainId, height: 1, round: 0 };
    const a = signVote('prepare', { ...subject, blockHash: 'aa'.repeat(32) }, v.publicKey, v.privateKey);
    const b = signVote('prepare', { ...subject, blockHash: 'bb'.repeat(32) }, v.publicKey, v.privateKey);
    node.engine.receive('peer-1', JSON.parse(JSON.stringify({ type: 'vote', ...a })));
    node.engine.receive('peer-1', JSON.parse(JSON.stringify({ type: 'vote', ...b })));
    expect(node.store.evidence).toEqual([expect.objectContaining({ validator: v.publicKey, height: 1, round: 0, kind: 'prepare' })]);
    expect(node.events).toContainEqual(expect.objectContaining({ kind: 'evidence' }));
  });

  it('APPROVAL_NOT_VALIDATOR and MESSAGE_MALFORMED for untrusted junk', () => {
    const node = singleNode({ keys: [] });
    const outsider = testKey('outsider');
    const vote = signVote('approval', { chainId: genesis.chainId, height: 1, round: 0, blockHash: blockHash({ chainId: 'x', height: 1, previousHash: 'aa'.repeat(32), timeMs: 0, txRoot: 'aa'.repeat(32), txCount: 0, proposer: outsider.publicKey, round: 0, difficulty: 0, nonce: 0 }) }, outsider.publicKey, outsider.privateKey);
    expect(() => node.engine.receive('p', { type: 'vote', ...vote })).toThrowError(expect.objectContaining({ code: 'APPROVAL_NOT_VALIDATOR' }));
    for (const junk of [null, 42, { type: 'vote' }, { type: 'nope' }, { type: 'tx', tx: { type: 'note' } }]) {
      expect(() => node.engine.receive('p', junk)).toThrowError(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    }
  });
});

describe('relay: a peer\'s message is passed on only after it has been checked here', () => {
  const vote = (validator: TestKey, round: number, hash = 'aa'.repeat(32)) => ({
    type: 'vote' as const,
    ...signVote('prepare', { chainId: genesis.chainId, height: 1, round, blockHash: hash }, validator.publicKey, validator.privateKey),
  });

  it('a valid vote is relayed once, with its sender; a forged or repeated one is not', () => {
    const node = singleNode({ keys: [] });
    const good = vote(validators[0]!, 0);
    node.engine.receive('peer-1', good);
    node.engine.receive('peer-2', good);
    const forged = { ...vote(validators[1]!, 0), signature: good.signature };
    expect(() => node.engine.receive('peer-1', forged)).toThrowError(expect.objectContaining({ code: 'APPROVAL_BAD_SIGNATURE' }));
    expect(node.relayed).toEqual([{ from: 'peer-1', message: good }]);
  });

  it('a vote for a later height waits, and is relayed when it is checked at that height', async () => {
    const node = singleNode({ keys: [proposer, ...validators] });
    const later = { type: 'vote' as const, ...signVote('prepare', { chainId: genesis.chainId, height: 2, round: 0, blockHash: 'bb'.repeat(32) }, validators[0]!.publicKey, validators[0]!.privateKey) };
    node.engine.receive('peer-1', later);
    expect(node.relayed).toEqual([]);
    node.engine.requestBlock();
    await node.run(100);
    expect(node.store.head().height).toBe(1);
    expect(node.relayed).toEqual([{ from: 'peer-1', message: later }]);
  });

  it('a proposal is relayed once its block passed every check; a copy with a changed body is not, and does not spoil the real one', async () => {
    const node = singleNode({ keys: [] });
    const head = node.store.head();
    const tx = testNote(genesis.chainId, alice, 'relay-1');
    const block = testBlock({ chainId: genesis.chainId, height: 1, previousHash: head.hash, timeMs: head.timeMs + 1, proposer, transactions: [tx] });
    const hash = blockHash(block.header);
    const real = signProposal({ chainId: genesis.chainId, height: 1, round: 0, block, blockHash: hash, justification: [] }, proposer.publicKey, proposer.privateKey);
    // The same signed header with another transaction in the body (a relaying peer changed it).
    const tampered = { ...real, block: { ...block, transactions: [testNote(genesis.chainId, alice, 'relay-2')] } };
    node.engine.receive('peer-1', JSON.parse(JSON.stringify(tampered)));
    await node.run(10);
    expect(node.relayed).toEqual([]);
    expect(node.events.filter((e) => e.kind === 'block.proposed')).toHaveLength(1);
    // The genuine proposal, by another path, takes the round's place and is relayed.
    node.engine.receive('peer-2', JSON.parse(JSON.stringify(real)));
    await node.run(10);
    expect(node.relayed).toEqual([{ from: 'peer-2', message: JSON.parse(JSON.stringify(real)) }]);
    // The real block still counts as valid: a quorum of approvals for it makes it final here.
    for (const validator of validators.slice(0, genesis.quorum)) {
      node.engine.receive('peer-2', { type: 'vote', ...signVote('approval', { chainId: genesis.chainId, height: 1, round: 0, blockHash: hash }, validator.publicKey, validator.privateKey) });
    }
    node.engine.receive('peer-2', JSON.parse(JSON.stringify({ type: 'commit', block, certificate: testCertificate(genesis.chainId, 1, 0, hash, validators.slice(0, genesis.quorum)) })));
    await node.run(10);
    expect(node.store.head()).toMatchObject({ height: 1, hash });
  });

  it('the genuine proposal is relayed after its block is checked', async () => {
    const node = singleNode({ keys: [] });
    const head = node.store.head();
    const block = testBlock({ chainId: genesis.chainId, height: 1, previousHash: head.hash, timeMs: head.timeMs + 1, proposer, transactions: [testNote(genesis.chainId, alice, 'relay-3')] });
    const proposal = signProposal({ chainId: genesis.chainId, height: 1, round: 0, block, blockHash: blockHash(block.header), justification: [] }, proposer.publicKey, proposer.privateKey);
    node.engine.receive('peer-1', JSON.parse(JSON.stringify(proposal)));
    expect(node.relayed, 'not before the block is checked').toEqual([]);
    await node.run(10);
    expect(node.relayed).toEqual([{ from: 'peer-1', message: JSON.parse(JSON.stringify(proposal)) }]);
  });
});

describe("a peer's proposal: transactions already waiting here are checked as the mempool's copies", () => {
  const proposalOf = (node: ReturnType<typeof singleNode>, transactions: Transaction[]) => {
    const head = node.store.head();
    const block = testBlock({ chainId: genesis.chainId, height: 1, previousHash: head.hash, timeMs: head.timeMs + 1, proposer, transactions });
    // Through JSON, as from a socket: new objects, equal to the waiting ones.
    return JSON.parse(JSON.stringify(signProposal({ chainId: genesis.chainId, height: 1, round: 0, block, blockHash: blockHash(block.header), justification: [] }, proposer.publicKey, proposer.privateKey)));
  };

  it('a waiting transaction goes to the verifier as the object the mempool verified (remembered there), one not waiting as it came', async () => {
    const checked: (readonly Transaction[])[] = [];
    const node = singleNode({ keys: [], onVerify: (txs) => checked.push(txs) });
    const waiting = testNote(genesis.chainId, alice, 'waiting');
    const unknown = testNote(genesis.chainId, alice, 'not-waiting');
    node.mempool.txs.set(transactionHash(waiting), waiting);
    node.engine.receive('peer-1', proposalOf(node, [waiting, unknown]));
    await node.run(10);
    expect(checked).toHaveLength(1);
    expect(checked[0]![0]).toBe(waiting);
    expect(checked[0]![1]).not.toBe(unknown);
    expect(checked[0]![1]).toEqual(unknown);
    expect(rememberedTransactionHash(checked[0]![1]!), 'parsed here once: its hash is remembered').toBe(transactionHash(unknown));
    expect(node.relayed, 'the block passed every check').toHaveLength(1);
  });

  it('a copy with the same hash but another signature is not replaced: it is verified, and the block refused', async () => {
    const checked: (readonly Transaction[])[] = [];
    const node = singleNode({ keys: [], onVerify: (txs) => checked.push(txs) });
    const waiting = testNote(genesis.chainId, alice, 'waiting');
    node.mempool.txs.set(transactionHash(waiting), waiting);
    const flipped = waiting.signature.startsWith('0') ? `1${waiting.signature.slice(1)}` : `0${waiting.signature.slice(1)}`;
    node.engine.receive('peer-1', proposalOf(node, [{ ...waiting, signature: flipped }]));
    await node.run(10);
    expect(checked).toHaveLength(1);
    expect(checked[0]![0]).not.toBe(waiting);
    expect(checked[0]![0]!.signature).toBe(flipped);
    expect(node.relayed).toEqual([]);
    expect(node.store.head().height).toBe(0);
  });
});

describe('catch-up: final blocks from peers, applied in order', () => {
  const quorum = validators.slice(0, genesis.quorum);
  function chainOf(length: number, startHash: string, startTimeMs: number) {
    const blocks = [];
    let previousHash = startHash;
    for (let height = 1; height <= length; height++) {
      const block = testBlock({ chainId: genesis.chainId, height, previousHash, timeMs: startTimeMs + height, proposer, transactions: [testNote(genesis.chainId, alice, `c${height}`)] });
      const hash = blockHash(block.header);
      blocks.push({ block, hash, certificate: testCertificate(genesis.chainId, height, 0, hash, quorum) });
      previousHash = hash;
    }
    return blocks;
  }
  const commitOf = (b: { block: unknown; certificate: unknown }) => JSON.parse(JSON.stringify({ type: 'commit', block: b.block, certificate: b.certificate }));

  it('a node stopped while a final block from a peer is verified neither applies it nor blames the peer', async () => {
    let release: () => void = () => undefined;
    const verifyHeld = new Promise<void>((resolve) => (release = resolve));
    const node = singleNode({ keys: [], verifyHeld });
    const head = node.store.head();
    const [first] = chainOf(1, head.hash, head.timeMs);
    node.engine.receive('peer-1', commitOf(first!));
    await node.run(10);
    node.engine.stop();
    release();
    await node.run(100);
    expect(node.store.head().height).toBe(0);
    expect(node.faults).toEqual([]);
  });

  it('blocks that arrive ahead wait for their height; a forged certificate names its sender, whose other blocks are dropped', async () => {
    const node = singleNode({ keys: [] });
    const head = node.store.head();
    const blocks = chainOf(3, head.hash, head.timeMs);
    // The liar sends block 2 and 3 first (kept for later), then block 1 under a certificate below the quorum.
    node.engine.receive('liar', commitOf(blocks[1]!));
    node.engine.receive('liar', commitOf(blocks[2]!));
    expect(node.engine.bufferedCommits()).toBe(2);
    node.engine.receive('liar', commitOf({ block: blocks[0]!.block, certificate: { ...blocks[0]!.certificate, approvals: blocks[0]!.certificate.approvals.slice(0, 1) } }));
    expect(node.faults).toEqual([{ peer: 'liar', height: 1, code: 'CERT_BELOW_QUORUM' }]);
    expect(node.engine.bufferedCommits()).toBe(0);
    // An honest peer's blocks, out of order: applied in height order.
    node.engine.receive('honest', commitOf(blocks[2]!));
    node.engine.receive('honest', commitOf(blocks[1]!));
    node.engine.receive('honest', commitOf(blocks[0]!));
    await node.run(10);
    expect(node.store.head()).toMatchObject({ height: 3, hash: blocks[2]!.hash });
    expect(node.engine.bufferedCommits()).toBe(0);
  });

  it('pipelining: the signatures of blocks waiting for their height are verified ahead, once', async () => {
    const verified: string[] = [];
    const node = singleNode({ keys: [], onVerify: (txs) => verified.push(...txs.map((tx) => tx.nonce)) });
    const head = node.store.head();
    const blocks = chainOf(4, head.hash, head.timeMs);
    node.engine.receive('peer-1', commitOf(blocks[3]!));
    node.engine.receive('peer-1', commitOf(blocks[1]!));
    node.engine.receive('peer-1', commitOf(blocks[2]!));
    // Before block 1 is here, the later blocks' signatures are already being checked.
    expect(verified).toEqual(['c4', 'c2', 'c3']);
    node.engine.receive('peer-1', commitOf(blocks[0]!));
    await node.run(10);
    expect(node.store.head()).toMatchObject({ height: 4, hash: blocks[3]!.hash });
    expect(verified.sort()).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('a block whose body was changed is refused for its sender only; the real copy from another peer is applied', async () => {
    const node = singleNode({ keys: [] });
    const head = node.store.head();
    const [first] = chainOf(1, head.hash, head.timeMs);
    const changed = { ...first!.block, transactions: [testNote(genesis.chainId, alice, 'not-in-the-block')] };
    node.engine.receive('liar', commitOf({ block: changed, certificate: first!.certificate }));
    await node.run(10);
    expect(node.faults).toEqual([{ peer: 'liar', height: 1, code: 'BLOCK_WRONG_TX_ROOT' }]);
    node.engine.receive('honest', commitOf(first!));
    await node.run(10);
    expect(node.store.head()).toMatchObject({ height: 1, hash: first!.hash });
  });

  it('a ranged sync-request is answered with the blocks and a sync-end saying where the answer stopped', async () => {
    const node = singleNode({ keys: [proposer, ...validators] });
    for (let i = 0; i < 3; i++) {
      node.engine.requestBlock();
      await node.run(100);
    }
    expect(node.store.head().height).toBe(3);
    node.sent.length = 0;
    node.engine.receive('peer-1', { type: 'sync-request', fromHeight: 2, toHeight: 10 });
    expect(node.sent.map((m) => (m.type === 'commit' ? `commit ${m.certificate.height}` : m.type === 'sync-end' ? `end ${m.fromHeight}–${m.lastHeight}` : m.type))).toEqual([
      'commit 2',
      'commit 3',
      'end 2–3',
    ]);
    node.sent.length = 0;
    node.engine.receive('peer-1', { type: 'sync-request', fromHeight: 7, toHeight: 9 });
    expect(node.sent).toEqual([{ type: 'sync-end', fromHeight: 7, lastHeight: 6 }]);
  });
});
