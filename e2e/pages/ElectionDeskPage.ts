import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

/** The Election desk: elections, check-in, the roll and its cards, turnout and results, the election record. */
export class ElectionDeskPage extends WindowPage {
  readonly electionList: Locator;
  readonly checkIn: Locator;
  readonly voterIdInput: Locator;
  readonly cardCodeInput: Locator;
  readonly boothPass: Locator;
  readonly roll: Locator;
  readonly results: Locator;
  readonly turnout: Locator;
  readonly record: Locator;
  readonly createForm: Locator;

  constructor(page: Page) {
    super(page);
    this.electionList = page.getByTestId('election-list');
    this.checkIn = page.getByTestId('check-in');
    this.voterIdInput = this.checkIn.getByLabel('Voter ID');
    this.cardCodeInput = this.checkIn.getByLabel('Card code');
    this.boothPass = page.getByTestId('booth-pass');
    this.roll = page.getByTestId('voter-roll');
    this.results = page.getByTestId('election-results');
    this.turnout = page.getByTestId('turnout').first();
    this.record = page.getByTestId('election-record');
    this.createForm = page.getByTestId('create-election');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'election');
    await expect(this.heading).toHaveText('Election desk');
  }

  async selectElection(title: string): Promise<void> {
    await this.electionList.getByRole('button', { name: new RegExp(title) }).click();
    await expect(this.page.getByTestId('selected-election').getByRole('heading')).toHaveText(title);
  }

  async showSection(name: 'Check-in' | 'Voter roll' | 'Turnout and results' | 'Close, publish, export'): Promise<void> {
    const tab = this.page.getByRole('navigation', { name: 'Election desk sections' }).getByRole('button', { name });
    await tab.click();
    await expect(tab).toHaveAttribute('aria-current', 'page');
  }

  /** A voter's card code as the roll shows it to the official (the demo prints them on the desk). */
  async cardCodeOf(voterId: string): Promise<string> {
    await this.showSection('Voter roll');
    await this.roll.getByLabel('Search by voter ID or name').fill(voterId);
    const row = this.roll.locator(`[data-testid="roll-row"][data-voter="${voterId}"]`);
    await expect(this.roll.getByTestId('roll-row')).toHaveCount(1);
    return (await row.getByTestId('roll-card-code').innerText()).trim();
  }

  rollRow(voterId: string): Locator {
    return this.roll.locator(`[data-testid="roll-row"][data-voter="${voterId}"]`);
  }

  async submitCheckIn(voterId: string, cardCode: string): Promise<void> {
    await this.showSection('Check-in');
    await this.voterIdInput.fill(voterId);
    await this.cardCodeInput.fill(cardCode);
    await this.checkIn.getByRole('button', { name: 'Check in' }).click();
  }

  /** Checks a voter in and returns the booth pass the desk shows for them. */
  async checkInVoter(voterId: string, cardCode: string): Promise<string> {
    await this.submitCheckIn(voterId, cardCode);
    await expect(this.boothPass).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/, { timeout: 30_000 });
    return (await this.boothPass.innerText()).trim();
  }

  resultVotes(candidateId: string): Locator {
    return this.results.getByTestId(`result-${candidateId}`).getByTestId('result-votes');
  }
}
