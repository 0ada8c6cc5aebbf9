/**
 * The Electron main process: one node per data folder, the windows that show it, and the local WebSocket API
 * beside them so the CLI and the browser console work on the same node (DESIGN.md §3, §9, §10).
 *
 * Start-up: privileged scheme → data folder and single-instance lock → ready → protocol and session hardening
 * → IPC and the launcher → node → event fan-out → local API → menu. Shutdown runs the other way and is awaited
 * before the process exits.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, protocol, session, shell } from 'electron';
import { isCivichainError } from '../core/errors';
import { startApiServer, type ApiServer } from '../node/api/wsServer';
import { LOG_LEVELS, createLogger, type LogLevel, type Logger } from '../node/log';
import { DEFAULT_P2P_PORT } from '../node/defaults';
import { startNode, type CivichainNode } from '../node/node';
import { fanOutEvents, registerIpc } from './ipc';
import { buildMenuTemplate } from './menu';
import { resolveAppOptions, type AppOptions } from './options';
import { APP_SCHEME } from './security';
import { createAppProtocolHandler, hardenSession } from './session';
import { createWindowManager, hardenWebContents, type WindowManager } from './windows';

const PRODUCT_NAME = 'Civichain';
/** Built by electron-vite next to this file: out/main/index.js, out/preload/index.cjs, out/renderer/. */
const PRELOAD_PATH = join(import.meta.dirname, '../preload/index.cjs');
const RENDERER_DIR = join(import.meta.dirname, '../renderer');

// Must happen before `ready`: our scheme is a standard, secure origin (so 'self', module scripts and fetch work)
// but does not bypass the CSP.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
]);
// Every renderer sandboxed, including any we did not create ourselves.
app.enableSandbox();

function logLevel(value: string | undefined): LogLevel {
  return LOG_LEVELS.find((level) => level === value) ?? 'info';
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** Tells the person why the app cannot run, in words they can act on, and exits. */
function fail(log: Logger, title: string, error: unknown): void {
  const message = isCivichainError(error)
    ? error.message
    : 'Something unexpected stopped Civichain. The details are in the log; please report them.';
  log.error(title, { code: errorCode(error) ?? null, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  dialog.showErrorBox(title, message);
  app.exit(1);
}

async function startLocalApi(options: AppOptions, node: CivichainNode, log: Logger): Promise<ApiServer | null> {
  const start = (port: number) =>
    startApiServer(
      { port, token: node.workspace.apiToken, staticDir: existsSync(RENDERER_DIR) ? RENDERER_DIR : null },
      { node, log },
    );
  let failure: unknown;
  try {
    return await start(options.apiPort);
  } catch (error) {
    failure = error;
  }
  if (!options.customApiPort && errorCode(failure) === 'PORT_IN_USE') {
    log.info('the default API port is taken (another node?); using any free port', { port: options.apiPort });
    try {
      return await start(0);
    } catch (error) {
      failure = error;
    }
  }
  log.warn('the local API did not start: the windows work, the CLI and the browser console cannot reach this node', {
    port: options.apiPort,
    error: isCivichainError(failure) ? failure.message : String(failure),
  });
  return null;
}

async function main(): Promise<void> {
  const log = createLogger({
    level: logLevel(process.env['CIVICHAIN_LOG_LEVEL']),
    sink: (line) => process.stderr.write(`${line}\n`),
  });

  // The same profile folder in development and in packaged builds.
  app.setPath('userData', join(app.getPath('appData'), PRODUCT_NAME));
  let options: AppOptions;
  try {
    options = resolveAppOptions({
      argv: process.argv,
      env: process.env,
      cwd: process.cwd(),
      userDataDir: app.getPath('userData'),
    });
  } catch (error) {
    await app.whenReady();
    fail(log, 'Civichain could not start', error);
    return;
  }
  if (options.profileDir !== null) app.setPath('userData', options.profileDir);

  // One app instance per data folder: a second one hands over to the first, which shows its launcher.
  if (!app.requestSingleInstanceLock()) {
    log.info('Civichain is already running on this data folder; showing its launcher', { dataDir: options.dataDir });
    app.quit();
    return;
  }

  let windows: WindowManager | null = null;
  let node: CivichainNode | null = null;
  let api: ApiServer | null = null;
  const cleanups: Array<() => void> = [];

  // ---- Shutdown: reverse order of start, awaited, then exit. ----
  let shutdown: Promise<void> | null = null;
  let shutDown = false;
  let nodeStarting: Promise<CivichainNode> | null = null;
  const onQuit = (event: { preventDefault(): void }): void => {
    if (shutDown) return;
    event.preventDefault();
    shutdown ??= (async () => {
      let exitCode = 0;
      for (const cleanup of cleanups.reverse()) cleanup();
      try {
        await api?.close();
      } catch (error) {
        exitCode = 1;
        log.error('the local API did not close cleanly', { error: String(error) });
      }
      try {
        const running = node ?? (await nodeStarting?.catch(() => null)) ?? null;
        await running?.close();
      } catch (error) {
        exitCode = 1;
        log.error('the node did not close cleanly', { error: String(error) });
      }
      shutDown = true;
      app.exit(exitCode);
    })();
  };
  app.on('before-quit', onQuit);
  app.on('will-quit', onQuit);
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());

  app.on('second-instance', () => windows?.open('launcher'));
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, log));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) windows?.open('launcher');
  });

  await app.whenReady();
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR, { log }));
  hardenSession(session.defaultSession, log);
  app.setAboutPanelOptions({ applicationName: PRODUCT_NAME, applicationVersion: app.getVersion() });

  const installMenu = (): void => {
    const template = buildMenuTemplate(
      { platform: process.platform, isPackaged: app.isPackaged, productName: PRODUCT_NAME },
      {
        openWindow: (role) => windows?.open(role),
        showDataFolder: () => {
          void shell.openPath(options.dataDir).then((problem) => {
            if (problem) log.warn('could not show the data folder', { dataDir: options.dataDir, problem });
          });
        },
        showAbout: () => app.showAboutPanel(),
        ...(api ? { openBrowserConsole: () => void shell.openExternal(api?.consoleUrl ?? '') } : {}),
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  installMenu();

  // The node starts while the launcher loads; calls made meanwhile wait for it.
  const starting = startNode(
    {
      dataDir: options.dataDir,
      demo: true,
      runtime: 'electron',
      version: app.getVersion(),
      // Peers as the headless node does: the default peer port, or any free port when it is taken.
      p2p: { port: DEFAULT_P2P_PORT, peers: [], anyPortIfTaken: true },
    },
    { log, sqliteNativeBinding: process.env['CIVICHAIN_SQLITE_BINDING'] || undefined },
  );
  nodeStarting = starting;
  starting.catch(() => undefined); // handled below; keeps an early failure from being "unhandled"
  const openedWindows = createWindowManager(
    { preloadPath: PRELOAD_PATH, isPackaged: app.isPackaged, windowStatePath: join(app.getPath('userData'), 'window-state.json') },
    { log },
  );
  windows = openedWindows;
  cleanups.push(
    registerIpc({
      ipcMain,
      dispatcher: { dispatch: async (method, params) => (await starting).dispatcher.dispatch(method, params) },
      windows: openedWindows,
      log,
    }),
  );
  openedWindows.open('launcher');

  try {
    node = await starting;
  } catch (error) {
    fail(log, 'Civichain could not start its node', error);
    return;
  }
  // Quitting while the node started: the shutdown closes it; start nothing more.
  if (shutdown) return;
  cleanups.push(fanOutEvents(node, () => openedWindows.liveContents(), log));

  const started = await startLocalApi(options, node, log);
  if (shutdown) {
    await started?.close();
    return;
  }
  api = started;
  if (api) {
    log.info('local API listening', { api: api.apiUrl, console: api.consoleUrl.replace(/token=[^&]*/, 'token=…') });
    installMenu();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`civichain: the application failed to start: ${String(error)}\n`);
  app.exit(1);
});
