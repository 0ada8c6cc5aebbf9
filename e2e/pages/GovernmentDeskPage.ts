import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

export type GovernmentSection = 'applications' | 'dashboard' | 'operators' | 'settlement';

/** The Government desk: the application queue and the shown application, the dashboard, operators, settlement. */
export class GovernmentDeskPage extends WindowPage {
  readonly queue: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly detail: Locator;
  readonly detailHeading: Locator;
  readonly approveButton: Locator;
  readonly denyButton: Locator;
  readonly decisionDone: Locator;
  readonly waiting: Locator;
  readonly denyDialog: Locator;
  readonly denyReason: Locator;
  readonly denyProblem: Locator;
  readonly denyConfirm: Locator;
  readonly shortcuts: Locator;
  readonly dashboard: Locator;
  readonly operators: Locator;
  readonly settlement: Locator;
  readonly cannotReview: Locator;

  constructor(page: Page) {
    super(page);
    this.queue = page.getByTestId('application-queue');
    this.rows = page.getByTestId('application-row');
    this.search = page.getByLabel('Search', { exact: true });
    this.detail = page.getByTestId('application-detail');
    this.detailHeading = this.detail.getByRole('heading', { level: 2 });
    this.approveButton = this.detail.getByRole('button', { name: /^Approve/ });
    this.denyButton = this.detail.getByRole('button', { name: /^Deny/ });
    this.decisionDone = page.getByTestId('decision-done');
    this.waiting = page.getByTestId('waiting-final');
    this.denyDialog = page.getByRole('dialog', { name: /^Deny/ });
    this.denyReason = this.denyDialog.getByLabel('Reason (required)');
    this.denyProblem = this.denyDialog.getByTestId('deny-reason-problem');
    this.denyConfirm = this.denyDialog.getByRole('button', { name: 'Deny application' });
    this.shortcuts = page.getByTestId('keyboard-shortcuts');
    this.dashboard = page.getByTestId('dashboard');
    this.operators = page.getByTestId('operators');
    this.settlement = page.getByTestId('settlement');
    this.cannotReview = page.getByTestId('cannot-review');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'government');
    await expect(this.heading).toHaveText('Government desk');
  }

  async showSection(section: GovernmentSection): Promise<void> {
    const tab = this.page.getByTestId(`section-${section}`);
    await tab.click();
    await expect(tab).toHaveAttribute('aria-current', 'page');
  }

  async filter(status: 'pending' | 'approved' | 'denied' | 'all'): Promise<void> {
    const button = this.queue.getByTestId(`filter-${status}`);
    await button.click();
    await expect(button).toHaveAttribute('aria-pressed', 'true');
  }

  /** The queue's row for an applicant, by the name their details hold. */
  row(name: string): Locator {
    return this.rows.filter({ hasText: name });
  }

  /** Shows an application: searches for it (name, HKID or key) and picks its row. */
  async showApplication(query: string, name: string): Promise<void> {
    await this.search.fill(query);
    await this.row(name).first().click();
    await expect(this.detailHeading).toHaveText(name);
  }

  /** Presses a desk shortcut with focus on the page, as a reviewer working through the queue would. */
  async press(key: 'j' | 'k' | 'a' | 'd' | '/'): Promise<void> {
    await this.page.keyboard.press(key);
  }

  detailValue(testid: 'detail-name' | 'detail-hkid' | 'detail-dob' | 'detail-age' | 'detail-residency' | 'detail-applicant' | 'detail-applied'): Locator {
    return this.detail.getByTestId(testid);
  }

  /** A figure of a dashboard chart, as its table says it: "3", "HK$5,000.00". */
  chartValue(chart: 'chart-applicants' | 'chart-money', key: string): Locator {
    return this.dashboard.getByTestId(`${chart}-${key}`).getByTestId('figure-value');
  }

  operatorRow(name: string): Locator {
    return this.operators.getByTestId('operator-row').filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }
}
