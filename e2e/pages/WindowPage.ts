import { type Locator, type Page } from '@playwright/test';
import type { WindowRole } from '../../preload/contract';
import { StatusBar } from './StatusBar';

export type { WindowRole };

/** Every window the launcher opens, with the title its header shows. */
export const WINDOW_TITLES: Readonly<Record<Exclude<WindowRole, 'launcher'>, string>> = {
  booth: 'Voter booth',
  election: 'Election desk',
  validator: 'Validator desk',
  government: 'Government desk',
  wallet: 'Wallet',
  operator: 'Operator desk',
  explorer: 'Explorer',
  network: 'Network',
};

export const OPENABLE_ROLES = Object.keys(WINDOW_TITLES) as Exclude<WindowRole, 'launcher'>[];

/** One window, reached as a route of the browser console (`/#/<role>`) or as its own page (`windows/<role>.html`). */
export class WindowPage {
  readonly statusBar: StatusBar;
  readonly heading: Locator;
  readonly main: Locator;
  readonly backToLauncher: Locator;

  constructor(readonly page: Page) {
    this.statusBar = new StatusBar(page);
    this.heading = page.getByRole('heading', { level: 1 });
    this.main = page.getByRole('main');
    this.backToLauncher = page.getByRole('navigation', { name: 'Windows' }).getByRole('link', { name: 'All windows' });
  }

  /** Opens the console at a window's route; the console URL carries the API token. */
  async openInConsole(consoleUrl: string, role: WindowRole): Promise<void> {
    await this.page.goto(`${consoleUrl}#/${role === 'launcher' ? '' : role}`);
  }

  /** Opens a window's own page, as Electron loads it (served by the node next to the console), token included. */
  async openAsWindow(consoleUrl: string, role: WindowRole): Promise<void> {
    const url = new URL(consoleUrl);
    url.pathname = `/windows/${role}.html`;
    await this.page.goto(url.toString());
  }

  /**
   * The whole window as if it were tall enough to need no scrolling: the viewport grows to the page's height
   * first, so that the status bar is drawn at the bottom where a person sees it, not where the fold was.
   */
  async screenshot(path: string): Promise<void> {
    const viewport = this.page.viewportSize();
    if (viewport) {
      const height = await this.page.evaluate(() => document.documentElement.scrollHeight);
      if (height > viewport.height) await this.page.setViewportSize({ width: viewport.width, height });
    }
    await this.page.screenshot({ path, animations: 'disabled', caret: 'hide' });
    if (viewport) await this.page.setViewportSize(viewport);
  }
}
