/**
 * Signed transactions made in a helper process under test/support (vite-node), printed as JSON on its last
 * line: the e2e program does not import the node's code. A `note` (anyone may sign one; it grants nothing),
 * and voucher applications (test/support/signApplications.ts).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransactionJSON } from '../../preload/contract';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `test/support/<script>` with `args` and parses the JSON of its last line of output. */
function printedBy<T>(script: string, args: readonly string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/vite-node/vite-node.mjs'), `test/support/${script}`, '--', ...args],
      { cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T)),
    );
  });
}

export function signedNote(chainId: string, text: string): Promise<TransactionJSON> {
  return printedBy('signNote.ts', [chainId, text]);
}

/**
 * `count` voucher applications from fresh keys, their details sealed to the demo reviewers, without the
 * keystore: "<base> 001"… with HKIDs <letter>100001(c)…, to hand in with tx.submit (final once the node's
 * queue lists them).
 */
export function signedApplications(chainId: string, count: number, base: string, letter: string): Promise<TransactionJSON[]> {
  return printedBy('signApplications.ts', [chainId, String(count), base, letter]);
}
