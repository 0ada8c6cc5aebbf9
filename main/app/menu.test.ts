import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { WINDOW_ROLES } from '../../preload/contract';
import { buildMenuTemplate, type MenuActions, type MenuOptions } from './menu';

function actions(): MenuActions & { opened: string[] } {
  const opened: string[] = [];
  return {
    opened,
    openWindow: (role) => void opened.push(role),
    showDataFolder: vi.fn(),
    showAbout: vi.fn(),
  };
}

function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return template.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? items(item.submenu) : [])]);
}

function menu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const found = template.find((item) => item.label === label);
  if (!found || !Array.isArray(found.submenu)) throw new TypeError(`no ${label} menu`);
  return found.submenu;
}

const linux: MenuOptions = { platform: 'linux', isPackaged: false, productName: 'Civichain' };

describe('buildMenuTemplate', () => {
  it('the Window menu opens each role’s window', () => {
    const spy = actions();
    const windowItems = menu(buildMenuTemplate(linux, spy), 'Window').filter((item) => item.click);
    expect(windowItems.map((item) => item.label)).toEqual([
      'Launcher',
      'Voter booth',
      'Election desk',
      'Validator desk',
      'Government desk',
      'Wallet',
      'Operator desk',
      'Explorer',
      'Network',
    ]);
    for (const item of windowItems) item.click?.(undefined as never, undefined, undefined as never);
    expect(spy.opened).toEqual([...WINDOW_ROLES]);
  });

  it('reload and developer tools exist only when not packaged', () => {
    const roles = (isPackaged: boolean) =>
      items(buildMenuTemplate({ ...linux, isPackaged }, actions())).map((item) => item.role);
    expect(roles(false)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(true)).not.toContain('reload');
    expect(roles(true)).not.toContain('forceReload');
  });

  it('the browser console entry is disabled when the API is not running', () => {
    const file = (withConsole: boolean) =>
      menu(
        buildMenuTemplate(linux, { ...actions(), ...(withConsole ? { openBrowserConsole: vi.fn() } : {}) }),
        'File',
      ).find((item) => item.label === 'Open Browser Console');
    expect(file(false)?.enabled).toBe(false);
    expect(file(true)?.enabled).toBe(true);
  });

  it('macOS gets the application menu first, with About and Quit', () => {
    const template = buildMenuTemplate({ ...linux, platform: 'darwin' }, actions());
    expect(template[0]?.label).toBe('Civichain');
    expect(items(template).filter((item) => item.role === 'quit')).toHaveLength(1);
    expect(template.map((item) => item.label)).toEqual(['Civichain', 'File', 'Edit', 'View', 'Window', 'Help']);
  });
});
