import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

/** The Network window: catch-up panel, peers with their actions, add-a-peer form, bans, identity, health, log. */
export class NetworkPage extends WindowPage {
  readonly syncPanel: Locator;
  readonly peersTable: Locator;
  readonly peerRows: Locator;
  readonly peerCount: Locator;
  readonly addressField: Locator;
  readonly addButton: Locator;
  readonly addProblem: Locator;
  readonly actionError: Locator;
  readonly actionDone: Locator;
  readonly banDialog: Locator;
  readonly bans: Locator;
  readonly identity: Locator;
  readonly heightFigure: Locator;
  readonly log: Locator;
  readonly logLevel: Locator;

  constructor(page: Page) {
    super(page);
    this.syncPanel = page.getByRole('region', { name: 'Catching up with the network' });
    this.peersTable = page.getByTestId('peers-table');
    this.peerRows = page.getByTestId('peer-row');
    this.peerCount = page.getByTestId('peer-count');
    this.addressField = page.getByRole('textbox', { name: 'Add a peer by address' });
    this.addButton = page.getByRole('button', { name: 'Add peer' });
    this.addProblem = page.getByTestId('add-peer-problem');
    this.actionError = page.getByTestId('peer-action-error');
    this.actionDone = page.getByTestId('peer-action-done');
    this.banDialog = page.getByRole('dialog', { name: 'Ban this peer?' });
    this.bans = page.getByRole('region', { name: 'Bans' });
    this.identity = page.getByTestId('network-identity');
    this.heightFigure = page.getByTestId('network-height');
    this.log = page.getByRole('region', { name: 'Log', exact: true });
    this.logLevel = page.getByRole('combobox', { name: 'Show' });
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'network');
    await expect(this.heading).toHaveText('Network');
  }

  /** The row of the peer at `address` (as this node knows it). */
  peer(address: string): Locator {
    return this.peerRows.filter({ has: this.page.getByTestId('peer-address').getByText(address, { exact: true }) });
  }

  /** The row of the peer whose node key is `key`. */
  peerByKey(key: string): Locator {
    return this.page.locator(`[data-testid="peer-row"][data-peer="${key}"]`);
  }

  async addPeer(address: string): Promise<void> {
    await this.addressField.fill(address);
    await this.addButton.click();
  }

  async ban(row: Locator, minutes: string, reason: string): Promise<void> {
    await row.getByRole('button', { name: /^Ban peer/ }).click();
    await expect(this.banDialog).toBeVisible();
    await this.banDialog.getByRole('textbox', { name: 'For how many minutes' }).fill(minutes);
    await this.banDialog.getByRole('textbox', { name: 'Reason (required)' }).fill(reason);
    await this.banDialog.getByRole('button', { name: 'Ban peer' }).click();
  }
}
