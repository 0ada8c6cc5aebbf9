/**
 * A ledger store in a temporary folder for one test at a time: registers the hooks that make a fresh
 * folder before each test and close the store and remove the folder after it. For the store's own tests.
 */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { makeTempDir } from '../../../test/support/tempDir';
import { openStore } from './database';
import type { LedgerStore } from './ledgerStore';
import type { TestNetwork } from './testChain';

/** The clock the stores are opened with. */
export const TEST_STORE_NOW_MS = 1_700_000_500_000;

export interface TempStore {
  /** The current test's folder and store file. */
  readonly dir: string;
  readonly path: string;
  /** Opens the store file (for `net`, by default the network given to useTempStore); closed after the test. */
  open(net?: TestNetwork): LedgerStore;
  /** Closes the open store, if any, and opens the file again. */
  reopen(): LedgerStore;
  /** Closes the open store, if any, so that the test can work on the file itself. */
  close(): void;
}

export function useTempStore(network: TestNetwork): TempStore {
  let temp: ReturnType<typeof makeTempDir> | null = null;
  let store: LedgerStore | null = null;
  const current = (): ReturnType<typeof makeTempDir> => {
    if (!temp) throw new RangeError('useTempStore: the store is used outside a test.');
    return temp;
  };
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(() => {
    store?.close();
    store = null;
    temp?.remove();
    temp = null;
  });
  const handle: TempStore = {
    get dir() {
      return current().path;
    },
    get path() {
      return join(current().path, 'chain.sqlite');
    },
    open(net = network) {
      store = openStore({ path: handle.path, genesis: net.genesis, genesisHash: net.genesisHash }, { now: () => TEST_STORE_NOW_MS });
      return store;
    },
    reopen() {
      handle.close();
      return handle.open();
    },
    close() {
      store?.close();
      store = null;
    },
  };
  return handle;
}
