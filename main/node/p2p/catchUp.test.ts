import { describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { CatchUp, type CatchUpPeer, type SyncProgress } from './catchUp';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);

/** A scheduler over peers and a head that the test moves by hand, on a hand-moved clock. */
function harness(peers: CatchUpPeer[], options: { windowBlocks?: number; backlogFull?: () => boolean } = {}) {
  const state = { nowMs: 1_000_000, head: 0, peers };
  const requests: { peer: string; from: number; to: number }[] = [];
  const progress: SyncProgress[] = [];
  const log = createLogger({ level: 'error' });
  const catchUp = new CatchUp(
    { windowBlocks: options.windowBlocks ?? 200, rangeBlocks: 50, stallMs: 2_000 },
    {
      now: () => state.nowMs,
      head: () => state.head,
      peers: () => state.peers,
      request: (peer, from, to) => requests.push({ peer, from, to }),
      backlogFull: options.backlogFull,
      onProgress: (p) => progress.push(p),
      log,
    },
  );
  /** The peer sends every block of its range up to `last`, then its sync-end. */
  const answer = (peer: string, last?: number) => {
    const request = requests.filter((r) => r.peer === peer).at(-1)!;
    const end = last ?? request.to;
    for (let height = request.from; height <= end; height++) catchUp.onBlock(peer, height);
    catchUp.onRangeEnd(peer, request.from, end);
  };
  return { state, requests, progress, catchUp, log, answer };
}

describe('catch-up from several peers at once', () => {
  it('asks each peer ahead for a different range at once, and a peer that answered for the next one', () => {
    const t = harness([
      { id: A, height: 300 },
      { id: B, height: 300 },
      { id: C, height: 300 },
    ]);
    t.catchUp.tick();
    expect(t.requests).toEqual([
      { peer: A, from: 1, to: 50 },
      { peer: B, from: 51, to: 100 },
      { peer: C, from: 101, to: 150 },
    ]);
    t.answer(B);
    expect(t.requests.at(-1)).toEqual({ peer: B, from: 151, to: 200 });
    // Not past the window (head 0 + 200) until blocks are applied.
    t.answer(C);
    expect(t.requests).toHaveLength(4);
    // Blocks 1–50 applied: A's range is done (A is free again), and the window moves on.
    t.state.head = 50;
    t.catchUp.tick();
    expect(t.requests.at(-1)).toEqual({ peer: A, from: 201, to: 250 });
    expect(t.progress.at(-1)).toMatchObject({ height: 50, target: 300, blocksLeft: 250, stalled: null });
    expect(t.catchUp.stats().blocksByPeer).toEqual({ [B]: 50, [C]: 50 });
  });

  it('the rest of a short answer (bounded by transactions) is asked of the first free peer', () => {
    const t = harness([
      { id: A, height: 300 },
      { id: B, height: 300 },
    ]);
    t.catchUp.tick();
    t.answer(A, 5);
    expect(t.requests.at(-1)).toEqual({ peer: A, from: 6, to: 50 });
    expect(t.catchUp.stats()).toMatchObject({ rangesRequested: 3, rangesAnswered: 1, rangesReassigned: 1 });
  });

  it('never asks a peer for blocks past the height it announced, and prefers one that holds the whole range', () => {
    const t = harness([
      { id: A, height: 30 },
      { id: B, height: 120 },
    ]);
    t.catchUp.tick();
    expect(t.requests).toEqual([{ peer: B, from: 1, to: 50 }]);
    t.state.peers = [{ id: A, height: 30 }];
    t.catchUp.tick();
    expect(t.requests.at(-1)).toEqual({ peer: A, from: 1, to: 30 });
  });

  it('a peer that sends nothing for 2 s is named in the stall reason and its range asked of another', () => {
    const t = harness([
      { id: A, height: 300 },
      { id: B, height: 300 },
    ]);
    t.catchUp.tick();
    t.answer(B);
    t.state.nowMs += 1_000;
    t.catchUp.onBlock(B, 101);
    t.state.nowMs += 1_000;
    t.catchUp.tick();
    const stalled = t.progress.at(-1)!.stalled;
    expect(stalled).toBe(`no blocks from peer ${A.slice(0, 12)}… for 2 s; asking it again for blocks 1–50`);
    // B is busy with 101–150 (it sent a block a second ago); once it is free, A's old range goes to B.
    expect(t.requests.at(-1)).toEqual({ peer: A, from: 1, to: 50 });
    t.state.nowMs += 2_000;
    t.answer(B);
    expect(t.progress.at(-1)!.stalled).toMatch(new RegExp(`^no blocks from peer ${A.slice(0, 12)}… for 2 s; asking peer ${B.slice(0, 12)}… for blocks 1–50$`));
  });

  it('invalid data from a peer: named, counted, and everything asked of it that is not applied is asked of others', () => {
    const t = harness([
      { id: A, height: 300 },
      { id: B, height: 300 },
    ]);
    t.catchUp.tick();
    t.answer(A);
    t.answer(B);
    t.answer(A);
    // A answered 1–50 and 101–150, B 51–100 and is asked for 151–200; then A's block 1 fails its checks.
    t.catchUp.onInvalid(A, 1, 'CERT_BELOW_QUORUM: the certificate for block 1 has 1 votes; the quorum is 3.');
    expect(t.progress.at(-1)!.stalled).toMatch(new RegExp(`^invalid data from peer ${A.slice(0, 12)}… at block 1: CERT_BELOW_QUORUM`));
    expect(t.catchUp.stats().invalidByPeer).toEqual({ [A]: 1 });
    // A is not asked again (though free); B gets A's ranges as soon as it is free.
    expect(t.requests.filter((r) => r.peer === A)).toHaveLength(2);
    t.answer(B);
    expect(t.requests.at(-1)).toEqual({ peer: B, from: 1, to: 50 });
    t.answer(B);
    expect(t.requests.at(-1)).toEqual({ peer: B, from: 101, to: 150 });
  });

  it('a peer that disconnects loses its range to another', () => {
    const t = harness([
      { id: A, height: 300 },
      { id: B, height: 300 },
    ]);
    t.catchUp.tick();
    t.answer(B);
    t.state.peers = [{ id: B, height: 300 }];
    t.answer(B);
    expect(t.requests.slice(-1)).toEqual([{ peer: B, from: 1, to: 50 }]);
  });

  it('asks for nothing more while the engine holds enough blocks to apply', () => {
    let full = false;
    const t = harness([{ id: A, height: 300 }], { backlogFull: () => full });
    t.catchUp.tick();
    full = true;
    t.answer(A);
    expect(t.requests).toHaveLength(1);
    full = false;
    t.catchUp.tick();
    expect(t.requests.at(-1)).toEqual({ peer: A, from: 51, to: 100 });
  });

  it('a gap nobody is asked for (a block lost on the way) is asked again from the head', () => {
    const t = harness([{ id: A, height: 100 }], { windowBlocks: 100 });
    t.catchUp.tick();
    t.answer(A);
    t.answer(A);
    t.state.head = 40; // blocks 41.. never arrived whole
    t.catchUp.tick();
    expect(t.requests).toHaveLength(2);
    t.state.nowMs += 4_000;
    t.catchUp.tick();
    expect(t.requests.at(-1)).toEqual({ peer: A, from: 41, to: 90 });
  });

  it('reports when it has caught up, with where the blocks came from', () => {
    const t = harness([
      { id: A, height: 60 },
      { id: B, height: 60 },
    ]);
    t.catchUp.tick();
    expect(t.catchUp.target()).toBe(60);
    t.answer(A);
    t.answer(B);
    t.state.head = 60;
    t.state.nowMs += 1_000;
    t.catchUp.tick();
    expect(t.catchUp.target()).toBeNull();
    expect(t.progress.at(-1)).toEqual({ height: 60, target: 60, blocksLeft: 0, blocksPerSecond: 0, etaSeconds: 0, stalled: null });
    const line = t.log.recent().find((e) => e.message === 'caught up');
    expect(line?.fields).toMatchObject({ height: 60, blocks: 60, blocksByPeer: { [A]: 50, [B]: 10 } });
  });

  it('RangeError for a window smaller than a range', () => {
    const deps = { now: () => 0, head: () => 0, peers: () => [], request: () => undefined, onProgress: () => undefined, log: createLogger() };
    expect(() => new CatchUp({ windowBlocks: 10, rangeBlocks: 50 }, deps)).toThrowError(RangeError);
  });
});
