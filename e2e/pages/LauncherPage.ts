import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage, type WindowRole } from './WindowPage';

const MAX_TABS_TO_CARD = 40;

/** The launcher: a card per window, and the node summary. */
export class LauncherPage extends WindowPage {
  readonly nodeSummary: Locator;
  readonly demoNotice: Locator;

  constructor(page: Page) {
    super(page);
    this.nodeSummary = page.getByTestId('node-summary');
    this.demoNotice = page.getByTestId('demo-notice');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'launcher');
    await expect(this.heading).toHaveText('Choose a window');
  }

  /** The button that opens a window; its accessible name is "Open <title>". */
  openButton(title: string): Locator {
    return this.page.getByRole('button', { name: `Open ${title}`, exact: true });
  }

  roleCard(role: Exclude<WindowRole, 'launcher'>): Locator {
    return this.page.getByTestId(`role-card-${role}`);
  }

  /** Moves focus with Tab, as a keyboard user does, until the window's button has it; then presses Enter. */
  async openWithKeyboard(title: string): Promise<void> {
    const target = this.openButton(title);
    await expect(target).toBeVisible();
    for (let presses = 0; presses < MAX_TABS_TO_CARD; presses += 1) {
      if (await target.evaluate((element) => element === document.activeElement)) break;
      await this.page.keyboard.press('Tab');
    }
    await expect(target).toBeFocused();
    await this.page.keyboard.press('Enter');
  }
}
