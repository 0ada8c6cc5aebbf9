/**
 * The packaging configuration (electron-builder.yml) cannot be exercised here — packaging downloads Electron
 * from github.com — so this test holds it to what docs/SECURITY.md and the README promise: Linux AppImage and
 * deb, Windows NSIS, macOS dmg, the app id and icons, better-sqlite3 rebuilt for Electron and unpacked from
 * the asar, the security fuses, nothing published; and no misspelt key (electron-builder ignores unknown ones).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const config = parse(readFileSync(root('electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  linux: { target: string[]; icon: string; executableName: string; maintainer: string };
  win: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; hardenedRuntime: boolean };
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  directories: { output: string; buildResources: string };
};

/** electron-builder's top-level options this file may use (Configuration in app-builder-lib). */
const KNOWN_KEYS = new Set([
  'appId', 'productName', 'copyright', 'directories', 'files', 'asarUnpack', 'npmRebuild', 'nodeGypRebuild',
  'buildDependenciesFromSource', 'publish', 'electronFuses', 'linux', 'appImage', 'deb', 'win', 'nsis', 'mac', 'dmg',
]);

describe('electron-builder.yml', () => {
  it('uses only known options', () => {
    expect(Object.keys(config).filter((key) => !KNOWN_KEYS.has(key))).toEqual([]);
  });

  it('packages Linux (AppImage, deb), Windows (NSIS) and macOS (dmg) with the app id and existing icons', () => {
    expect(config['appId']).toBe('org.civichain.node');
    expect(config['productName']).toBe('Civichain');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    for (const icon of [config.linux.icon, config.win.icon, config.mac.icon]) expect(existsSync(root(icon)), icon).toBe(true);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
  });

  it('ships the built app only, with better-sqlite3 rebuilt for Electron and unpacked from the asar', () => {
    expect(config.files).toContain('out/**');
    expect(config.files).toContain('!**/*.map');
    expect(config['npmRebuild']).toBe(true);
    expect(config.asarUnpack.some((pattern) => pattern.includes('better-sqlite3') && pattern.endsWith('*.node'))).toBe(true);
    expect(config['publish']).toBeNull();
  });

  it('flips the security fuses of docs/SECURITY.md', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });

  it('is what `npm run dist` packages with', () => {
    const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { scripts: Record<string, string>; main: string };
    expect(pkg.scripts['dist']).toBe('node scripts/dist.js');
    expect(readFileSync(root('scripts/dist.js'), 'utf8')).toContain("'--config', 'electron-builder.yml'");
    expect(pkg.main).toBe('out/main/index.js');
  });
});
