/**
 * One node per data folder: a lock file holding the owner's pid, created exclusively. A lock left by a
 * process that no longer exists (a crash, SIGKILL) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CivichainError } from '../../core/errors';

export const LOCK_FILE_NAME = 'node.lock';

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner !== null && owner !== process.pid && processIsAlive(owner)) {
        throw new CivichainError(
          'DATA_DIR_IN_USE',
          `Another Civichain node (process ${owner}) is already using the data folder ${dataDir}. ` +
            'Stop that node first, or start this one with a different --data folder.',
          { dataDir, pid: owner },
        );
      }
      // A stale lock from a process that has gone: take it over.
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return {
      path,
      release() {
        if (readOwner(path) === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new CivichainError('DATA_DIR_IN_USE', `Could not lock the data folder ${dataDir}; another node keeps taking it.`, {
    dataDir,
  });
}
