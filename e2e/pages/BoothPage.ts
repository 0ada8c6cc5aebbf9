import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

/** The Voter booth kiosk: start, booth pass, ballot, confirmation, receipt, and the two check screens. */
export class BoothPage extends WindowPage {
  readonly start: Locator;
  readonly passInput: Locator;
  readonly ballot: Locator;
  readonly confirm: Locator;
  readonly receipt: Locator;
  readonly shortCode: Locator;
  readonly fullCode: Locator;
  readonly qrCode: Locator;
  readonly receiptStatus: Locator;

  constructor(page: Page) {
    super(page);
    this.start = page.getByTestId('booth-start');
    this.passInput = page.getByLabel('Booth pass', { exact: true });
    this.ballot = page.getByTestId('ballot');
    this.confirm = page.getByTestId('ballot-confirm');
    this.receipt = page.getByTestId('receipt');
    this.shortCode = this.receipt.getByTestId('receipt-short-code');
    this.fullCode = this.receipt.getByTestId('receipt-hash');
    this.qrCode = this.receipt.getByTestId('qr-code');
    this.receiptStatus = this.receipt.getByTestId('tracking-status-label');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'booth');
    await expect(this.heading).toHaveText('Voter booth');
    await expect(this.start.getByRole('button', { name: /Vote/ })).toBeEnabled();
  }

  candidate(name: string): Locator {
    return this.ballot.getByRole('radio', { name }).or(this.ballot.getByRole('checkbox', { name }));
  }
}
