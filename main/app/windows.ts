/**
 * The windows: the launcher and one window per role (DESIGN.md §9), one instance each — opening a role that
 * is already open focuses it. Every window is hardened the same way: isolated, sandboxed preload, no Node, no
 * navigation away from our origin, no new windows, no <webview>. The windows' ids are what the IPC sender
 * check trusts (ipc.ts).
 */
import { readFileSync } from 'node:fs';
import { BrowserWindow, screen, type WebContents } from 'electron';
import { writeFileAtomic } from '../node/workspace/files';
import type { WindowRole } from '../../preload/contract';
import type { Logger } from '../node/log';
import type { AppWindows } from './ipc';
import { isNavigationAllowed, windowUrl } from './security';
import { MIN_WINDOW_HEIGHT_PX, MIN_WINDOW_WIDTH_PX, windowSpec, windowTitle } from './windowSpecs';
import { parseWindowState, restoredBounds, withWindow, type WindowState } from './windowState';

export interface WindowManagerOptions {
  /** out/preload/index.cjs */
  readonly preloadPath: string;
  /** Packaged builds get no developer tools. */
  readonly isPackaged: boolean;
  /** Where each window's last position is remembered (window-state.json in the user data folder). */
  readonly windowStatePath: string;
}

function readWindowState(path: string): WindowState {
  try {
    return parseWindowState(readFileSync(path, 'utf8'));
  } catch {
    return parseWindowState(null);
  }
}

export interface WindowManager extends AppWindows {
  open(role: WindowRole): BrowserWindow;
  /** The webContents of every open window, for the event fan-out. */
  liveContents(): WebContents[];
}

/**
 * Hardening for every webContents the app creates, ours or not (installed on `web-contents-created`): no
 * `window.open` (links to the web are not followed: the windows show only the node's own data), no <webview>.
 */
export function hardenWebContents(contents: WebContents, log: Pick<Logger, 'warn'>): void {
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('refused to open a new window', { url });
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    log.warn('refused to attach a <webview>');
    event.preventDefault();
  });
}

/** Keeps a window on our own pages: navigations and redirects anywhere else are cancelled. */
function guardNavigation(contents: WebContents, log: Pick<Logger, 'warn'>): void {
  contents.on('will-navigate', (event) => {
    if (isNavigationAllowed(event.url)) return;
    log.warn('refused to navigate away from the application', { url: event.url });
    event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (isNavigationAllowed(event.url)) return;
    log.warn('refused a redirect away from the application', { url: event.url });
    event.preventDefault();
  });
}

export function createWindowManager(options: WindowManagerOptions, deps: { log: Logger }): WindowManager {
  const { log } = deps;
  const byRole = new Map<WindowRole, BrowserWindow>();
  const trustedIds = new Set<number>();
  let state = readWindowState(options.windowStatePath);
  const remember = (role: WindowRole, window: BrowserWindow) => {
    if (window.isDestroyed() || window.isMinimized()) return;
    state = withWindow(state, role, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    try {
      writeFileAtomic(options.windowStatePath, `${JSON.stringify(state)}\n`);
    } catch (error) {
      log.warn('could not remember the window position', { role, error: String(error) });
    }
  };

  const create = (role: WindowRole): BrowserWindow => {
    const spec = windowSpec(role);
    const saved = state[role];
    const bounds = restoredBounds(
      saved,
      screen.getAllDisplays().map((d) => d.workArea),
      { width: MIN_WINDOW_WIDTH_PX, height: MIN_WINDOW_HEIGHT_PX },
    );
    const window = new BrowserWindow({
      title: windowTitle(role),
      ...(bounds ?? { width: spec.widthPx, height: spec.heightPx }),
      minWidth: MIN_WINDOW_WIDTH_PX,
      minHeight: MIN_WINDOW_HEIGHT_PX,
      show: false,
      webPreferences: {
        preload: options.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: !options.isPackaged,
      },
    });
    const contents = window.webContents;
    const id = contents.id;
    byRole.set(role, window);
    trustedIds.add(id);
    guardNavigation(contents, log);

    window.once('ready-to-show', () => {
      if (bounds && saved?.maximized) window.maximize();
      window.show();
    });
    // Remembered when it closes (and when the app quits, which closes every window).
    window.on('close', () => remember(role, window));
    contents.on('did-fail-load', (_event, errorCode, errorDescription, url, isMainFrame) => {
      if (!isMainFrame) return;
      log.error('a window failed to load', { role, url, errorCode, errorDescription });
      if (!window.isDestroyed() && !window.isVisible()) window.show();
    });
    contents.on('render-process-gone', (_event, details) => {
      log.error('a window’s renderer stopped', { role, reason: details.reason, exitCode: details.exitCode });
    });
    window.on('closed', () => {
      trustedIds.delete(id);
      if (byRole.get(role) === window) byRole.delete(role);
    });

    window.loadURL(windowUrl(role)).catch((error: unknown) => {
      log.error('could not load a window', { role, error: String(error) });
    });
    return window;
  };

  return {
    open(role) {
      const existing = byRole.get(role);
      if (existing && !existing.isDestroyed()) {
        if (existing.isMinimized()) existing.restore();
        existing.show();
        existing.focus();
        return existing;
      }
      return create(role);
    },
    isAppWindow: (webContentsId) => trustedIds.has(webContentsId),
    liveContents() {
      return [...byRole.values()].filter((window) => !window.isDestroyed()).map((window) => window.webContents);
    },
  };
}
