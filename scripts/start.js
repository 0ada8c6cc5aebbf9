#!/usr/bin/env node
/**
 * `npm start`: builds Civichain, then runs the desktop app — or, when the Electron runtime is not installed,
 * says so in one paragraph and runs the headless node with the browser console instead (DESIGN.md §3).
 *
 *   npm start [-- ARGS]            ARGS go to the app (e.g. --data DIR, --api-port N) or to `civichain node`
 *   node scripts/start.js --prepare-native
 *                                  only make sure better-sqlite3 is built for Electron; print its path
 *
 * better-sqlite3 is a native module: node_modules holds a build for Node's ABI (what `npm test` uses), and
 * Electron needs one for its own ABI. This script builds that second one from a copy of the package in
 * .cache/electron-native/<electron version>/ and hands its path to the app (CIVICHAIN_SQLITE_BINDING); it
 * never touches node_modules. Packaged builds rebuild the module for Electron instead (electron-builder.yml).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');
const SQLITE_DIR = join(ROOT, 'node_modules', 'better-sqlite3');
const ELECTRON_HEADERS_URL = process.env.ELECTRON_HEADERS_URL || 'https://electronjs.org/headers';
const PREBUILD_TIMEOUT_MS = 120_000;
const SIGNAL_REPEAT_WINDOW_MS = 1_000;

function say(text) {
  console.log(`civichain: ${text}`);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Where the `electron` package keeps its binary, per platform (node_modules/electron/install.js). */
function platformExecutable() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (process.platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * The Electron binary, or null when it is not installed. Reads what node_modules/electron/index.js reads
 * (path.txt, dist/, ELECTRON_OVERRIDE_DIST_PATH) without requiring it: requiring it starts a download.
 */
function electronBinary() {
  const pathFile = join(ELECTRON_DIR, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override
    ? join(override, executable || platformExecutable())
    : executable
      ? join(ELECTRON_DIR, 'dist', executable)
      : null;
  return candidate && existsSync(candidate) ? candidate : null;
}

/** The headless node's default data folder; the same rule as main/node/workspace/dataDir.ts. */
function defaultDataDir() {
  return process.env.CIVICHAIN_DATA_DIR || join(homedir(), '.civichain', 'demo');
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) return { ok: false, reason: result.error.message };
  if (result.status !== 0) return { ok: false, reason: `exit code ${result.status ?? result.signal}` };
  return { ok: true };
}

function build() {
  say('building (electron-vite build)…');
  const result = run(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: ROOT,
  });
  if (!result.ok) {
    console.error(`civichain: the build failed (${result.reason}); see the messages above.`);
    process.exit(1);
  }
}

/** npm's own node-gyp: next to the npm running us, or next to this Node; else npx fetches it. */
function nodeGypCommand() {
  const candidates = [
    join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  const script = candidates.find((path) => existsSync(path));
  if (script) return { command: process.execPath, args: [script], shell: false };
  return { command: 'npx', args: ['--yes', 'node-gyp'], shell: process.platform === 'win32' };
}

/**
 * The environment for building against Electron: npm passes its config down as npm_config_*, and a `nodedir`,
 * `target` or `disturl` meant for Node would make node-gyp build for Node's ABI again.
 */
function nativeBuildEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|disturl|dist_url|runtime|arch|build_from_source)$/i.test(key)) delete env[key];
  }
  return env;
}

/**
 * Makes sure .cache/electron-native/<electron version>/better_sqlite3.node exists for this Electron, this
 * better-sqlite3 and this machine; builds it if not. Returns its path, or null with the reason printed.
 */
function ensureElectronSqlite() {
  const electronVersion = readJson(join(ELECTRON_DIR, 'package.json'))?.version;
  const sqliteVersion = readJson(join(SQLITE_DIR, 'package.json'))?.version;
  if (!electronVersion || !sqliteVersion) {
    console.error('civichain: node_modules/electron or node_modules/better-sqlite3 is missing: run `npm install`.');
    return null;
  }
  const cacheDir = join(ROOT, '.cache', 'electron-native', electronVersion);
  const binding = join(cacheDir, 'better_sqlite3.node');
  const infoFile = join(cacheDir, 'build-info.json');
  const wanted = { electron: electronVersion, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch };
  const built = readJson(infoFile);
  if (existsSync(binding) && built && Object.entries(wanted).every(([key, value]) => built[key] === value)) return binding;

  say(`building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once; this can take a minute)…`);
  const work = join(cacheDir, 'better-sqlite3');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  // A copy, without the Node build: node_modules keeps its own binary for `npm test` under Node.
  cpSync(SQLITE_DIR, work, {
    recursive: true,
    filter: (source) => {
      const inside = relative(SQLITE_DIR, source);
      return inside !== 'build' && !inside.startsWith(`build${sep}`) && !inside.startsWith(`node_modules${sep}`);
    },
  });
  const env = nativeBuildEnv();
  const output = join(work, 'build', 'Release', 'better_sqlite3.node');

  // A published prebuilt binary first (no compiler needed), then a build from source against Electron's headers.
  const prebuild = join(ROOT, 'node_modules', 'prebuild-install', 'bin.js');
  if (existsSync(prebuild)) {
    run(
      process.execPath,
      [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform],
      { cwd: work, env, timeout: PREBUILD_TIMEOUT_MS, stdio: 'ignore' },
    );
  }
  let failure = null;
  if (!existsSync(output)) {
    const gyp = nodeGypCommand();
    const result = run(
      gyp.command,
      [
        ...gyp.args,
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        `--arch=${process.arch}`,
        `--dist-url=${ELECTRON_HEADERS_URL}`,
        `--devdir=${join(homedir(), '.electron-gyp')}`,
        '--jobs=max',
      ],
      { cwd: work, env, shell: gyp.shell },
    );
    if (!result.ok) failure = result.reason;
  }
  if (!existsSync(output)) {
    rmSync(work, { recursive: true, force: true });
    console.error(
      `civichain: could not build better-sqlite3 for Electron ${electronVersion} (${failure ?? 'no binary produced'}). ` +
        `Building it needs Python 3, make and a C++ compiler, and access to ${ELECTRON_HEADERS_URL} ` +
        '(set ELECTRON_HEADERS_URL to a mirror if that is blocked).',
    );
    return null;
  }
  const partial = `${binding}.partial`;
  copyFileSync(output, partial);
  renameSync(partial, binding);
  writeFileSync(infoFile, `${JSON.stringify(wanted, null, 2)}\n`);
  rmSync(work, { recursive: true, force: true });
  say(`better-sqlite3 for Electron is ready: ${relative(ROOT, binding)}`);
  return binding;
}

/**
 * Runs a child until it exits, then exits with its code. Signals sent to us are passed on once: npm and the
 * terminal may both deliver the same Ctrl-C, and a second one makes the node skip its clean shutdown. On POSIX
 * the child gets its own process group so that the terminal's Ctrl-C reaches it only through us.
 */
function runToExit(command, args, env) {
  const posix = process.platform !== 'win32';
  const child = spawn(command, args, { cwd: ROOT, env, stdio: 'inherit', detached: posix });
  const lastForwardedMs = new Map();
  const forward = (signal) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const now = Date.now();
    if (now - (lastForwardedMs.get(signal) ?? 0) < SIGNAL_REPEAT_WINDOW_MS) return;
    lastForwardedMs.set(signal, now);
    // On Windows the console delivers Ctrl-C to the child itself, and kill() would end it without a shutdown.
    if (posix || signal !== 'SIGINT') child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));
  child.on('error', (error) => {
    console.error(`civichain: could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
  });
}

function startHeadless(userArgs) {
  const hasData = userArgs.some((arg) => arg === '--data' || arg.startsWith('--data='));
  const args = [join(ROOT, 'bin', 'civichain.js'), 'node', '--demo', ...(hasData ? [] : ['--data', defaultDataDir()]), ...userArgs];
  runToExit(process.execPath, args, process.env);
}

function startElectron(electron, binding, userArgs) {
  const env = { ...process.env, CIVICHAIN_SQLITE_BINDING: binding };
  // Set, this would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const args = [ROOT, ...userArgs];
  if (process.platform === 'linux' && process.getuid?.() === 0 && !userArgs.includes('--no-sandbox')) {
    // Chromium refuses to start as root with its OS sandbox on.
    say('running as root: starting Electron with --no-sandbox. Run Civichain as an ordinary user to keep the OS sandbox.');
    args.push('--no-sandbox');
  }
  say(`starting the desktop app (Electron ${relative(ROOT, electron)})…`);
  runToExit(electron, args, env);
}

function main() {
  const userArgs = process.argv.slice(2);
  if (userArgs[0] === '--prepare-native') {
    if (!electronBinary()) {
      console.error('civichain: the Electron runtime is not installed (node_modules/electron/dist is missing).');
      process.exit(2);
    }
    const binding = ensureElectronSqlite();
    if (!binding) process.exit(1);
    console.log(binding);
    return;
  }

  build();
  const electron = electronBinary();
  if (!electron) {
    console.log(
      [
        '',
        'civichain: the Electron runtime is not installed — node_modules/electron has no binary in dist/, usually',
        'because its download from github.com was blocked or skipped during `npm install`. To install it, run',
        '`npx install-electron` (with ELECTRON_MIRROR=<mirror URL> if github.com is unreachable), or point',
        'ELECTRON_OVERRIDE_DIST_PATH at an existing Electron 45 folder. Until then, Civichain starts the same node',
        'headless, with the browser console: open the "Console:" address printed below in a browser.',
        '',
      ].join('\n'),
    );
    startHeadless(userArgs);
    return;
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    say('there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so the desktop app cannot open.');
    say('starting the headless node with the browser console instead; open the "Console:" address printed below.');
    startHeadless(userArgs);
    return;
  }
  const binding = ensureElectronSqlite();
  if (!binding) {
    say('starting the headless node with the browser console instead; open the "Console:" address printed below.');
    startHeadless(userArgs);
    return;
  }
  startElectron(electron, binding, userArgs);
}

main();
