/**
 * The application menu: File (data folder, browser console), Edit (so copy and paste work on macOS), View
 * (zoom; reload and developer tools only in development builds), Window (one entry per role) and Help.
 * Built as a plain template so it is unit-tested without Electron; index.ts turns it into the menu.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { WindowRole } from '../../preload/contract';
import { WINDOW_SPECS } from './windowSpecs';

export interface MenuActions {
  openWindow(role: WindowRole): void;
  showDataFolder(): void;
  /** Opens the browser console of the local API in the system browser; absent when the API is not running. */
  openBrowserConsole?: () => void;
  showAbout(): void;
}

export interface MenuOptions {
  readonly platform: NodeJS.Platform;
  /** Packaged builds have no reload and no developer tools. */
  readonly isPackaged: boolean;
  readonly productName: string;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

export function buildMenuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];

  if (mac) {
    template.push({
      label: options.productName,
      submenu: [
        { label: `About ${options.productName}`, click: () => actions.showAbout() },
        separator,
        { role: 'services' },
        separator,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        separator,
        { role: 'quit' },
      ],
    });
  }

  const openConsole = actions.openBrowserConsole;
  template.push({
    label: 'File',
    submenu: [
      { label: 'Show Data Folder', click: () => actions.showDataFolder() },
      {
        label: 'Open Browser Console',
        enabled: openConsole !== undefined,
        click: () => openConsole?.(),
      },
      ...(mac ? [] : [separator, { role: 'quit' } as const]),
    ],
  });

  template.push({
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });

  template.push({
    label: 'View',
    submenu: [
      ...(options.isPackaged
        ? []
        : [{ role: 'reload' } as const, { role: 'forceReload' } as const, { role: 'toggleDevTools' } as const, separator]),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  });

  template.push({
    label: 'Window',
    submenu: [
      ...WINDOW_SPECS.map(
        (spec, index): MenuItemConstructorOptions => ({
          label: spec.label,
          accelerator: `CmdOrCtrl+${index + 1}`,
          click: () => actions.openWindow(spec.role),
        }),
      ),
      separator,
      { role: 'minimize' },
      ...(mac ? [{ role: 'zoom' } as const, separator, { role: 'front' } as const] : [{ role: 'close' } as const]),
    ],
  });

  template.push({
    label: 'Help',
    submenu: [
      ...(mac ? [] : [{ label: `About ${options.productName}`, click: () => actions.showAbout() }]),
      { label: 'Where Is My Data?', click: () => actions.showDataFolder() },
    ],
  });

  return template;
}
