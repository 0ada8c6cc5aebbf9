/**
 * The Electron app's command line: `--data DIR` (or CIVICHAIN_DATA_DIR) picks the data folder, `--api-port N`
 * (or CIVICHAIN_API_PORT) the port of the local WebSocket API. Pure, so it is unit-tested without Electron.
 * Chromium's own switches (`--no-sandbox`, `--inspect`, …) pass through untouched.
 */
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CivichainError } from '../core/errors';

export interface AppOptions {
  /** Absolute path of the node's data folder. */
  readonly dataDir: string;
  /** Whether the folder was chosen on the command line or environment rather than the default. */
  readonly customDataDir: boolean;
  /** Port of the local WebSocket API; 0 lets the system choose one. */
  readonly apiPort: number;
  /** Whether the port was asked for; a default port that is taken falls back to any free port. */
  readonly customApiPort: boolean;
  /** Chromium's profile folder (Electron's userData), when it is not the default one. */
  readonly profileDir: string | null;
}

/** The headless CLI's default (main/cli/args.ts), so `civichain` commands find the app's node too. */
export { DEFAULT_API_PORT } from '../node/defaults';
import { DEFAULT_API_PORT } from '../node/defaults';

export interface AppOptionSources {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Electron's `app.getPath('userData')`. */
  readonly userDataDir: string;
}

/**
 * The value of `--name VALUE` or `--name=VALUE` (the last one wins, like most command lines); '' when the flag
 * is given without a value, undefined when it is not given.
 */
function flagValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === name) {
      const next = argv[i + 1];
      value = next === undefined || next.startsWith('--') ? '' : next;
      if (value !== '') i++;
    } else if (arg?.startsWith(`${name}=`)) {
      value = arg.slice(name.length + 1);
    }
  }
  return value;
}

function parsePort(text: string, source: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new CivichainError(
      'INVALID_OPTION',
      `${source} must be a port number between 0 and 65535, not ${JSON.stringify(text)}.`,
      { option: source, value: text },
    );
  }
  return port;
}

export function resolveAppOptions(sources: AppOptionSources): AppOptions {
  const fromArgs = flagValue(sources.argv, '--data');
  if (fromArgs === '') {
    throw new CivichainError('INVALID_OPTION', '--data needs a folder, e.g. --data ~/civichain-node.', {
      option: '--data',
    });
  }
  const fromEnv = sources.env['CIVICHAIN_DATA_DIR'];
  const chosen = fromArgs ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  const portText = flagValue(sources.argv, '--api-port');
  const envPort = sources.env['CIVICHAIN_API_PORT'];
  const apiPort =
    portText !== undefined
      ? parsePort(portText, '--api-port')
      : envPort !== undefined && envPort !== ''
        ? parsePort(envPort, 'CIVICHAIN_API_PORT')
        : undefined;
  const dataDir = chosen !== undefined ? resolve(sources.cwd, chosen) : join(sources.userDataDir, 'workspace');
  const profileFromEnv = sources.env['CIVICHAIN_PROFILE_DIR'];
  return {
    dataDir,
    customDataDir: chosen !== undefined,
    apiPort: apiPort ?? DEFAULT_API_PORT,
    customApiPort: apiPort !== undefined,
    profileDir:
      profileFromEnv !== undefined && profileFromEnv !== ''
        ? resolve(sources.cwd, profileFromEnv)
        : chosen !== undefined
          ? profileDirFor(sources.userDataDir, dataDir)
          : null,
  };
}

/**
 * Chromium's profile folder for a custom data folder. Electron's single-instance lock lives in the profile
 * folder, so giving each data folder its own profile makes the lock "one instance per data folder"
 * (DESIGN.md §9): two nodes on two folders can run side by side, two on one folder cannot.
 */
export function profileDirFor(userDataDir: string, dataDir: string): string {
  const digest = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return join(userDataDir, 'instances', digest);
}
