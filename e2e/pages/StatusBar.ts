import { expect, type Locator, type Page } from '@playwright/test';

/** The status bar at the bottom of every window. */
export class StatusBar {
  readonly root: Locator;
  readonly network: Locator;
  readonly height: Locator;
  readonly finalHeight: Locator;
  readonly peers: Locator;
  readonly state: Locator;
  readonly demoBadge: Locator;

  constructor(page: Page) {
    this.root = page.getByRole('status', { name: 'Node status' });
    this.network = this.root.getByTestId('status-network');
    this.height = this.root.getByTestId('status-height');
    this.finalHeight = this.root.getByTestId('status-final-height');
    this.peers = this.root.getByTestId('status-peers');
    this.state = this.root.getByTestId('status-state');
    this.demoBadge = this.root.getByTestId('status-demo');
  }

  /** Waits until the bar shows the node's live figures: network, numeric heights and peers, a running state. */
  async expectLive(networkName: string): Promise<void> {
    await expect(this.network).toHaveText(networkName);
    await expect(this.height).toHaveText(/^\d[\d,]*$/);
    await expect(this.finalHeight).toHaveText(/^\d[\d,]*$/);
    await expect(this.peers).toHaveText(/^\d[\d,]*$/);
    await expect(this.state).toHaveText(/^(Running|Syncing|Starting)$/);
  }

  async heightValue(): Promise<number> {
    return Number((await this.height.innerText()).replaceAll(',', ''));
  }
}
