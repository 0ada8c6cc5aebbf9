/**
 * The elections on this node's chain (DESIGN.md §5): their phase, roll commitment, counts and, when it may be
 * shown, the tally. Fetched when the connection opens and again after every `election.changed` event (a final
 * block changed an election: a check-in, a ballot, closing, a result), so every window shows the chain as it is.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ElectionSummary } from '../../preload/contract';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';

export const useElectionsStore = defineStore('elections', () => {
  const client = useClient();

  const elections = shallowRef<readonly ElectionSummary[]>([]);
  const loaded = ref(false);
  const error = shallowRef<ShownError | null>(null);
  /** Bumped on every `election.changed`, so that views holding other election data (the roll) refetch too. */
  const changes = ref(0);
  let started = false;
  let inFlight: Promise<void> | null = null;
  let again = false;

  /** Fetches the list; a refresh asked for while one is running runs once more after it, never in parallel. */
  async function refresh(): Promise<void> {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        try {
          elections.value = (await client.call('election.list', {})).elections;
          loaded.value = true;
          error.value = null;
        } catch (caught) {
          error.value = toShownError(caught);
        }
      } while (again);
    })();
    try {
      await inFlight;
    } finally {
      inFlight = null;
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    client.on('election.changed', () => {
      changes.value += 1;
      void refresh();
    });
    client.onConnectionChange((state) => {
      if (state === 'open') void refresh();
    });
    if (client.connection === 'open') void refresh();
  }

  function byId(id: string | null): ElectionSummary | null {
    if (!id) return null;
    return elections.value.find((election) => election.id === id) ?? null;
  }

  const open = computed(() => elections.value.filter((election) => election.phase === 'open'));

  return { elections, loaded, error, changes, open, refresh, start, byId };
});
