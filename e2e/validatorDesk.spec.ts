/**
 * A validator in manual mode, on a real demo node (which holds the demo's three validator keys and its
 * proposer key): sees a proposed block with every check, rejects it with a reason, approves the next
 * proposal of that height, and sees it become final. The rejection and its reason show in the Explorer.
 * A proposer's "mine" is asked through the API, as the proposer's own window would; everything the
 * validator does is done in the window, with the keyboard shortcuts the desk shows.
 */
import { fileURLToPath } from 'node:url';
import type { WebSocketRoute } from '@playwright/test';
import { expect, test as base } from './fixtures';
import { startHeadlessNode, type HeadlessNode } from './fixtures/headlessNode';
import { focusIndicator, tabTo, ValidatorDeskPage } from './pages/ValidatorDeskPage';
import { ExplorerPage } from './pages/ExplorerPage';
import { connectNodeApi, type NodeApi } from './support/nodeApi';
import { expectNoSeriousViolations } from './support/axe';
import { signedNote } from './support/signedNote';

const SCREENSHOTS_DIR = fileURLToPath(new URL('./screenshots/', import.meta.url));
const REASON = 'Proposed outside polling hours: the proposer’s clock looks wrong';
const NOTE = 'Polling station 4 opened at 07:30';

/** A node of its own: this spec switches its validators to manual mode. */
const test = base.extend<{ api: NodeApi }, { deskNode: HeadlessNode }>({
  deskNode: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const node = await startHeadlessNode();
      try {
        await use(node);
      } finally {
        await node.stop();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  api: async ({ deskNode }, use) => {
    const api = await connectNodeApi(deskNode.consoleUrl);
    try {
      await use(api);
    } finally {
      api.close();
    }
  },
});

test('a validator in manual mode rejects a block with a reason, approves the next, and sees it final', async ({ page, deskNode, api }) => {
  test.setTimeout(60_000);
  const desk = new ValidatorDeskPage(page);
  await desk.open(deskNode.consoleUrl);
  await desk.statusBar.expectLive('Civichain Demo');
  await expect(desk.shortcuts).toContainText('approve');

  await desk.setManual(true);
  await expect(desk.modeState).toContainText('Manual');
  await expect(page.getByTestId('queue-empty')).toBeVisible();
  const finalBefore = (await api.call('node.status', {})).finalHeight;

  // A transaction arrives; the proposer puts it in a block, which waits here with every check the node ran.
  const note = await signedNote('civichain-demo-1', NOTE);
  const { hash: noteHash } = await api.call('tx.submit', { transaction: { ...note } });
  await expect(desk.pendingBlocks).toHaveCount(1);
  const txRows = desk.card.getByTestId('transaction-row');
  await expect(txRows).toHaveCount(1);
  await expect(txRows.first()).toContainText('Note');
  await expect(txRows.first()).toContainText(NOTE);
  await expect(desk.pendingCount).toHaveText('1');
  const first = await desk.shownBlock();
  expect(first).toEqual({ height: finalBefore + 1, round: 0 });
  await expect(desk.card.getByTestId('approval-verdict')).toHaveText(/^All \d+ checks passed$/);
  for (const check of ['Chain and height', 'Previous block hash', 'Merkle root', 'Proof-of-work', 'Proposer signature', 'Transaction signatures', 'Transaction rules']) {
    await expect(desk.checks.filter({ hasText: check })).toContainText('passed');
  }
  await expect(desk.card.getByTestId('pending-pow')).toContainText('8 leading zero bits');
  await expect(desk.card.getByTestId('pending-proposer')).not.toBeEmpty();
  const rejectedHash = (await desk.card.getByTestId('pending-hash').innerText()).trim();

  // Meanwhile, in the Explorer (another window), the transaction is in the mempool, in that proposal.
  const other = new ExplorerPage(await page.context().newPage());
  await other.open(deskNode.consoleUrl);
  await expect(other.mempool.getByTestId('mempool-size')).toHaveText('1 waiting');
  await expect(other.mempool.getByTestId('transaction-row')).toContainText(`Proposed (block ${first.height}, round 0)`);
  await other.page.close();
  await desk.screenshot(`${SCREENSHOTS_DIR}validator-pending.png`);
  if (process.env['UPDATE_DOCS_SCREENSHOTS'] === '1') await desk.screenshot(fileURLToPath(new URL('../docs/screenshots/validator-desk.png', import.meta.url)));

  // r opens the dialog; a reason is required.
  await desk.press('r');
  await expect(desk.rejectDialog).toBeVisible();
  await expect(desk.rejectReason).toBeFocused();
  await desk.rejectConfirm.click();
  await expect(desk.rejectProblem).toHaveText(/at least 3 characters/);
  await expect(desk.rejectReason).toHaveAttribute('aria-invalid', 'true');
  await desk.rejectReason.fill(REASON);
  await expectNoSeriousViolations(page, 'the desk with the reject dialog open');
  await page.screenshot({ path: `${SCREENSHOTS_DIR}validator-reject-dialog.png` });
  await desk.rejectConfirm.click();
  await expect(desk.rejectDialog).toBeHidden();
  const rejected = desk.history.getByTestId('history-rejected');
  await expect(rejected).toHaveCount(1);
  await expect(rejected.getByTestId('history-reason')).toHaveText(`“${REASON}”`);

  // The round ends without a decision; the proposer proposes again in the next round.
  await expect.poll(() => desk.shownBlock().catch(() => null), { timeout: 20_000 }).toEqual({ height: first.height, round: 1 });
  await expect(desk.card.getByTestId('approval-verdict')).toHaveText(/^All \d+ checks passed$/);
  await desk.press('a');
  await expect(desk.statusBar.finalHeight).toHaveText(String(first.height));
  await expect(desk.pendingBlocks).toHaveCount(0);
  await expect(desk.history.getByTestId('history-approved').first()).toContainText(`Block ${first.height}, round 1`);
  await desk.screenshot(`${SCREENSHOTS_DIR}validator-history.png`);

  await expectNoSeriousViolations(page, 'the desk with its history');

  // The reason is public: the Explorer shows it with the rejected proposal.
  const explorer = new ExplorerPage(page);
  await explorer.open(deskNode.consoleUrl);
  await expect(explorer.rejections.getByTestId('rejection-reason').first()).toHaveText(REASON);
  await explorer.search(rejectedHash);
  await expect(explorer.detail).toContainText('Rejected proposal');
  await expect(explorer.detail.getByTestId('rejection-reason').first()).toHaveText(REASON);
  await explorer.screenshot(`${SCREENSHOTS_DIR}explorer-rejected-proposal.png`);
  await expectNoSeriousViolations(page, 'the Explorer showing a rejected proposal');
  // The transaction made it in the next round's block, and the mempool is empty again.
  await explorer.search(noteHash);
  await expect(explorer.detail.getByTestId('tx-status')).toHaveText(`Final in block ${first.height}, position 0`);
  await expect(explorer.mempool.getByTestId('mempool-size')).toHaveText('0 waiting');

  // Back to automatic, as the node started.
  await desk.open(deskNode.consoleUrl);
  await desk.setManual(false);
  await expect(desk.modeState).toContainText('Automatic');
});

test.describe('keyboard only, dark theme', () => {
  test.use({ colorScheme: 'dark' });

  test('the switch, the dialog and the decision work from the keyboard, with visible focus', async ({ page, deskNode, api }) => {
    const desk = new ValidatorDeskPage(page);
    await desk.open(deskNode.consoleUrl);
    await desk.statusBar.expectLive('Civichain Demo');

    await tabTo(page, desk.modeSwitch);
    expect((await focusIndicator(desk.modeSwitch)).outline).toMatch(/^solid 3px$/);
    await page.keyboard.press('Space');
    await expect(desk.modeSwitch).toHaveAttribute('aria-checked', 'true');

    const finalBefore = (await api.call('node.status', {})).finalHeight;
    await api.call('miner.mine', {});
    await expect(desk.pendingBlocks).toHaveCount(1);

    // r opens the dialog; Escape closes it and nothing is rejected.
    await page.keyboard.press('r');
    await expect(desk.rejectDialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(desk.rejectDialog).toBeHidden();
    await expect(desk.pendingBlocks).toHaveCount(1);

    await tabTo(page, desk.approveButton);
    // The focused button turns the focus colour (yellow), in the dark theme too.
    expect((await focusIndicator(desk.approveButton)).background).toBe('rgb(255, 221, 0)');
    await desk.screenshot(`${SCREENSHOTS_DIR}validator-keyboard-dark.png`);
    await page.keyboard.press('Enter');
    await expect(desk.statusBar.finalHeight).toHaveText(String(finalBefore + 1));
    await expect(desk.pendingBlocks).toHaveCount(0);
    // Focus did not fall to the page: it waits on the queue's heading.
    await expect(page.getByRole('heading', { name: /^Awaiting approval/ })).toBeFocused();

    await api.call('validator.setMode', { mode: 'auto' });
  });
});

test('asks for notification permission only on request, then notifies when a block awaits approval', async ({ page, deskNode, api }) => {
  // The browser's Notification, recorded instead of shown; the desk is in the background (not focused).
  await page.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    let permission: NotificationPermission = 'default';
    class RecordedNotification {
      static get permission(): NotificationPermission {
        return permission;
      }
      static async requestPermission(): Promise<NotificationPermission> {
        permission = 'granted';
        return permission;
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    Object.assign(window, { Notification: RecordedNotification, shownNotifications: shown });
    document.hasFocus = () => false;
  });
  const desk = new ValidatorDeskPage(page);
  await desk.open(deskNode.consoleUrl);
  await desk.statusBar.expectLive('Civichain Demo');
  const shown = () => page.evaluate(() => (window as unknown as { shownNotifications: { title: string }[] }).shownNotifications.map((n) => n.title));

  await page.getByRole('button', { name: 'Turn on notifications' }).click();
  await expect(page.getByTestId('notification-opt-in')).toContainText('Desktop notifications are on');

  await api.call('validator.setMode', { mode: 'manual' });
  await expect(desk.modeSwitch).toHaveAttribute('aria-checked', 'true');
  const next = (await api.call('node.status', {})).finalHeight + 1;
  await api.call('miner.mine', {});
  await expect.poll(shown).toEqual([`Block ${next} awaits your approval`]);

  // Switching back to automatic approves what waits.
  await api.call('validator.setMode', { mode: 'auto' });
  await expect(desk.statusBar.finalHeight).toHaveText(String(next));
});

test('double-sign evidence raises an alert naming the validator, the height and both blocks', async ({ page, deskNode }) => {
  // Evidence needs a dishonest validator; the test plays the node's `evidence` event into the page instead.
  const pages: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/api$/, (ws) => {
    ws.connectToServer();
    pages.push(ws);
  });
  const desk = new ValidatorDeskPage(page);
  await desk.open(deskNode.consoleUrl);
  await desk.statusBar.expectLive('Civichain Demo');
  await expect(page.getByTestId('evidence-alert')).toHaveCount(0);

  const validator = (await desk.page.getByTestId('identity-row').first().locator('code').getAttribute('title')) ?? '';
  const evidence = { validator, height: 7, round: 1, kind: 'approval', firstBlockHash: 'a1'.repeat(32), secondBlockHash: 'b2'.repeat(32), recordedAtMs: Date.now() };
  pages.at(-1)?.send(JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { event: 'evidence', payload: evidence } }));

  const alert = page.getByRole('alert').filter({ hasText: 'Double signing detected' });
  await expect(alert).toBeVisible();
  await expect(alert.getByTestId('evidence-item')).toContainText('Validator 1 — Electoral Commission');
  await expect(alert.getByTestId('evidence-item')).toContainText('height 7, round 1 (approval)');
  await expect(alert.getByTestId('evidence-item')).toContainText('a1a1a1a1…a1a1a1');
  await page.screenshot({ path: `${SCREENSHOTS_DIR}validator-evidence.png` });
});
