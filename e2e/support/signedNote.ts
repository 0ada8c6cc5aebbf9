/**
 * A signed `note` transaction (anyone may sign one; it grants nothing) made by test/support/signNote.ts in
 * its own process: the e2e program does not import the node's code.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransactionJSON } from '../../preload/contract';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function signedNote(chainId: string, text: string): Promise<TransactionJSON> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/vite-node/vite-node.mjs'), 'test/support/signNote.ts', '--', chainId, text],
      { cwd: REPO_ROOT, timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as TransactionJSON)),
    );
  });
}
