import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

export interface ApplicantDetails {
  readonly hkid: string;
  readonly name: string;
  readonly dateOfBirth: string;
  readonly residency: 'Permanent resident' | 'New arrival' | 'Non-permanent resident' | 'Visitor';
}

/** The Wallet: open or create an identity, apply, the application's status, balance, vouchers, pay, history. */
export class WalletPage extends WindowPage {
  readonly openForm: Locator;
  readonly createForm: Locator;
  readonly owner: Locator;
  readonly applicationStatus: Locator;
  readonly applyForm: Locator;
  readonly balance: Locator;
  readonly spendable: Locator;
  readonly vouchers: Locator;
  readonly voucherRows: Locator;
  readonly history: Locator;
  readonly historyRows: Locator;
  readonly pay: Locator;
  readonly codeInput: Locator;
  readonly preview: Locator;
  readonly payButton: Locator;
  readonly payResult: Locator;
  readonly payRefusal: Locator;

  constructor(page: Page) {
    super(page);
    this.openForm = page.getByTestId('open-wallet');
    this.createForm = page.getByTestId('create-identity');
    this.owner = page.getByTestId('wallet-owner');
    this.applicationStatus = page.getByTestId('application-status');
    this.applyForm = page.getByTestId('apply-form');
    this.balance = page.getByTestId('balance');
    this.spendable = page.getByTestId('balance-spendable');
    this.vouchers = page.getByTestId('vouchers');
    this.voucherRows = this.vouchers.getByTestId('voucher-row');
    this.history = page.getByTestId('history');
    this.historyRows = this.history.getByTestId('history-row');
    this.pay = page.getByTestId('pay');
    this.codeInput = this.pay.getByLabel('Payment code');
    this.preview = page.getByTestId('pay-preview');
    this.payButton = this.preview.getByRole('button', { name: /^Pay HK\$/ });
    this.payResult = page.getByTestId('pay-result');
    this.payRefusal = page.getByTestId('pay-refusal');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'wallet');
    await expect(this.heading).toHaveText('Wallet');
    await expect(this.openForm.getByLabel('Resident identity')).toBeVisible();
  }

  async fillNewIdentity(name: string, passphrase: string, repeat = passphrase): Promise<void> {
    await this.createForm.getByLabel('Your name').fill(name);
    await this.createForm.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await this.createForm.getByLabel('Passphrase again').fill(repeat);
    await this.createForm.getByRole('button', { name: 'Create and open' }).click();
  }

  /** Creates an identity in the window; the wallet opens on it. */
  async createIdentity(name: string, passphrase: string): Promise<void> {
    await this.fillNewIdentity(name, passphrase);
    await expect(this.page.getByTestId('wallet-owner-name')).toHaveText(name, { timeout: 20_000 });
  }

  async openIdentity(label: string, passphrase: string): Promise<void> {
    const select = this.openForm.getByLabel('Resident identity');
    // The option reads "<label> — key …": match the whole label, not a longer one that contains it.
    const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} — key `);
    const value = await select.locator('option').filter({ hasText: exact }).first().getAttribute('value');
    await select.selectOption(value ?? '');
    await this.openForm.getByLabel('Passphrase').fill(passphrase);
    await this.openForm.getByRole('button', { name: 'Open wallet' }).click();
  }

  async fillApplication(details: ApplicantDetails): Promise<void> {
    await this.applyForm.getByLabel('HKID number').fill(details.hkid);
    await this.applyForm.getByLabel('Name', { exact: true }).fill(details.name);
    await this.applyForm.getByLabel('Date of birth').fill(details.dateOfBirth);
    await this.applyForm.getByRole('radio', { name: new RegExp(`^${details.residency}`) }).check();
  }

  async submitApplication(): Promise<void> {
    await this.applyForm.getByRole('button', { name: 'Apply' }).click();
  }

  fieldError(field: 'hkid' | 'name' | 'dateOfBirth' | 'residency'): Locator {
    return this.applyForm.getByTestId(`apply-${field}-error`);
  }

  /** A hand-held barcode scanner: it types the code into the focused field and presses Enter. */
  async scan(code: string): Promise<void> {
    await this.codeInput.focus();
    await this.codeInput.clear();
    await this.page.keyboard.type(code, { delay: 0 });
    await this.page.keyboard.press('Enter');
  }

  /** Back from a result or a preview to an empty code field. */
  async payAnother(): Promise<void> {
    const another = this.page.getByTestId(await this.payResult.isVisible() ? 'pay-another' : 'pay-cancel');
    await another.click();
    await expect(this.codeInput).toBeFocused();
  }
}
