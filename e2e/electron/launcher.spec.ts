/**
 * The desktop app itself: Electron starts the main process (out/main/index.js) on a fresh data folder, the
 * launcher window loads from civichain://app through the sandboxed preload, and its status bar is fed over IPC.
 *
 * Needs the Electron binary in node_modules/electron/dist (or ELECTRON_OVERRIDE_DIST_PATH); where it cannot be
 * downloaded, the spec reports itself skipped with that reason. It also needs `npm run build` first, and
 * builds better-sqlite3 for Electron once (`node scripts/start.js --prepare-native`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { LauncherPage } from '../pages/LauncherPage';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN_ENTRY = join(ROOT, 'out', 'main', 'index.js');
const NETWORK_NAME = 'Civichain Demo';
const NATIVE_BUILD_TIMEOUT_MS = 10 * 60_000;

/** Where node_modules/electron/index.js would find the binary — without requiring it, which downloads it. */
function electronBinary(): string | null {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const fallback =
    process.platform === 'darwin'
      ? 'Electron.app/Contents/MacOS/Electron'
      : process.platform === 'win32'
        ? 'electron.exe'
        : 'electron';
  const candidate = override
    ? join(override, executable ?? fallback)
    : executable
      ? join(dir, 'dist', executable)
      : null;
  return candidate !== null && existsSync(candidate) ? candidate : null;
}

const executablePath = electronBinary();
const available = executablePath !== null;

test.skip(
  !available,
  'Electron binary is not installed (node_modules/electron/dist missing): its download is blocked or was skipped. ' +
    'Install it with `npx install-electron` (or set ELECTRON_OVERRIDE_DIST_PATH) to run the desktop tests.',
);

test.describe('desktop app', () => {
  let sqliteBinding = '';
  let dataDir = '';
  let app: ElectronApplication | null = null;

  test.beforeAll(() => {
    test.setTimeout(NATIVE_BUILD_TIMEOUT_MS);
    expect(existsSync(MAIN_ENTRY), 'out/main/index.js exists: run `npm run build` first').toBe(true);
    const prepared = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.js'), '--prepare-native'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: NATIVE_BUILD_TIMEOUT_MS,
    });
    expect(prepared.status, `better-sqlite3 builds for Electron:\n${prepared.stderr}`).toBe(0);
    sqliteBinding = prepared.stdout.trim().split('\n').at(-1) ?? '';
    expect(existsSync(sqliteBinding)).toBe(true);
  });

  let scratchDir = '';

  test.beforeEach(() => {
    scratchDir = mkdtempSync(join(tmpdir(), 'civichain-electron-'));
    dataDir = join(scratchDir, 'data');
  });

  test.afterEach(async () => {
    await app?.close();
    app = null;
    rmSync(scratchDir, { recursive: true, force: true });
  });

  async function launch(): Promise<ElectronApplication> {
    // Chromium refuses to start as root with its sandbox on (CI containers).
    const rootOnLinux = process.platform === 'linux' && process.getuid?.() === 0;
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Set, ELECTRON_RUN_AS_NODE would make Electron behave as plain Node.
      if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
    }
    app = await electron.launch({
      executablePath: executablePath ?? undefined,
      // The project folder, as `npm start` runs it: package.json names out/main/index.js, and the app's version.
      args: [ROOT, '--data', dataDir, '--api-port', '0', ...(rootOnLinux ? ['--no-sandbox'] : [])],
      cwd: ROOT,
      env: {
        ...env,
        CIVICHAIN_SQLITE_BINDING: sqliteBinding,
        // A throw-away Chromium profile, so test runs leave nothing in the user's application data.
        CIVICHAIN_PROFILE_DIR: join(scratchDir, 'profile'),
      },
    });
    return app;
  }

  test('opens the launcher on a fresh data folder, with a live status bar', async () => {
    const electronApp = await launch();
    const window = await electronApp.firstWindow();

    expect(window.url()).toBe('civichain://app/windows/launcher.html');
    await expect(window).toHaveTitle('Civichain');
    const launcher = new LauncherPage(window);
    await expect(launcher.heading).toHaveText('Choose a window');
    await launcher.statusBar.expectLive(NETWORK_NAME);
    await expect(launcher.nodeSummary.getByTestId('node-data-dir')).toHaveText(dataDir);
    await launcher.screenshot(join(ROOT, 'e2e', 'screenshots', 'electron-launcher.png'));
  });

  test('the window sees only the contract bridge, stays on our origin and opens no popups', async () => {
    const electronApp = await launch();
    const window = await electronApp.firstWindow();
    await expect(new LauncherPage(window).heading).toHaveText('Choose a window');

    const exposed = await window.evaluate(() => {
      const page = globalThis as { civichain?: object; require?: unknown; process?: unknown };
      return {
        bridge: Object.keys(page.civichain ?? {}).sort(),
        require: typeof page.require,
        process: typeof page.process,
      };
    });
    expect(exposed).toEqual({ bridge: ['invoke', 'on', 'openWindow', 'transport'], require: 'undefined', process: 'undefined' });

    // Navigation away from our origin and new windows are refused.
    const opened = await window.evaluate(() => {
      const page = globalThis as unknown as { open(url: string): unknown; location: { href: string } };
      const popup = page.open('https://example.org/');
      page.location.href = 'https://example.org/';
      return popup === null;
    });
    expect(opened).toBe(true);
    await expect(new LauncherPage(window).heading).toHaveText('Choose a window');
    expect(window.url()).toBe('civichain://app/windows/launcher.html');
    expect(electronApp.windows()).toHaveLength(1);

    const headers = await window.evaluate(async () => {
      const response = await fetch('civichain://app/windows/launcher.html');
      return response.headers.get('content-security-policy');
    });
    expect(headers).toContain("default-src 'none'");
  });

  test('a role opens in its own window, once', async () => {
    const electronApp = await launch();
    const window = await electronApp.firstWindow();
    const launcher = new LauncherPage(window);
    await launcher.statusBar.expectLive(NETWORK_NAME);

    const [booth] = await Promise.all([electronApp.waitForEvent('window'), launcher.openButton('Voter booth').click()]);
    await booth.waitForLoadState('domcontentloaded');
    expect(booth.url()).toBe('civichain://app/windows/booth.html');
    await expect(booth).toHaveTitle('Voter booth — Civichain');

    await launcher.openButton('Voter booth').click();
    await expect.poll(() => electronApp.windows().length).toBe(2);
  });
});
