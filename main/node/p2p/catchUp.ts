/**
 * Catch-up scheduling (DESIGN.md §8, docs/PROTOCOL.md "Catch-up"): a node behind its peers asks several of
 * them at once for different ranges of final blocks. Each peer has at most one range in flight; the engine
 * checks every block and certificate and applies them in height order, whichever peer they came from.
 *
 * A range whose answer stopped short (the peer's answer is bounded by transactions) goes back to the pool and
 * is asked of whichever peer is free first. A peer that sends nothing for `stallMs` is passed over and its
 * range asked of another; a peer whose block or certificate fails the checks is named in the stall reason,
 * penalised by the node, and everything asked of it that is not applied yet is asked of others.
 *
 * Pure scheduling: it sends through `request`, reads the time through `now`, and the node calls `tick` on a
 * timer and on events, so tests drive it with a manual clock.
 */
import type { Logger } from '../log';

export const SYNC_RANGE_BLOCKS = 50;
export const SYNC_STALL_MS = 2_000;
/** A peer that sent an invalid block is not asked again for this long (the usual ban is longer). */
const INVALID_PASS_OVER_MS = 10 * 60_000;

export interface CatchUpOptions {
  /** Blocks asked of one peer at a time (a peer answers at most 50). */
  readonly rangeBlocks?: number;
  /** How far past the local head ranges may be asked for (the engine keeps that many blocks ahead). */
  readonly windowBlocks: number;
  /** A peer that sends nothing for this long is passed over. */
  readonly stallMs?: number;
}

export interface CatchUpPeer {
  readonly id: string;
  /** The height it announced; null while unknown. */
  readonly height: number | null;
}

export interface SyncProgress {
  readonly height: number;
  readonly target: number;
  readonly blocksLeft: number;
  readonly blocksPerSecond: number;
  readonly etaSeconds: number | null;
  readonly stalled: string | null;
}

export interface CatchUpDeps {
  readonly now: () => number;
  /** The highest final height here. */
  readonly head: () => number;
  /** The connected peers. */
  readonly peers: () => readonly CatchUpPeer[];
  /** Sends a ranged sync-request. */
  readonly request: (peer: string, fromHeight: number, toHeight: number) => void;
  /** True while the engine already holds enough blocks waiting to be applied (memory bound). */
  readonly backlogFull?: () => boolean;
  readonly onProgress: (progress: SyncProgress) => void;
  readonly log: Logger;
}

/** Counters for the operator and the tests. */
export interface CatchUpStats {
  readonly rangesRequested: number;
  /** Ranges whose answer ended (sync-end). */
  readonly rangesAnswered: number;
  /** Ranges (or their rest) asked again of another peer: short answers, stalls, invalid data, disconnects. */
  readonly rangesReassigned: number;
  /** Blocks received within the ranges asked, by peer. */
  readonly blocksByPeer: Readonly<Record<string, number>>;
  /** Invalid final blocks, by peer. */
  readonly invalidByPeer: Readonly<Record<string, number>>;
}

interface Range {
  from: number;
  to: number;
}

interface Assignment extends Range {
  readonly peer: string;
  lastActivityMs: number;
}

function short(id: string): string {
  return `${id.slice(0, 12)}…`;
}

export class CatchUp {
  private readonly rangeBlocks: number;
  private readonly stallMs: number;
  /** In flight: one per peer. */
  private readonly assignments = new Map<string, Assignment>();
  /** Answered by a peer but not applied yet (to be asked again if that peer turns out to lie). */
  private readonly answered: (Range & { peer: string })[] = [];
  /** Ranges to ask (again), lowest first. */
  private open: Range[] = [];
  /** The lowest height never asked for. */
  private frontier = 0;
  /**
   * Peers passed over until a time: a stalled one is still asked when no other is free; one that sent
   * invalid data is not asked at all meanwhile (the node has penalised it, and may have banned it).
   */
  private readonly avoid = new Map<string, { untilMs: number; invalid: boolean }>();
  private readonly lastAssignedMs = new Map<string, number>();
  private start: { height: number; atMs: number } | null = null;
  private lastHead = { height: -1, atMs: 0 };
  private pendingStall: string | null = null;
  private syncing = false;

  private rangesRequested = 0;
  private rangesAnswered = 0;
  private rangesReassigned = 0;
  private readonly blocksByPeer: Record<string, number> = {};
  private readonly invalidByPeer: Record<string, number> = {};

  constructor(
    private readonly options: CatchUpOptions,
    private readonly deps: CatchUpDeps,
  ) {
    this.rangeBlocks = options.rangeBlocks ?? SYNC_RANGE_BLOCKS;
    this.stallMs = options.stallMs ?? SYNC_STALL_MS;
    if (!(this.rangeBlocks >= 1 && options.windowBlocks >= this.rangeBlocks)) {
      throw new RangeError(`Catch-up needs 1 ≤ rangeBlocks ≤ windowBlocks (got ${this.rangeBlocks} and ${options.windowBlocks}).`);
    }
  }

  /** The highest height a peer announced, while it is above ours (null: not behind). */
  target(): number | null {
    const head = this.deps.head();
    let best: number | null = null;
    for (const peer of this.deps.peers()) if (peer.height !== null && peer.height > head && (best === null || peer.height > best)) best = peer.height;
    return best;
  }

  stats(): CatchUpStats {
    return {
      rangesRequested: this.rangesRequested,
      rangesAnswered: this.rangesAnswered,
      rangesReassigned: this.rangesReassigned,
      blocksByPeer: { ...this.blocksByPeer },
      invalidByPeer: { ...this.invalidByPeer },
    };
  }

  /** A final block arrived from `peer` (before it is checked). */
  onBlock(peer: string, height: number): void {
    const assignment = this.assignments.get(peer);
    if (!assignment || height < assignment.from || height > assignment.to) return;
    assignment.lastActivityMs = this.deps.now();
    this.blocksByPeer[peer] = (this.blocksByPeer[peer] ?? 0) + 1;
  }

  /** The answer of `peer` to its range ended: it held fromHeight..lastHeight. The peer is free again. */
  onRangeEnd(peer: string, fromHeight: number, lastHeight: number): void {
    const assignment = this.assignments.get(peer);
    if (!assignment || assignment.from !== fromHeight) return;
    this.assignments.delete(peer);
    this.rangesAnswered += 1;
    const sentTo = Math.min(lastHeight, assignment.to);
    if (sentTo >= assignment.from) this.answered.push({ peer, from: assignment.from, to: sentTo });
    if (sentTo < assignment.to) {
      this.giveBack({ from: Math.max(assignment.from, sentTo + 1), to: assignment.to });
      if (sentTo < assignment.from) {
        // It announced more than it holds (or pruned): ask others first for a while.
        this.avoid.set(peer, { untilMs: this.deps.now() + this.stallMs, invalid: false });
      }
    }
    this.tick();
  }

  /** A block or certificate from `peer` failed the checks: name it, and ask others for what it was asked. */
  onInvalid(peer: string, height: number, reason: string): void {
    this.invalidByPeer[peer] = (this.invalidByPeer[peer] ?? 0) + 1;
    this.avoid.set(peer, { untilMs: this.deps.now() + INVALID_PASS_OVER_MS, invalid: true });
    const again: Range[] = [];
    const assignment = this.assignments.get(peer);
    if (assignment) {
      this.assignments.delete(peer);
      again.push({ from: assignment.from, to: assignment.to });
    }
    for (let i = this.answered.length - 1; i >= 0; i--) {
      const range = this.answered[i]!;
      if (range.peer !== peer) continue;
      this.answered.splice(i, 1);
      again.push({ from: range.from, to: range.to });
    }
    for (const range of again) this.giveBack(range);
    const heights = again.length > 0 ? `; blocks ${Math.min(...again.map((r) => r.from))}–${Math.max(...again.map((r) => r.to))} are asked of other peers` : '';
    this.pendingStall = `invalid data from peer ${short(peer)} at block ${height}: ${reason}${heights}`;
    this.deps.log.warn('catch-up: invalid data from a peer', { peer: short(peer), height, reason });
    this.tick();
  }

  /** Re-plans: retires finished ranges, passes over stalled or lost peers, asks free peers, reports progress. */
  tick(): void {
    const now = this.deps.now();
    const head = this.deps.head();
    if (head !== this.lastHead.height) this.lastHead = { height: head, atMs: now };
    const peers = this.deps.peers();
    const connected = new Set(peers.map((p) => p.id));
    const target = this.target();
    if (target === null) {
      const wasSyncing = this.syncing;
      if (wasSyncing) {
        const seconds = this.start ? (now - this.start.atMs) / 1000 : 0;
        // One line with where the blocks came from (read by the tests and by an operator wondering).
        this.deps.log.info('caught up', { height: head, blocks: head - (this.start?.height ?? head), seconds: Math.round(seconds * 10) / 10, ...this.stats() });
      }
      this.reset();
      if (wasSyncing) this.deps.onProgress({ height: head, target: head, blocksLeft: 0, blocksPerSecond: 0, etaSeconds: 0, stalled: null });
      return;
    }
    if (!this.syncing) {
      this.syncing = true;
      this.start = { height: head, atMs: now };
      this.lastHead = { height: head, atMs: now };
      this.deps.log.info('catch-up started', { height: head, target });
    }
    this.frontier = Math.max(this.frontier, head + 1);
    for (let i = this.answered.length - 1; i >= 0; i--) if (this.answered[i]!.to <= head) this.answered.splice(i, 1);
    for (const [id, until] of this.avoid) if (until.untilMs <= now) this.avoid.delete(id);

    const stalls: { peer: string; range: Range }[] = [];
    for (const [peer, assignment] of this.assignments) {
      if (!connected.has(peer)) {
        this.assignments.delete(peer);
        this.giveBack(assignment);
      } else if (assignment.to <= head) {
        this.assignments.delete(peer);
      } else if (now - assignment.lastActivityMs >= this.stallMs) {
        this.assignments.delete(peer);
        this.avoid.set(peer, { untilMs: now + this.stallMs, invalid: false });
        stalls.push({ peer, range: { from: assignment.from, to: assignment.to } });
        this.giveBack(assignment);
      }
    }
    // A gap nobody is asked for (a block dropped on the way): the head has not moved for a while and
    // nothing is in flight, so start again from the head.
    if (this.assignments.size === 0 && now - this.lastHead.atMs >= 2 * this.stallMs && this.frontier > head + 1) {
      this.open = [];
      this.answered.length = 0;
      this.frontier = head + 1;
      this.lastHead = { height: head, atMs: now };
    }
    this.open = this.open.map((r) => ({ from: Math.max(r.from, head + 1), to: r.to })).filter((r) => r.from <= r.to);

    const asked = this.assign(head, target, peers, now);
    let stalled = this.pendingStall;
    this.pendingStall = null;
    if (stalls.length > 0) {
      const first = stalls[0]!;
      const next = asked.find((a) => a.from <= first.range.from && a.to >= first.range.from);
      const seconds = Math.round(this.stallMs / 100) / 10;
      stalled = `no blocks from peer ${short(first.peer)} for ${seconds} s; ${
        next ? `asking ${next.peer === first.peer ? 'it again' : `peer ${short(next.peer)}`} for blocks ${next.from}–${next.to}` : 'waiting for another peer'
      }`;
      this.deps.log.warn('catch-up stalled', { reason: stalled });
    }
    const elapsedS = this.start ? (now - this.start.atMs) / 1000 : 0;
    const blocksPerSecond = elapsedS > 0 && this.start ? (head - this.start.height) / elapsedS : 0;
    const blocksLeft = target - head;
    this.deps.onProgress({
      height: head,
      target,
      blocksLeft,
      blocksPerSecond: Math.round(blocksPerSecond * 10) / 10,
      etaSeconds: blocksPerSecond > 0 ? Math.ceil(blocksLeft / blocksPerSecond) : null,
      stalled,
    });
  }

  private assign(head: number, target: number, peers: readonly CatchUpPeer[], now: number): Assignment[] {
    const asked: Assignment[] = [];
    const limit = Math.min(target, head + this.options.windowBlocks);
    for (;;) {
      if (this.deps.backlogFull?.()) break;
      const fromOpen = this.open.length > 0 && this.open[0]!.from <= limit;
      // A new range is a whole one (or the last one, up to the target), and only once it fits the window:
      // not one block at a time as the head moves.
      const nextTo = Math.min(this.frontier + this.rangeBlocks - 1, target);
      const range: Range | null = fromOpen ? (this.open[0] as Range) : this.frontier <= nextTo && nextTo <= limit ? { from: this.frontier, to: nextTo } : null;
      if (!range) break;
      const peer = this.pickPeer(range, peers, now);
      if (!peer) break;
      // Never more than a range's worth, and never past what the peer holds (it holds `from`: see pickPeer).
      const from = range.from;
      const to = Math.min(range.to, from + this.rangeBlocks - 1, peer.height as number);
      if (fromOpen) {
        if (to >= range.to) this.open.shift();
        else range.from = to + 1;
        this.rangesReassigned += 1;
      } else {
        this.frontier = to + 1;
      }
      const assignment: Assignment = { peer: peer.id, from, to, lastActivityMs: now };
      this.assignments.set(peer.id, assignment);
      this.lastAssignedMs.set(peer.id, now);
      this.rangesRequested += 1;
      this.deps.request(peer.id, assignment.from, assignment.to);
      this.deps.log.debug('catch-up range asked', { peer: short(peer.id), from: assignment.from, to: assignment.to });
      asked.push(assignment);
    }
    return asked;
  }

  /** A free peer that holds the start of `range`: not passed over if possible, then the least recently asked. */
  private pickPeer(range: Range, peers: readonly CatchUpPeer[], now: number): CatchUpPeer | null {
    let best: CatchUpPeer | null = null;
    let bestKey: [number, number, number] | null = null;
    for (const peer of peers) {
      if (peer.height === null || peer.height < range.from || this.assignments.has(peer.id)) continue;
      const passedOver = this.avoid.get(peer.id);
      const avoided = passedOver && passedOver.untilMs > now ? 1 : 0;
      if (avoided && passedOver?.invalid) continue;
      // Lower is better: not avoided, holds the whole range, asked longest ago.
      const key: [number, number, number] = [avoided, peer.height >= range.to ? 0 : 1, this.lastAssignedMs.get(peer.id) ?? -1];
      if (!bestKey || key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && key[2] < bestKey[2])))) {
        best = peer;
        bestKey = key;
      }
    }
    return best;
  }

  private giveBack(range: Range): void {
    if (range.from > range.to) return;
    this.open.push({ from: range.from, to: range.to });
    this.open.sort((a, b) => a.from - b.from);
  }

  private reset(): void {
    this.syncing = false;
    this.start = null;
    this.assignments.clear();
    this.answered.length = 0;
    this.open = [];
    this.frontier = 0;
    this.pendingStall = null;
  }
}
