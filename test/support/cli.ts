import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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
