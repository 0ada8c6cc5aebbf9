/**
 * The node this page talks to: its status (height, final height, peers, sync, mining), its identity, and
 * the state of the connection to it. Kept live by the `node.status` event; fetched again whenever the
 * connection opens, so that nothing missed while disconnected stays on screen.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { NodeIdentity, NodeStatus } from '../../preload/contract';
import type { ConnectionState } from '../api/client';
import { toShownError, type ShownError } from '../app/errors';
import { useClient } from '../app/injection';

export const useNodeStore = defineStore('node', () => {
  const client = useClient();

  const status = shallowRef<NodeStatus | null>(null);
  const identity = shallowRef<NodeIdentity | null>(null);
  const connection = ref<ConnectionState>(client.connection);
  const error = shallowRef<ShownError | null>(null);
  /** Whether the connection was lost at least once since the page loaded (then "reconnecting", not "connecting"). */
  const everLost = ref(false);
  let started = false;

  async function refresh(): Promise<void> {
    try {
      const [nextStatus, nextIdentity] = await Promise.all([
        client.call('node.status', {}),
        client.call('node.identity', {}),
      ]);
      status.value = nextStatus;
      identity.value = nextIdentity;
      error.value = null;
    } catch (caught) {
      error.value = toShownError(caught);
    }
  }

  /** Subscribes once to the node's events and connection; safe to call from every window. */
  function start(): void {
    if (started) return;
    started = true;
    client.on('node.status', (next) => {
      status.value = next;
    });
    client.onConnectionChange((next) => {
      connection.value = next;
      if (next === 'closed') everLost.value = true;
      if (next === 'open') void refresh();
    });
    connection.value = client.connection;
    if (client.connection === 'open') void refresh();
  }

  const connected = computed(() => connection.value === 'open');
  const loaded = computed(() => status.value !== null);

  return { status, identity, connection, connected, loaded, error, everLost, start, refresh };
});
