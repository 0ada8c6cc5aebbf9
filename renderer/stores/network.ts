/**
 * The Network window's state: this node's peers (refreshed every few seconds and whenever the node's status
 * changes, since latency and byte counts move without events), catch-up progress from `sync.progress`, the
 * node's recent log at a chosen level, and the peer actions — add, remove, ban, unban — with their errors.
 * Everything is fetched again when the connection to the node opens.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { EventPayloads, NodeLogEntry, NodeLogLevel, PeerSummary } from '../../preload/contract';
import { coalesced } from '../app/coalesce';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';

export type SyncProgress = EventPayloads['sync.progress'];

/** How often peers and the log are fetched while the window is open. */
export const NETWORK_REFRESH_MS = 2_000;
/** How many log records the view holds: the newest, never the whole buffer of the node. */
export const LOG_LIMIT = 200;

/** A ban made from this window, kept so that it can be lifted with one click. */
export interface BanRecord {
  readonly peer: string;
  readonly address: string;
  readonly reason: string;
  readonly untilMs: number;
}

export const useNetworkStore = defineStore('network', () => {
  const client = useClient();

  const peers = shallowRef<readonly PeerSummary[]>([]);
  const listening = ref<string | null>(null);
  const peersLoaded = ref(false);
  /** When the peers were fetched, for their age. */
  const fetchedAtMs = ref(Date.now());
  const error = shallowRef<ShownError | null>(null);

  /** The newest catch-up progress while behind; null when caught up (or never behind). */
  const sync = shallowRef<SyncProgress | null>(null);

  const logLevel = ref<NodeLogLevel>('info');
  const logs = shallowRef<readonly NodeLogEntry[]>([]);
  const logsLoaded = ref(false);
  const logCapacity = ref<number | null>(null);

  /** The action running now, by what it acts on, so the right button says so. */
  const busy = ref<string | null>(null);
  const actionError = shallowRef<ShownError | null>(null);
  /** What the last action did, said once in a polite live region. */
  const done = ref<string | null>(null);
  const bans = shallowRef<readonly BanRecord[]>([]);

  const refreshPeers = coalesced(async () => {
    try {
      const answer = await client.call('peers.list', {});
      peers.value = answer.peers;
      listening.value = answer.listening;
      fetchedAtMs.value = Date.now();
      peersLoaded.value = true;
      error.value = null;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  });

  const refreshLogs = coalesced(async () => {
    try {
      const answer = await client.call('node.logs', { level: logLevel.value, limit: LOG_LIMIT });
      logs.value = answer.entries;
      logCapacity.value = answer.capacity;
      logsLoaded.value = true;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  });

  function refresh(): Promise<unknown> {
    return Promise.all([refreshPeers(), refreshLogs()]);
  }

  async function setLogLevel(level: NodeLogLevel): Promise<void> {
    logLevel.value = level;
    await refreshLogs();
  }

  let subscribed = false;
  let viewers = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let lastPeerCount: number | null = null;

  /** Starts following the node while a Network window shows; pair with stop(). */
  function start(): void {
    viewers += 1;
    if (!subscribed) {
      subscribed = true;
      client.on('sync.progress', (progress) => {
        sync.value = progress.blocksLeft > 0 ? progress : null;
      });
      client.on('node.status', (status) => {
        // Caught up by the node's own account, whichever came first: the status or the last progress event.
        if (sync.value && status.height >= sync.value.target) sync.value = null;
        // A peer came or went: show it now rather than at the next tick.
        if (status.peers !== lastPeerCount) void refreshPeers();
        lastPeerCount = status.peers;
      });
      client.onConnectionChange((state) => {
        if (state !== 'open') return;
        // Progress from before the connection was lost is stale; the node says again if it is still behind.
        sync.value = null;
        if (viewers > 0) void refresh();
      });
    }
    if (timer === null) {
      timer = setInterval(() => {
        if (client.connection === 'open') void refresh();
      }, NETWORK_REFRESH_MS);
    }
    if (client.connection === 'open') void refresh();
  }

  function stop(): void {
    viewers = Math.max(0, viewers - 1);
    if (viewers === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }

  async function act(target: string, run: () => Promise<string>): Promise<boolean> {
    if (busy.value) return false;
    busy.value = target;
    actionError.value = null;
    done.value = null;
    try {
      done.value = await run();
      await refreshPeers();
      return true;
    } catch (caught) {
      actionError.value = toShownError(caught);
      return false;
    } finally {
      busy.value = null;
    }
  }

  /** Connects to a peer by address; the address is checked by the form first, and by the node again. */
  function addPeer(address: string): Promise<boolean> {
    const trimmed = address.trim();
    return act(`add:${trimmed}`, async () => {
      const { peer } = await client.call('peers.add', { address: trimmed });
      return `Connected to ${peer.address}.`;
    });
  }

  function removePeer(peer: PeerSummary): Promise<boolean> {
    return act(`remove:${peer.id}`, async () => {
      const { removed } = await client.call('peers.remove', { peer: peer.id });
      return removed ? `Disconnected ${peer.address} and forgot its address.` : `${peer.address} was no longer connected.`;
    });
  }

  function banPeer(peer: PeerSummary, minutes: number, reason: string): Promise<boolean> {
    return act(`ban:${peer.id}`, async () => {
      await client.call('peers.ban', { peer: peer.id, minutes, reason });
      const record: BanRecord = { peer: peer.id, address: peer.address, reason, untilMs: Date.now() + minutes * 60_000 };
      bans.value = [record, ...bans.value.filter((b) => b.peer !== peer.id)];
      return `Banned ${peer.address} for ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
    });
  }

  /**
   * Lifts a ban, by node key or address (a ban made here, or one the person knows of). A ban made here is
   * lifted for both its key and its address: banning a connected peer bans both.
   */
  function unbanPeer(peer: string): Promise<boolean> {
    const trimmed = peer.trim();
    return act(`unban:${trimmed}`, async () => {
      const lifted = bans.value.find((b) => b.peer === trimmed || b.address === trimmed);
      for (const subject of lifted ? [lifted.peer, lifted.address] : [trimmed]) await client.call('peers.unban', { peer: subject });
      bans.value = bans.value.filter((b) => b !== lifted);
      return `Lifted the ban on ${lifted?.address ?? trimmed}.`;
    });
  }

  return {
    peers,
    listening,
    peersLoaded,
    fetchedAtMs,
    error,
    sync,
    logLevel,
    logs,
    logsLoaded,
    logCapacity,
    busy,
    actionError,
    done,
    bans,
    start,
    stop,
    refresh,
    refreshPeers,
    refreshLogs,
    setLogLevel,
    addPeer,
    removePeer,
    banPeer,
    unbanPeer,
  };
});
