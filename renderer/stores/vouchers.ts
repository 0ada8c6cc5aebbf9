/**
 * The voucher programmes on this node's chain (DESIGN.md §6) with their dashboard counts and what this node
 * can do in each (review, authorise, act as operators). Fetched when the connection opens and again after
 * every `voucher.changed` event (a final block changed a programme), so the Wallet, the Government desk and
 * the Operator desk all show the chain as it is. `changes` is bumped on each event, so views holding other
 * voucher data (a wallet, the queue, redemptions) refetch too.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { VoucherProgrammeSummary } from '../../preload/contract';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';
import { coalesced } from '../app/coalesce';

export const useVouchersStore = defineStore('vouchers', () => {
  const client = useClient();

  const programmes = shallowRef<readonly VoucherProgrammeSummary[]>([]);
  const loaded = ref(false);
  const error = shallowRef<ShownError | null>(null);
  const changes = ref(0);
  let started = false;

  /** Fetches the list; a refresh asked for while one runs runs once more after it, never in parallel. */
  const refresh = coalesced(async () => {
    try {
      programmes.value = (await client.call('voucher.programmes', {})).programmes;
      loaded.value = true;
      error.value = null;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  });

  function start(): void {
    if (started) return;
    started = true;
    client.on('voucher.changed', () => {
      changes.value += 1;
      void refresh();
    });
    client.onConnectionChange((state) => {
      if (state === 'open') void refresh();
    });
    if (client.connection === 'open') void refresh();
  }

  function byId(id: string | null): VoucherProgrammeSummary | null {
    if (!id) return null;
    return programmes.value.find((programme) => programme.id === id) ?? null;
  }

  return { programmes, loaded, error, changes, refresh, start, byId };
});
