import { expect, type Locator, type Page } from '@playwright/test';
import { WindowPage } from './WindowPage';

/** The Validator desk: the approval mode, the queue of blocks awaiting approval, the shown block, the history. */
export class ValidatorDeskPage extends WindowPage {
  readonly modeSwitch: Locator;
  readonly modeState: Locator;
  readonly queue: Locator;
  readonly pendingBlocks: Locator;
  readonly pendingCount: Locator;
  readonly card: Locator;
  readonly checks: Locator;
  readonly approveButton: Locator;
  readonly rejectButton: Locator;
  readonly rejectDialog: Locator;
  readonly rejectReason: Locator;
  readonly rejectProblem: Locator;
  readonly rejectConfirm: Locator;
  readonly history: Locator;
  readonly shortcuts: Locator;

  constructor(page: Page) {
    super(page);
    this.modeSwitch = page.getByRole('switch', { name: 'Wait for me to approve each block' });
    this.modeState = page.getByTestId('approval-mode-state');
    this.queue = page.getByTestId('pending-queue');
    this.pendingBlocks = page.getByTestId('pending-block');
    this.pendingCount = page.getByTestId('pending-count');
    this.card = page.getByTestId('approval-card');
    this.checks = this.card.getByTestId('block-check');
    this.approveButton = this.card.getByRole('button', { name: /^Approve/ });
    this.rejectButton = this.card.getByRole('button', { name: /^Reject/ });
    this.rejectDialog = page.getByRole('dialog', { name: /^Reject block/ });
    this.rejectReason = this.rejectDialog.getByLabel('Reason (required)');
    this.rejectProblem = this.rejectDialog.getByTestId('reject-reason-problem');
    this.rejectConfirm = this.rejectDialog.getByRole('button', { name: 'Reject block' });
    this.history = page.getByTestId('decision-history');
    this.shortcuts = page.getByTestId('keyboard-shortcuts');
  }

  async open(consoleUrl: string): Promise<void> {
    await this.openInConsole(consoleUrl, 'validator');
    await expect(this.heading).toHaveText('Validator desk');
  }

  async setManual(manual: boolean): Promise<void> {
    await expect(this.modeSwitch).toBeEnabled();
    if ((await this.modeSwitch.getAttribute('aria-checked')) !== String(manual)) await this.modeSwitch.click();
    await expect(this.modeSwitch).toHaveAttribute('aria-checked', String(manual));
  }

  /** The card's title, "Block N, round R". */
  async shownBlock(): Promise<{ height: number; round: number }> {
    const title = await this.card.getByRole('heading', { level: 2 }).innerText();
    const match = /^Block (\d+), round (\d+)$/.exec(title.trim());
    expect(match, `the card names its block: "${title}"`).not.toBeNull();
    return { height: Number(match?.[1]), round: Number(match?.[2]) };
  }

  /** Presses a desk shortcut with focus on the page itself, as a person reviewing blocks would. */
  async press(key: 'j' | 'k' | 'a' | 'r'): Promise<void> {
    await this.page.keyboard.press(key);
  }
}

const MAX_TABS = 40;

/** Presses Tab, as a keyboard user does, until `target` has the focus. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
  await expect(target).toBeVisible();
  for (let presses = 0; presses < MAX_TABS; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

/** What the focused element draws: an outline or a focus background, never nothing. */
export async function focusIndicator(target: Locator): Promise<{ outline: string; background: string; boxShadow: string }> {
  return target.evaluate((element) => {
    const style = getComputedStyle(element);
    return { outline: `${style.outlineStyle} ${style.outlineWidth}`, background: style.backgroundColor, boxShadow: style.boxShadow };
  });
}
