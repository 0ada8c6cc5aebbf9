import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

/** The Explorer: the search box, the virtualised block list, the detail pane, recent rejections, the mempool. */
export class ExplorerPage extends WindowPage {
  readonly searchBox: Locator;
  readonly searchButton: Locator;
  readonly searchMessage: Locator;
  readonly list: Locator;
  readonly rows: Locator;
  readonly detail: Locator;
  readonly rejections: Locator;
  readonly mempool: Locator;

  constructor(page: Page) {
    super(page);
    this.searchBox = page.getByRole('searchbox', { name: /Block height, block hash/ });
    this.searchButton = page.getByRole('button', { name: 'Search', exact: true });
    this.searchMessage = page.getByTestId('explorer-search-message');
    this.list = page.getByRole('listbox', { name: /^Final blocks, newest first/ });
    this.rows = this.list.getByRole('option');
    this.detail = page.getByTestId('explorer-detail');
    this.rejections = page.getByTestId('recent-rejections');
    this.mempool = page.getByTestId('mempool');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'explorer');
    await expect(this.heading).toHaveText('Explorer');
  }

  /** The list's row for a block height ("Block 1,234, …"). */
  row(height: number): Locator {
    return this.list.getByRole('option', { name: new RegExp(`^Block ${height.toLocaleString('en-GB')},`) });
  }

  async search(query: string): Promise<void> {
    await this.searchBox.fill(query);
    await this.searchBox.press('Enter');
  }
}
