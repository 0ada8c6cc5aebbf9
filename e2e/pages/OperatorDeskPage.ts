import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

export type OperatorDeskSection = 'Take a payment' | 'Payments received' | 'Settlement' | 'Reports';

/**
 * The Operator desk: who the staff act as, the payment request form and the request shown to the customer,
 * the payments received with accept, decline and refund, settlement claims, and the report.
 */
export class OperatorDeskPage extends WindowPage {
  readonly picker: Locator;
  readonly suspendedNotice: Locator;
  readonly requestForm: Locator;
  readonly amountInput: Locator;
  readonly referenceInput: Locator;
  readonly expirySelect: Locator;
  readonly amountProblem: Locator;
  readonly createButton: Locator;
  readonly requestWaiting: Locator;
  readonly requestCard: Locator;
  readonly requestCode: Locator;
  readonly requestState: Locator;
  readonly received: Locator;
  readonly rows: Locator;
  readonly pendingCount: Locator;
  readonly errorNotice: Locator;
  readonly declineDialog: Locator;
  readonly refundDialog: Locator;
  readonly settlement: Locator;
  readonly settleDialog: Locator;
  readonly claims: Locator;
  readonly report: Locator;

  constructor(page: Page) {
    super(page);
    this.picker = page.getByRole('group', { name: 'Acting as' });
    this.suspendedNotice = page.getByTestId('operator-suspended');
    this.requestForm = page.getByTestId('request-form');
    this.amountInput = this.requestForm.getByLabel('Amount (HK$)');
    this.referenceInput = this.requestForm.getByLabel('Reference (optional)');
    this.expirySelect = this.requestForm.getByLabel('Customer must pay within');
    this.amountProblem = this.requestForm.getByTestId('amount-problem');
    this.createButton = this.requestForm.getByRole('button', { name: 'Create payment request' });
    this.requestWaiting = page.getByTestId('request-waiting');
    this.requestCard = page.getByTestId('request-card');
    this.requestCode = this.requestCard.getByTestId('request-code');
    this.requestState = this.requestCard.getByTestId('request-state');
    this.received = page.getByTestId('redemptions');
    this.rows = this.received.getByTestId('redemption-row');
    this.pendingCount = page.getByTestId('pending-count');
    this.errorNotice = page.getByTestId('error-notice');
    this.declineDialog = page.getByRole('dialog', { name: 'Decline this payment?' });
    this.refundDialog = page.getByRole('dialog', { name: /^Refund HK\$/ });
    this.settlement = page.getByTestId('settlement');
    this.settleDialog = page.getByRole('dialog', { name: /^Claim settlement of/ });
    this.claims = page.getByTestId('claims');
    this.report = page.getByTestId('report');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'operator');
    await expect(this.heading).toHaveText('Operator desk');
    await expect(this.picker.getByRole('radio').first()).toBeVisible();
  }

  operatorRadio(name: string): Locator {
    return this.picker.getByRole('radio', { name: new RegExp(`^${name}\\b`) });
  }

  async actAs(name: string): Promise<void> {
    await this.operatorRadio(name).check();
    await expect(this.operatorRadio(name)).toBeChecked();
  }

  async showSection(name: OperatorDeskSection): Promise<void> {
    const tab = this.page.getByRole('navigation', { name: 'Operator desk sections' }).getByRole('button', { name: new RegExp(`^${name}`) });
    await tab.click();
    await expect(tab).toHaveAttribute('aria-current', 'page');
  }

  /** Fills the form and presses Create; the caller waits for the card (or the refusal). */
  async submitRequest(amount: string, reference: string): Promise<void> {
    await this.amountInput.fill(amount);
    await this.referenceInput.fill(reference);
    await this.createButton.click();
  }

  /** Makes a request and answers its payment code, once the desk shows it. */
  async createRequest(amount: string, reference: string): Promise<string> {
    await this.showSection('Take a payment');
    if (await this.requestCard.isVisible()) await this.requestCard.getByRole('button', { name: 'New payment request' }).click();
    await this.submitRequest(amount, reference);
    await expect(this.requestCard.getByTestId('request-card-reference')).toHaveText(reference || 'None');
    return (await this.requestCode.innerText()).trim();
  }

  /** The row of the payment that paid a request, in Payments received. */
  row(requestId: string): Locator {
    return this.received.locator(`[data-testid="redemption-row"][data-request-id="${requestId}"]`);
  }

  /** The request id at the end of a payment code `cvr1:<programme>:<operator key>:<request id>`. */
  static requestIdOf(code: string): string {
    return code.split(':').at(-1) ?? '';
  }
}
