import { homedir } from 'node:os';
import { join } from 'node:path';

/** The headless node's data folder when `--data` is not given: $CIVICHAIN_DATA_DIR, else ~/.civichain/demo. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['CIVICHAIN_DATA_DIR'] || join(homedir(), '.civichain', 'demo');
}
