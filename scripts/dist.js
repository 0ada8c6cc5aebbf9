#!/usr/bin/env node
/**
 * `npm run dist [-- --linux|--win|--mac ...]`: packages the desktop app with electron-builder
 * (electron-builder.yml): builds, packages (better-sqlite3 rebuilt for Electron's ABI by electron-builder),
 * then rebuilds better-sqlite3 for Node again so that `npm test` keeps working.
 *
 * Packaging downloads electron-builder from the npm registry and Electron's release archive from
 * github.com. Where that is not possible (as on machines that reach only package registries), it stops with
 * one clear paragraph instead of a stack of download errors.
 */
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_BUILDER = 'electron-builder@26';

function say(text) {
  console.log(`civichain dist: ${text}`);
}

function run(command, args, options = {}) {
  return spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32', ...options });
}

function explainFailure(code) {
  say(
    [
      `packaging failed (electron-builder exited with code ${code}).`,
      'Packaging needs to download electron-builder from the npm registry and Electron’s release archive from',
      'github.com (set ELECTRON_MIRROR to use a mirror), plus a C++ toolchain to rebuild better-sqlite3 for Electron.',
      'If the messages above mention a download, this machine cannot reach those servers: package on a machine that',
      'can. Nothing in the project was changed; node_modules still holds the Node build of better-sqlite3.',
    ].join('\n  '),
  );
}

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('Usage: npm run dist [-- --linux | --win | --mac] [electron-builder options]');
  process.exit(0);
}

say('building…');
if (run('npm', ['run', 'build']).status !== 0) {
  say('the build failed; nothing was packaged.');
  process.exit(1);
}
say(`packaging with ${ELECTRON_BUILDER} (electron-builder.yml)…`);
const packaged = run('npx', ['--yes', ELECTRON_BUILDER, '--config', 'electron-builder.yml', '--publish', 'never', ...args]);
// electron-builder rebuilt better-sqlite3 for Electron in node_modules: give Node its own build back.
say('rebuilding better-sqlite3 for Node (npm test uses it)…');
const restored = run('npm', ['rebuild', 'better-sqlite3']);
if (packaged.status !== 0) {
  explainFailure(packaged.status ?? packaged.signal);
  process.exit(1);
}
if (restored.status !== 0) {
  say('packaged, but better-sqlite3 could not be rebuilt for Node: run `npm rebuild better-sqlite3` before `npm test`.');
  process.exit(1);
}
say('done: the packages are in dist/.');
