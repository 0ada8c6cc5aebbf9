/**
 * A running Civichain node: the data folder (locked to this process), the workspace (genesis, keystore,
 * the node's own key), the store, and the API handlers. Both runtimes start it the same way: the headless
 * CLI (main/cli) and the Electron main process (main/app). Components are closed in reverse order.
 */
import type { EventName, EventPayloads, NodeIdentity, NodeStatus } from '../../preload/contract';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { createHandlers } from './api/handlers';
import { openStore, type Store } from './store/database';
import { acquireDataDirLock, type DataDirLock } from './workspace/lock';
import { openWorkspace, type Workspace } from './workspace/workspace';
import type { Logger } from './log';

export type NodeEventListener = <E extends EventName>(event: E, payload: EventPayloads[E]) => void;

export interface CivichainNode {
  readonly dataDir: string;
  readonly dispatcher: Dispatcher;
  readonly workspace: Workspace;
  status(): NodeStatus;
  identity(): NodeIdentity;
  /** Subscribe to every event the node emits; returns the unsubscribe function. */
  onEvent(listener: NodeEventListener): () => void;
  close(): Promise<void>;
}

export interface NodeOptions {
  readonly dataDir: string;
  /** Create the demo workspace if the data folder holds none (DESIGN.md §10). */
  readonly demo: boolean;
  readonly runtime: 'electron' | 'headless';
  readonly version: string;
}

export interface NodeDependencies {
  readonly log: Logger;
  readonly now?: () => number;
  /** Path of a better-sqlite3 binary built for this runtime's ABI (Electron), when not the default. */
  readonly sqliteNativeBinding?: string;
}

export async function startNode(options: NodeOptions, deps: NodeDependencies): Promise<CivichainNode> {
  const now = deps.now ?? Date.now;
  const lock: DataDirLock = acquireDataDirLock(options.dataDir);
  let store: Store | null = null;
  try {
    const workspace = await openWorkspace({ dataDir: options.dataDir, demo: options.demo }, { log: deps.log });
    store = openStore(
      { path: workspace.paths.chainDb, genesisHash: workspace.genesisHash },
      { nativeBinding: deps.sqliteNativeBinding },
    );
    const openedStore = store;
    const listeners = new Set<NodeEventListener>();
    const startedAtMs = now();
    let state: NodeStatus['state'] = 'running';

    const status = (): NodeStatus => {
      const head = openedStore.head();
      return {
        networkName: workspace.genesis.networkName,
        chainId: workspace.genesis.chainId,
        height: head.height,
        finalHeight: head.finalHeight,
        peers: 0,
        state,
        syncBlocksLeft: null,
        mining: { active: false, hashesPerSecond: 0 },
        demo: workspace.genesis.demo,
        startedAtMs,
        version: options.version,
      };
    };
    const identity = (): NodeIdentity => ({
      nodePublicKey: workspace.nodeKey.publicKey,
      dataDir: options.dataDir,
      genesisHash: workspace.genesisHash,
      chainId: workspace.genesis.chainId,
      networkName: workspace.genesis.networkName,
      demo: workspace.genesis.demo,
      runtime: options.runtime,
    });
    const emit: NodeEventListener = (event, payload) => {
      for (const listener of listeners) listener(event, payload);
    };

    const dispatcher = createDispatcher({
      handlers: createHandlers({ status, identity, keystore: workspace.keystore }),
      onInternalError: (error, method) => deps.log.error(`internal error in ${method}`, { error: String(error) }),
    });

    deps.log.info('node started', { dataDir: options.dataDir, chainId: workspace.genesis.chainId });
    return {
      dataDir: options.dataDir,
      dispatcher,
      workspace,
      status,
      identity,
      onEvent(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async close() {
        state = 'stopping';
        emit('node.status', status());
        listeners.clear();
        openedStore.close();
        lock.release();
        deps.log.info('node stopped', { dataDir: options.dataDir });
      },
    };
  } catch (error) {
    store?.close();
    lock.release();
    throw error;
  }
}
