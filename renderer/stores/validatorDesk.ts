/**
 * The validator desk: the blocks waiting for this node's validators (manual mode), the approval mode, this
 * node's validators' recent decisions, and any double-sign evidence. Kept live by the node's events
 * (`approval.pending`, `block.final`, `block.rejected`, `evidence`), fetched again after a reconnect.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef, watch } from 'vue';
import type { ApprovalMode, EvidenceJSON, PendingBlock, RejectionJSON } from '../../preload/contract';
import { coalesced } from '../app/coalesce';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';
import { useNodeStore } from './node';

/** One decision of one of this node's validators, newest first in the history. */
export type Decision =
  | {
      readonly kind: 'approved';
      readonly height: number;
      readonly round: number;
      readonly blockHash: string;
      readonly validators: readonly string[];
      readonly timeMs: number;
    }
  | {
      readonly kind: 'rejected';
      readonly height: number;
      readonly round: number;
      readonly blockHash: string;
      readonly validators: readonly string[];
      readonly reason: string;
      readonly timeMs: number;
    };

/** How many final blocks the history looks back on for this node's approvals. */
export const HISTORY_BLOCKS = 10;
const HISTORY_REJECTIONS = 50;

export const useValidatorDeskStore = defineStore('validatorDesk', () => {
  const client = useClient();
  const node = useNodeStore();

  const pending = shallowRef<readonly PendingBlock[]>([]);
  const loaded = ref(false);
  const error = shallowRef<ShownError | null>(null);
  /** The block the desk shows, by `${round}:${blockHash}`; the first one when null or gone. */
  const selectedKey = ref<string | null>(null);
  const busy = ref(false);
  const actionError = shallowRef<ShownError | null>(null);
  const evidence = shallowRef<readonly EvidenceJSON[]>([]);
  const rejections = shallowRef<readonly RejectionJSON[]>([]);
  /** Final blocks whose certificate holds one of this node's validators, by height. */
  const approvals = shallowRef<ReadonlyMap<number, Decision & { kind: 'approved' }>>(new Map());
  const listeners = new Set<(block: { height: number; round: number; blockHash: string }) => void>();
  let started = false;

  const localValidators = computed(() => node.status?.localValidators ?? []);
  const mode = computed<ApprovalMode | null>(() => node.status?.approvalMode ?? null);

  const keyOf = (block: { round: number; blockHash: string }) => `${block.round}:${block.blockHash}`;
  const selected = computed(() => pending.value.find((b) => keyOf(b) === selectedKey.value) ?? pending.value[0] ?? null);
  const selectedIndex = computed(() => (selected.value ? pending.value.indexOf(selected.value) : -1));

  const history = computed((): Decision[] => {
    const mine = new Set(localValidators.value);
    const byBlock = new Map<string, Decision & { kind: 'rejected' }>();
    for (const r of rejections.value) {
      if (!mine.has(r.validator)) continue;
      const key = `${r.round}:${r.blockHash}`;
      const known = byBlock.get(key);
      byBlock.set(
        key,
        known
          ? { ...known, validators: [...known.validators, r.validator] }
          : { kind: 'rejected', height: r.height, round: r.round, blockHash: r.blockHash, validators: [r.validator], reason: r.reason, timeMs: r.recordedAtMs },
      );
    }
    return [...byBlock.values(), ...approvals.value.values()].sort((a, b) => b.height - a.height || b.round - a.round || b.timeMs - a.timeMs);
  });

  async function refreshPending(): Promise<void> {
    try {
      const { blocks } = await client.call('validator.pending', {});
      pending.value = [...blocks].sort((a, b) => a.height - b.height || a.round - b.round);
      loaded.value = true;
      error.value = null;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  }

  async function refreshEvidence(): Promise<void> {
    try {
      evidence.value = (await client.call('chain.evidence', {})).evidence;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  }

  async function refreshRejections(): Promise<void> {
    try {
      rejections.value = (await client.call('validator.rejections', { limit: HISTORY_REJECTIONS })).rejections;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  }

  /** Looks at a final block's certificate: did one of this node's validators approve it? */
  async function noteApprovals(height: number): Promise<void> {
    const mine = new Set(localValidators.value);
    if (mine.size === 0 || height < 1) return;
    const block = await client.call('chain.block', { height });
    const validators = block.certificate.approvals.map((a) => a.validator).filter((v) => mine.has(v));
    if (validators.length === 0) return;
    const next = new Map(approvals.value);
    next.set(height, { kind: 'approved', height, round: block.certificate.round, blockHash: block.hash, validators, timeMs: block.header.timeMs });
    // Only the newest few: the history is a glance at recent work, the Explorer holds the rest.
    for (const old of [...next.keys()].sort((a, b) => a - b).slice(0, Math.max(0, next.size - HISTORY_BLOCKS))) next.delete(old);
    approvals.value = next;
  }

  /** The newest final height seen in events, and the newest whose certificate was looked at. */
  let latestFinal = 0;
  let notedUpTo = 0;

  async function refreshApprovals(): Promise<void> {
    try {
      const { blocks } = await client.call('chain.blocks', { limit: HISTORY_BLOCKS });
      approvals.value = new Map();
      for (const block of [...blocks].reverse()) await noteApprovals(block.height);
      notedUpTo = Math.max(notedUpTo, blocks[0]?.height ?? 0);
    } catch (caught) {
      error.value = toShownError(caught);
    }
  }

  /**
   * The certificates of blocks final since the last look, at most the newest few, one pass at a time: a
   * node catching up finalises hundreds of blocks a second, and the desk must not ask for each of them.
   */
  const catchUpApprovals = coalesced(async () => {
    const to = latestFinal;
    if (node.status?.state === 'syncing') {
      notedUpTo = to;
      return;
    }
    try {
      for (let height = Math.max(notedUpTo + 1, to - HISTORY_BLOCKS + 1); height <= to; height++) await noteApprovals(height);
      notedUpTo = Math.max(notedUpTo, to);
    } catch (caught) {
      error.value = toShownError(caught);
    }
  });
  const refreshPendingSoon = coalesced(refreshPending);

  async function refreshAll(): Promise<void> {
    await Promise.all([refreshPending(), refreshEvidence(), refreshRejections(), refreshApprovals()]);
  }

  /** Subscribes once; safe to call from every mount of the desk. */
  function start(): void {
    if (started) return;
    started = true;
    client.on('approval.pending', (block) => {
      void refreshPendingSoon();
      for (const listener of listeners) listener(block);
    });
    client.on('block.final', ({ height }) => {
      latestFinal = Math.max(latestFinal, height);
      void refreshPendingSoon();
      void catchUpApprovals();
    });
    client.on('round.change', () => void refreshPendingSoon());
    client.on('block.rejected', () => {
      void refreshPendingSoon();
      void refreshRejections();
    });
    client.on('evidence', (found) => {
      evidence.value = [...evidence.value, found];
    });
    client.onConnectionChange((state) => {
      if (state === 'open') void refreshAll();
    });
    if (client.connection === 'open') void refreshAll();
  }

  // Which validators are this node's is known only once the node's status has arrived (or after a restart
  // with other keys): look at the recent certificates again then. Set up with the store, not in start(),
  // so that it lives as long as the store and not as long as the first window that started it.
  watch(
    () => localValidators.value.join(','),
    (next, previous) => {
      if (started && next !== previous && next !== '') void refreshApprovals();
    },
  );

  /** Told of every block that starts waiting for a person (for the desktop notification). */
  function onAwaiting(listener: (block: { height: number; round: number; blockHash: string }) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  function select(block: PendingBlock): void {
    selectedKey.value = keyOf(block);
  }

  /** j / k: the next or previous block in the queue. */
  function move(step: 1 | -1): void {
    if (pending.value.length === 0) return;
    const index = Math.min(pending.value.length - 1, Math.max(0, selectedIndex.value + step));
    const block = pending.value[index];
    if (block) select(block);
  }

  async function act(run: () => Promise<unknown>): Promise<boolean> {
    busy.value = true;
    actionError.value = null;
    try {
      await run();
      return true;
    } catch (caught) {
      actionError.value = toShownError(caught);
      return false;
    } finally {
      busy.value = false;
      await refreshPending();
    }
  }

  function approve(block: PendingBlock): Promise<boolean> {
    return act(() => client.call('validator.approve', { height: block.height, round: block.round, blockHash: block.blockHash }));
  }

  async function reject(block: PendingBlock, reason: string): Promise<boolean> {
    const done = await act(() => client.call('validator.reject', { height: block.height, round: block.round, blockHash: block.blockHash, reason }));
    if (done) await refreshRejections();
    return done;
  }

  function setMode(next: ApprovalMode): Promise<boolean> {
    return act(async () => {
      await client.call('validator.setMode', { mode: next });
      await node.refresh();
    });
  }

  return {
    pending,
    loaded,
    error,
    selected,
    selectedIndex,
    busy,
    actionError,
    evidence,
    history,
    localValidators,
    mode,
    start,
    onAwaiting,
    select,
    move,
    approve,
    reject,
    setMode,
    refreshAll,
  };
});
