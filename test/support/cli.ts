import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectApi, type TestApiClient } from './apiClient';
import type { makeTempDir } from './tempDir';

export const CIVICHAIN_BIN = fileURLToPath(new URL('../../bin/civichain.js', import.meta.url));
const BUILT_CLI = fileURLToPath(new URL('../../out/main/cli.js', import.meta.url));

/** Integration tests run the built CLI as real processes; say clearly when it has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(BUILT_CLI)) {
    throw new TypeError(`The CLI is not built (${BUILT_CLI} is missing). Run \`npm run build\` first; \`npm test\` does this for you.`);
  }
}

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  requireBuiltCli();
  const child = spawn(process.execPath, [CIVICHAIN_BIN, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const watcher of watchers) watcher();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) {
            watchers.delete(check);
            resolve(match);
          }
        };
        watchers.add(check);
        check();
        void exited.then(({ code, signal }) => {
          if (!out.match(pattern)) reject(new TypeError(`civichain exited (${code ?? signal}) before printing ${pattern}:\n${out}\n${err}`));
        });
      });
    },
  };
}

export interface StartedNode {
  readonly proc: CliProcess;
  readonly api: TestApiClient;
  readonly apiUrl: string;
  readonly consoleUrl: string;
  /** Where it accepts peers (every headless node listens). */
  readonly p2pUrl: string;
}

/**
 * Runs `civichain node …args` and waits until it is ready: the addresses it prints, and an API connection
 * authenticated with the token from its console address. The caller stops the process.
 */
export async function startNodeProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<StartedNode> {
  const proc = runCli(['node', ...args], env);
  try {
    const [, apiUrl] = await proc.waitForOutput(/API:\s+(\S+)/);
    const [, p2pUrl] = await proc.waitForOutput(/Peers:\s+(\S+)/);
    const [, consoleUrl] = await proc.waitForOutput(/Console:\s+(\S+)/);
    const api = await connectApi(apiUrl!, new URL(consoleUrl!).searchParams.get('token')!);
    return { proc, api, apiUrl: apiUrl!, consoleUrl: consoleUrl!, p2pUrl: p2pUrl! };
  } catch (error) {
    proc.child.kill('SIGKILL');
    throw error;
  }
}

/**
 * What an integration test starts and must stop: node processes, API clients, temporary folders. `release`
 * (for afterEach) closes the clients, stops the processes (SIGTERM, then waits for their exit) and removes
 * the folders.
 */
export function testResources(): {
  processes: CliProcess[];
  clients: TestApiClient[];
  temps: ReturnType<typeof makeTempDir>[];
  release: () => Promise<void>;
} {
  const processes: CliProcess[] = [];
  const clients: TestApiClient[] = [];
  const temps: ReturnType<typeof makeTempDir>[] = [];
  return {
    processes,
    clients,
    temps,
    async release() {
      for (const client of clients.splice(0)) client.close();
      for (const proc of processes.splice(0)) {
        if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
        await proc.exited;
      }
      for (const temp of temps.splice(0)) temp.remove();
    },
  };
}
