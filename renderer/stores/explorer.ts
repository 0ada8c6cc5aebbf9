/**
 * The Explorer: how high the chain is (the newest final block the list starts from), what is open in the
 * detail pane (a block, a transaction or a rejected proposal), search, the mempool and recent rejections.
 * Block rows themselves are paged by the list (renderer/windows/explorer/blockPages.ts), never held here.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { BlockDetail, MethodOutput, RejectionJSON, TransactionLookup } from '../../preload/contract';
import { ApiError } from '../api/client';
import { toShownError, type ShownError } from '../app/errors';
import { formatCount } from '../app/format';
import { useClient } from '../app/injection';

export type Selection =
  | { readonly kind: 'block'; readonly height: number }
  | { readonly kind: 'transaction'; readonly hash: string }
  | { readonly kind: 'proposal'; readonly blockHash: string };

export type Detail =
  | { readonly state: 'none' }
  | { readonly state: 'loading'; readonly selection: Selection }
  | { readonly state: 'block'; readonly block: BlockDetail }
  | { readonly state: 'transaction'; readonly lookup: TransactionLookup }
  | { readonly state: 'proposal'; readonly blockHash: string; readonly rejections: readonly RejectionJSON[] }
  | { readonly state: 'failed'; readonly selection: Selection; readonly error: ShownError };

export type Mempool = MethodOutput<'mempool.list'>;

const MEMPOOL_SHOWN = 50;
const REJECTIONS_SHOWN = 10;
const HEX_HASH = /^[0-9a-f]{64}$/;

/** What a search box entry is: a height, a hash (block, transaction or tracking code), or neither. */
export function parseQuery(
  raw: string,
): { kind: 'height'; height: number } | { kind: 'hash'; hash: string } | { kind: 'tracking'; code: string } | { kind: 'invalid'; message: string } {
  const text = raw.trim().replace(/^#/, '').replaceAll(',', '');
  if (/^\d{1,16}$/.test(text) && Number.isSafeInteger(Number(text))) return { kind: 'height', height: Number(text) };
  // A receipt prints the short tracking code in groups of four: "3F9A-12BC-77E0-4D21".
  const hex = text.toLowerCase().replace(/[\s-]/g, '');
  if (HEX_HASH.test(hex)) return { kind: 'hash', hash: hex };
  if (/^[0-9a-f]{12,63}$/.test(hex)) return { kind: 'tracking', code: hex };
  return {
    kind: 'invalid',
    message: 'Enter a block height (a number), or a block or transaction hash (64 hexadecimal characters; a ballot’s tracking code is its transaction hash).',
  };
}

export const useExplorerStore = defineStore('explorer', () => {
  const client = useClient();

  /** The newest final block: row 0 of the list. Null until known. */
  const top = ref<number | null>(null);
  const topError = shallowRef<ShownError | null>(null);
  const detail = shallowRef<Detail>({ state: 'none' });
  const searchMessage = ref<string | null>(null);
  const mempool = shallowRef<Mempool | null>(null);
  const rejections = shallowRef<readonly RejectionJSON[]>([]);
  /** Called with each height that became final (the list drops that page so that it is fetched again). */
  const finalListeners = new Set<(height: number) => void>();
  let started = false;
  let mempoolLoading = false;
  let mempoolDirty = false;

  async function refreshTop(): Promise<void> {
    try {
      const { height } = await client.call('chain.blocks', { limit: 1 });
      top.value = height;
      topError.value = null;
    } catch (caught) {
      topError.value = toShownError(caught);
    }
  }

  /** Follows `mempool.changed` without piling up requests: at most one in flight, then one more if needed. */
  async function refreshMempool(): Promise<void> {
    if (mempoolLoading) {
      mempoolDirty = true;
      return;
    }
    mempoolLoading = true;
    try {
      do {
        mempoolDirty = false;
        mempool.value = await client.call('mempool.list', { limit: MEMPOOL_SHOWN });
      } while (mempoolDirty);
    } catch {
      // The mempool panel is a live glance: the next change or reconnect fetches it again.
    } finally {
      mempoolLoading = false;
    }
  }

  async function refreshRejections(): Promise<void> {
    try {
      rejections.value = (await client.call('validator.rejections', { limit: REJECTIONS_SHOWN })).rejections;
    } catch {
      // As above: shown again on the next rejection or reconnect.
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    client.on('block.final', ({ height }) => {
      if (top.value === null || height > top.value) top.value = height;
      for (const listener of finalListeners) listener(height);
    });
    client.on('mempool.changed', () => void refreshMempool());
    client.on('block.rejected', () => void refreshRejections());
    client.onConnectionChange((state) => {
      if (state === 'open') void Promise.all([refreshTop(), refreshMempool(), refreshRejections()]);
    });
    if (client.connection === 'open') void Promise.all([refreshTop(), refreshMempool(), refreshRejections()]);
  }

  function onFinal(listener: (height: number) => void): () => void {
    finalListeners.add(listener);
    return () => finalListeners.delete(listener);
  }

  async function open(selection: Selection): Promise<void> {
    detail.value = { state: 'loading', selection };
    try {
      switch (selection.kind) {
        case 'block':
          detail.value = { state: 'block', block: await client.call('chain.block', { height: selection.height }) };
          return;
        case 'transaction':
          detail.value = { state: 'transaction', lookup: await client.call('tx.get', { hash: selection.hash }) };
          return;
        case 'proposal': {
          const { rejections: found } = await client.call('validator.rejections', { blockHash: selection.blockHash, limit: 100 });
          detail.value = { state: 'proposal', blockHash: selection.blockHash, rejections: found };
          return;
        }
      }
    } catch (caught) {
      detail.value = { state: 'failed', selection, error: toShownError(caught) };
    }
  }

  /**
   * A height opens that block; a hash is tried as a final block, then as a transaction (a ballot's tracking
   * code is its transaction hash), then as a rejected proposal. Returns the height to show in the list, if any.
   */
  async function search(raw: string): Promise<number | null> {
    searchMessage.value = null;
    const query = parseQuery(raw);
    if (query.kind === 'invalid') {
      searchMessage.value = query.message;
      return null;
    }
    try {
      if (query.kind === 'tracking') {
        const ballot = await client.call('ballot.lookup', { code: query.code });
        if (!ballot.found || ballot.hash === null) {
          searchMessage.value = `No ballot on this node has the tracking code ${query.code.toUpperCase()}. Check the receipt, or type the whole code.`;
          return null;
        }
        const lookup = await client.call('tx.get', { hash: ballot.hash });
        detail.value = { state: 'transaction', lookup };
        return lookup.status?.state === 'final' ? lookup.status.height : null;
      }
      if (query.kind === 'height') {
        if (top.value !== null && (query.height < 1 || query.height > top.value)) {
          searchMessage.value = `There is no final block at height ${formatCount(query.height)}: the chain goes from 1 to ${formatCount(top.value)}.`;
          return null;
        }
        await open({ kind: 'block', height: query.height });
        return query.height;
      }
      try {
        const block = await client.call('chain.block', { hash: query.hash });
        detail.value = { state: 'block', block };
        return block.header.height;
      } catch (caught) {
        if (!(caught instanceof ApiError && caught.code === 'BLOCK_NOT_FOUND')) throw caught;
      }
      const lookup = await client.call('tx.get', { hash: query.hash });
      if (lookup.status !== null) {
        detail.value = { state: 'transaction', lookup };
        return lookup.status.state === 'final' ? lookup.status.height : null;
      }
      const { rejections: found } = await client.call('validator.rejections', { blockHash: query.hash, limit: 100 });
      if (found.length > 0) {
        detail.value = { state: 'proposal', blockHash: query.hash, rejections: found };
        return null;
      }
      searchMessage.value = `Nothing on this node has the hash ${query.hash.slice(0, 12)}…: no final block, no transaction and no rejected proposal.`;
      return null;
    } catch (caught) {
      const shown = toShownError(caught);
      searchMessage.value = `${shown.message} (${shown.code})`;
      return null;
    }
  }

  return { top, topError, detail, searchMessage, mempool, rejections, start, onFinal, open, search, refreshTop };
});
